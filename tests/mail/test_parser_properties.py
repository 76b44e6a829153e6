"""Hypothesis strategies for the small parsers in ``mail/`` (issue 19): whatever a header,
URL, HTML fragment or Authentication-Results value holds, they return a value and never raise,
and what they promise of that value holds (no control characters survive a decoded header,
addresses come back with lower-cased domains, extracted URLs are bounded)."""

from __future__ import annotations

import string
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seawall.detect.redirectors import default_redirectors
from seawall.mail.auth import parse_authentication_results, parse_received
from seawall.mail.domains import (
    UrlParts,
    domain_shown_in_text,
    email_domain,
    is_ip_literal,
    registered_domain,
)
from seawall.mail.headers import decode_value, parse_addresses, parse_date
from seawall.mail.html import analyse_html
from seawall.mail.links import MAX_URL_CHARS, urls_in_text

PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

charsets = st.sampled_from(
    ["utf-8", "UTF-8", "iso-8859-1", "windows-1252", "koi8-r", "x-unknown", "utf-7", ""]
)
payloads = st.text(
    alphabet=string.ascii_letters + string.digits + "+/=_-?.%: \r\n\t\x00\x1b\x85\x9b", max_size=40
)


@st.composite
def encoded_words(draw: st.DrawFn) -> str:
    """RFC 2047 encoded words, well-formed or not: a charset, B or Q (or junk), any payload."""
    return f"=?{draw(charsets)}?{draw(st.sampled_from(['B', 'Q', 'b', 'q', 'X', '']))}?{draw(payloads)}?="


header_values = st.lists(
    st.one_of(
        encoded_words(), st.text(max_size=30), st.sampled_from(['"', "<", ">", ",", "@", "\\", "(", ")"])
    ),
    max_size=8,
).map("".join)


@PROPERTIES
@given(header_values)
def test_a_decoded_header_holds_no_control_characters(value: str) -> None:
    text, injected = decode_value(value)
    assert isinstance(text, str) and isinstance(injected, bool)
    # C0 and C1 alike (a subject is printed to terminals: U+009B is a CSI), a tab aside
    assert not any(unicodedata.category(c) == "Cc" and c != "\t" for c in text)


def test_a_windows_sender_labelled_latin_1_reads_as_it_wrote() -> None:
    # Outlook's cp1252 dashes and quotes under an ISO-8859-1 label are text, not an attack
    labelled = "=?iso-8859-1?q?Preis_=96_nur_heute_=93Sale=94?="
    assert decode_value(labelled) == ("Preis – nur heute “Sale”", False)
    # a CSI written as such is defused, and a C0 escape is still reported
    assert decode_value("Hi \x1b[31m \u009b31m") == ("Hi  [31m ›31m", True)


@PROPERTIES
@given(st.lists(header_values, max_size=3))
def test_addresses_parse_from_anything(values: list[str]) -> None:
    for address in parse_addresses(values):
        assert address.domain == address.domain.lower()
        assert "\n" not in address.display_name


@PROPERTIES
@given(st.text(max_size=60))
def test_dates_parse_or_are_absent(value: str) -> None:
    assert parse_date(value) is None or isinstance(parse_date(value), float)


url_text = st.lists(
    st.one_of(
        st.sampled_from(
            ["http://", "https://", "www.", "hxxp://", "://", "@", ":", "[", "]", "(", ")", "%", "xn--", "."]
        ),
        st.text(max_size=12),
    ),
    max_size=12,
).map("".join)


@PROPERTIES
@given(url_text)
def test_urls_and_their_parts_never_raise(text: str) -> None:
    for url in urls_in_text(text, 20):
        assert len(url) <= MAX_URL_CHARS
    parts = UrlParts(text)
    assert parts.host == parts.host.lower()
    registered_domain(parts.host)
    email_domain(text)
    domain_shown_in_text(text)
    default_redirectors().unwrap(text)


html_fragments = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<a href='",
                "<a href=",
                "'>",
                ">",
                "</a>",
                "<div/>",
                "<div>",
                "</div>",
                "<!--",
                "-->",
                "<style>",
                "</style>",
                "<form action=",
                "&#x",
                "&amp;",
                "<span style='display:none'>",
                "<base href=",
                "<",
            ]
        ),
        st.text(max_size=10),
    ),
    max_size=30,
).map("".join)


@PROPERTIES
@given(html_fragments)
def test_html_is_analysed_whatever_it_holds(html: str) -> None:
    info, links = analyse_html(html)
    assert info is not None
    assert all(isinstance(link.url, str) for link in links)


auth_values = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "mx.example.net;",
                " spf=",
                " dkim=",
                " dmarc=",
                "pass",
                "fail",
                "none",
                " (",
                ")",
                " header.from=",
                " smtp.mailfrom=",
                ";",
                '"',
                "\\",
                " header.d=",
            ]
        ),
        st.text(max_size=8),
    ),
    max_size=20,
).map("".join)


@PROPERTIES
@given(auth_values)
def test_authentication_results_and_received_parse_from_anything(value: str) -> None:
    parse_authentication_results(value, 0)
    parse_authentication_results(value, 1, arc=True)
    parse_received(value, 0)


def test_a_url_host_a_browser_reads_as_an_address_is_an_address() -> None:
    # WHATWG URL: a host that ends in a number is IPv4 however it is written
    for url in ("http://220.65.283/webscr/", "http://0300.0250.0.1/x", "http://3232235777/", "http://10.1/"):
        parts = UrlParts(url)
        assert parts.is_ip and parts.registered_domain == parts.host, url
    for url in ("http://www.example.com/", "http://a.b.2019x/", "http://example.com./"):
        assert not UrlParts(url).is_ip, url
    # a year in a link's text is no address shown
    assert not is_ip_literal("2019")
