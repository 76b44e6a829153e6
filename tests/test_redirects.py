"""Link analysis through redirects: judge the destination a URL carries, and do not call a
sender's own click tracker a mismatch, while still catching the classic text/href lie."""

from __future__ import annotations

import base64
from email.message import EmailMessage

from seawall.config import Settings
from seawall.detect.features import FeatureContext, extract_features
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.parse import parse_message


def mismatches(sender: str, text: str, href: str) -> list[str]:
    message = EmailMessage()
    message["From"] = f"Sender <{sender}>"
    message["To"] = "reader@example-agency.gov"
    message["Subject"] = "News"
    message.set_content("See the link.")
    message.add_alternative(
        f'<html><body><p>Read: <a href="{href}">{text}</a></p></body></html>', subtype="html"
    )
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    features = extract_features(parsed, FeatureContext.from_settings(Settings()))
    return [str(hit.value) for hit in features.get("link.text_domain_mismatch", [])]


def test_redirect_carrying_the_shown_destination_is_not_a_mismatch() -> None:
    href = (
        "https://iqconnect.lmhostediq.com/iqextranet/iqClickTrk.aspx?cid=TX32&"
        "redirect=https%3a%2f%2fstormcenter.oncor.com%2fexternal%2fdefault.htm"
    )
    assert (
        mismatches("outreach@mail.house.gov", "https://stormcenter.oncor.com/external/default.htm", href)
        == []
    )


def test_redirect_carrying_another_destination_is_a_mismatch() -> None:
    href = "https://tracker.example.net/go?redirect=https%3A%2F%2Fpaypal-login.example-verify.com%2F"
    assert mismatches("news@example.net", "https://www.paypal.com/signin", href) == [
        "paypal.com -> example-verify.com"
    ]


def test_the_senders_own_click_tracker_is_not_a_mismatch() -> None:
    href = "http://lnk.teapartypatriots.org/c/4/?T=NDkxMDk0ODk%3AMDItYjE5Mjk5"
    assert mismatches("newsletter@teapartypatriots.org", "TeaPartyPatriotsAction.org", href) == []
    assert (
        mismatches("feedback@rstreet.org", "Legbranch.org", "https://email.rstreet.org/t/i-l-ahjjhr/") == []
    )


def test_a_link_to_the_senders_domain_that_is_not_a_tracker_still_lies() -> None:
    assert mismatches(
        "support@secure-account-check.com", "https://www.paypal.com", "https://secure-account-check.com/login"
    ) == ["paypal.com -> secure-account-check.com"]
    # A tracker-looking link on someone else's domain is judged as usual.
    assert mismatches(
        "news@example.org", "https://www.paypal.com", "https://links.other-domain.com/c/123"
    ) == ["paypal.com -> other-domain.com"]


def test_a_bing_click_redirect_is_read_to_its_encoded_destination() -> None:
    from seawall.detect.redirectors import default_redirectors

    # u=a1 + URL-safe base64 of https://implantdetective.com/eventos-formacion/ (phishing_pot)
    href = (
        "https://www.bing.com/ck/a?!&&p=6178ff9dbdb28091&ptn=3&hsh=3"
        "&u=a1aHR0cHM6Ly9pbXBsYW50ZGV0ZWN0aXZlLmNvbS9ldmVudG9zLWZvcm1hY2lvbi8&ntb=1"
    )
    unwrapped = default_redirectors().unwrap(href)
    assert unwrapped is not None and not unwrapped.opaque
    assert unwrapped.destination == "https://implantdetective.com/eventos-formacion/"
    assert mismatches("news@example.net", "https://www.bing.com/", href) == [
        "bing.com -> implantdetective.com"
    ]


def test_a_file_name_as_link_text_is_no_domain() -> None:
    # A list reply linking its attachment ("b205-antenna.mp4") shows a file, not a host; a
    # name under a real suffix (".zip" is one) is still read as the domain a reader would see.
    href = "https://mail.163.com/large-attachment-download/?file=abc"
    assert mismatches("someone@gmail.com", "b205-antenna.mp4", href) == []
    assert mismatches("someone@gmail.com", "report.pdf", href) == []
    assert mismatches("someone@gmail.com", "invoice.zip", href) == ["invoice.zip -> 163.com"]


def userinfo_links(href: str) -> list[str]:
    message = EmailMessage()
    message["From"] = "Issue Alert <issuealert@scientech.com>"
    message["To"] = "reader@example-agency.gov"
    message["Subject"] = "News"
    message.set_content(f"Contact us: {href}")
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    features = extract_features(parsed, FeatureContext.from_settings(Settings()))
    return [str(hit.value) for hit in features.get("link.userinfo", [])]


def test_a_host_before_the_at_sign_hides_the_destination_a_mangled_address_does_not() -> None:
    assert userinfo_links("http://www.paypal.com@203.0.113.9/login") == [
        "http://www.paypal.com@203.0.113.9/login"
    ]
    assert userinfo_links("http://ebay.com:signin@evil.example.net/") == [
        "http://ebay.com:signin@evil.example.net/"
    ]
    # a 2001 newsletter's "consulting@scientech.com" written as a link shows no host
    assert userinfo_links("http://consulting@scientech.com") == []


def ip_features(body: str, html: str = "") -> dict[str, list[str]]:
    message = EmailMessage()
    message["From"] = "VentureWire <people@venturewire.com>"
    message["To"] = "reader@example-agency.gov"
    message["Subject"] = "People"
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    features = extract_features(parsed, FeatureContext.from_settings(Settings()))
    return {
        name: [str(h.value) for h in features.get(name, [])]
        for name in ("link.ip_literal", "link.ip_literal_hidden")
    }


def test_an_ip_address_shown_as_itself_hides_nothing_one_behind_words_or_a_brand_does() -> None:
    shown = ip_features("Read it at http://64.124.51.9/people/today.html")
    assert shown == {"link.ip_literal": ["64.124.51.9"], "link.ip_literal_hidden": []}
    behind_words = ip_features("See below.", '<p><a href="http://203.0.113.9/login.php">Sign in</a></p>')
    assert behind_words["link.ip_literal_hidden"] == ["203.0.113.9"]
    brand_in_path = ip_features("Sign in: http://203.0.113.9/signin.ebay.com/ws/eBayISAPI.dll")
    assert brand_in_path["link.ip_literal_hidden"] == ["203.0.113.9"]


def test_a_gateway_carrying_its_destination_in_base64_is_judged_by_the_destination() -> None:
    # a mail gateway's link protection: "ver=1.001&&…&&url=https%3A%2F%2Fkb%2Eettus%2Ecom…"
    carried = "ver=1.001&&a789a74c9f8f5e5d6=64415176_16772&&url=https%3A%2F%2Fkb%2Eettus%2Ecom%2FDirection"
    href = "http://pta-smg4.csir.co.za:32224/?" + base64.b64encode(carried.encode()).decode()
    assert mismatches("lwabeke@csir.co.za", "https://kb.ettus.com/Direction", href) == []
    assert mismatches("lwabeke@csir.co.za", "https://www.paypal.com/signin", href) == [
        "paypal.com -> ettus.com"
    ]
