"""Links that hide where they go: a faked status bar, a host written in percent escapes."""

from __future__ import annotations

from email.message import EmailMessage

from seawall.config import Settings
from seawall.detect.features import FeatureContext, extract_features
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.parse import parse_message

ESCAPED = "http://%64%38%31%31%2E%65%78%61%6D%70%6C%65%2E%6E%65%74/pc/"


def features_of(body: str, subtype: str) -> set[str]:
    message = EmailMessage()
    message["From"] = "Accounts <service@example-shop.com>"
    message["To"] = "reader@example-agency.gov"
    message["Subject"] = "Your account"
    message.set_content(body, subtype=subtype)
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    return set(extract_features(parsed, FeatureContext.from_settings(Settings())))


def test_a_link_that_writes_the_status_bar_is_a_spoof() -> None:
    spoof = (
        '<a href="http://203.0.113.5/" '
        "onMouseOver=\"window.status='https://www.paypal.com';return true;\">Log in</a>"
    )
    assert "html.status_bar_spoof" in features_of(spoof, "html")
    # a handler that does something else is not
    tracked = '<a href="https://example-shop.com/" onclick="track(\'status\', 1)">Log in</a>'
    assert "html.status_bar_spoof" not in features_of(tracked, "html")


def test_an_escaped_host_hides_only_behind_words() -> None:
    assert "link.escaped_host" in features_of(f'<a href="{ESCAPED}">Verify your account</a>', "html")
    # quoted in a plain-text post that discusses it, the URL is shown as written
    assert "link.escaped_host" not in features_of(
        f"> the spam linked to {ESCAPED}\nDecode it with unquote().", "plain"
    )
    # escapes in the path of an ordinary link are not in its host
    assert "link.escaped_host" not in features_of(
        '<a href="https://example-shop.com/a%20b">Order</a>', "html"
    )
