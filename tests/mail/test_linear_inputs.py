"""Shapes that once made a parser or a pattern quadratic still give the right answer.

Their timing at 10 KB to 10 MB is measured by ``bench/hostile_sizes.py`` (docs/benchmarks.md);
here, what the fixed code finds on them."""

from __future__ import annotations

from seawall.config import Settings
from seawall.detect.detector import Detector
from seawall.detect.features.sender import _mixed_script
from seawall.intake.source import Origin, RawMessage
from seawall.mail.auth import parse_authentication_results
from seawall.mail.html import MAX_NESTING, _limit_nesting
from seawall.mail.links import _trim, urls_in_text
from seawall.mail.parse import parse_message


def test_a_closing_parenthesis_stays_only_when_the_url_opened_one() -> None:
    assert _trim("https://en.wikipedia.org/wiki/Foo_(bar))") == "https://en.wikipedia.org/wiki/Foo_(bar)"
    assert _trim("https://example.com/a))).") == "https://example.com/a"
    (url,) = urls_in_text("see https://example.com/a" + ")" * 200_000, 10)
    assert url == "https://example.com/a"


def test_self_closing_html_elements_still_nest_but_foreign_ones_do_not() -> None:
    nested = "<div/>" * (MAX_NESTING + 10)
    cut, at = _limit_nesting(nested)
    assert at > 0 and len(cut) < len(nested)
    svg = "<svg>" + "<path/>" * (MAX_NESTING + 10) + "</svg>"
    assert _limit_nesting(svg) == (svg, 0)
    assert _limit_nesting("<a " * 100_000)[1] == 0  # unclosed tags open nothing


def test_mixed_scripts_are_found_word_by_word() -> None:
    assert _mixed_script("Pаypal Security")  # Cyrillic a
    assert not _mixed_script("Паша Petrov")  # two words, each in one script
    assert not _mixed_script("é" * 100_000)


def test_an_address_shown_in_a_long_display_name_is_still_found() -> None:
    detector = Detector(Settings(), use_model=False)
    for name in (
        '"support@paypal.com" <x@evil.example>',
        '"' + "a" * 100_000 + ' support@paypal.com" <x@evil.example>',
    ):
        data = f"From: {name}\r\nTo: r@example.org\r\nSubject: hi\r\n\r\nbody\r\n".encode()
        features = detector.analyse(parse_message(RawMessage.from_bytes(data, Origin("x")))).features
        assert [h.value for h in features["from.display_name_address"]] == ["support@paypal.com"]


def test_many_dmarc_segments_keep_the_published_policy() -> None:
    value = "mx.example.com; " + "dmarc=fail (p=reject dis=none) header.from=a.example; " * 5_000
    parsed = parse_authentication_results(value, 0)
    assert len(parsed.results) == 5_000
    assert all(r.properties.get("policy.published") == "reject" for r in parsed.results)


def test_a_header_longer_than_any_mta_passes_is_read_from_its_start_and_named() -> None:
    segment = "dmarc=fail (p=reject dis=none) header.from=paypal.com; "
    value = "mx.example.org; " + segment * 200_000  # 11 MB, over Postfix's 100 KB header limit
    data = (
        f"Authentication-Results: {value}\r\nFrom: PayPal <service@paypal.com>\r\n"
        "To: r@example.org\r\nSubject: hi\r\n\r\nbody\r\n"
    ).encode()
    message = parse_message(RawMessage.from_bytes(data, Origin("x")))
    assert [d.kind for d in message.defects if d.kind == "header_too_long"] == ["header_too_long"]
    assert "Authentication-Results" in next(d.detail for d in message.defects if d.kind == "header_too_long")
    results = message.auth_results[0].results
    assert 1_000 < len(results) < 2_000  # the first 100 KB of segments, no more
    assert results[0].result == "fail"
    verdict = Detector(Settings(), use_model=False).analyse(message).verdict
    assert "analysis-limits-exceeded" in {e.rule for e in verdict.evidence}
