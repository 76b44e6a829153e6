"""Scoped exceptions: allow or re-weight for one sender domain or recipient group, with evidence."""

from __future__ import annotations

from email.message import EmailMessage

import msgspec

from seawall.config import ScopedException, Settings
from seawall.detect.detector import Detector
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.parse import parse_message

TRUSTED = "mx.northwind-energy.com"


def notice(recipient: str, authenticated: bool = True, sender: str = "alerts@partner-notify.com") -> bytes:
    message = EmailMessage()
    if authenticated:
        domain = sender.split("@")[1]
        message["Authentication-Results"] = (
            f"{TRUSTED}; spf=pass smtp.mailfrom={domain}; dkim=pass header.d={domain}; "
            f"dmarc=pass (p=reject) header.from={domain}"
        )
    message["From"] = f"Partner Alerts <{sender}>"
    message["To"] = recipient
    message["Subject"] = "Urgent: verify your account within 24 hours"
    message["Date"] = "Tue, 16 Jul 2024 13:00:05 +0000"
    message["Message-ID"] = "<n1@partner-notify.com>"
    message.set_content(
        "Your account will be suspended within 24 hours unless you verify your password now.\n"
        "Verify here: https://bit.ly/3xYzAbc\n\nPartner Alerts"
    )
    return message.as_bytes()


def verdict(settings: Settings, data: bytes):  # type: ignore[no-untyped-def]
    parsed = parse_message(RawMessage.from_bytes(data, Origin("t.eml")), Limits())
    return Detector(settings, use_model=False).analyse(parsed).verdict


def settings_with(*exceptions: ScopedException) -> Settings:
    base = {
        "organisation": {"name": "Northwind Energy", "domains": ["northwind-energy.com"]},
        "authentication": {"trusted_authserv_ids": [TRUSTED]},
        "exceptions": [msgspec.to_builtins(e) for e in exceptions],
    }
    return msgspec.convert(base, Settings)


def test_allow_applies_to_the_authenticated_sender_and_shows_in_the_evidence() -> None:
    baseline = verdict(settings_with(), notice("j.smith@northwind-energy.com"))
    assert baseline.score >= 30, baseline
    allow = ScopedException(name="partner alerts", senders=["partner-notify.com"], allow=True)
    allowed = verdict(settings_with(allow), notice("j.smith@northwind-energy.com"))
    assert allowed.label == "clean" and allowed.score < baseline.score / 5
    (entry,) = [e for e in allowed.evidence if e.rule == "exception.allow"]
    assert "partner alerts" in entry.name and entry.weight < 0
    assert "sender domain partner-notify.com" in entry.description


def test_allow_is_refused_for_a_spoofed_or_lookalike_sender() -> None:
    allow = ScopedException(name="partner alerts", senders=["partner-notify.com"], allow=True)
    baseline = verdict(settings_with(), notice("j.smith@northwind-energy.com", authenticated=False))
    spoofed = verdict(settings_with(allow), notice("j.smith@northwind-energy.com", authenticated=False))
    assert spoofed.score == baseline.score and spoofed.label == baseline.label
    (entry,) = [e for e in spoofed.evidence if e.rule == "exception.allow"]
    assert entry.weight == 0 and "not authenticated" in entry.description
    other = verdict(
        settings_with(allow),
        notice("j.smith@northwind-energy.com", sender="alerts@partner-notify.net"),
    )
    assert not [e for e in other.evidence if e.rule == "exception.allow"], "another domain is out of scope"


def test_rule_weight_changes_only_inside_the_recipient_group() -> None:
    baseline = verdict(settings_with(), notice("finance@northwind-energy.com"))
    rule = next(
        e.rule for e in baseline.evidence if e.weight > 0 and e.rule.startswith(("link", "text", "subject"))
    )
    scoped = ScopedException(
        name="finance shorteners", recipients=["finance@northwind-energy.com"], weights={rule: 0.0}
    )
    inside = verdict(settings_with(scoped), notice("finance@northwind-energy.com"))
    (entry,) = [e for e in inside.evidence if e.rule == rule]
    assert entry.weight == 0 and "finance shorteners" in entry.note and "recipient in" in entry.note
    assert inside.score < baseline.score
    outside = verdict(settings_with(scoped), notice("j.smith@northwind-energy.com"))
    (entry,) = [e for e in outside.evidence if e.rule == rule]
    assert entry.weight > 0 and entry.note == ""
    domain_scope = ScopedException(
        name="whole company", recipients=["northwind-energy.com"], weights={rule: 0.0}
    )
    everyone = verdict(settings_with(domain_scope), notice("j.smith@northwind-energy.com"))
    assert next(e for e in everyone.evidence if e.rule == rule).weight == 0


# Exchange Online's own stamp, as in mail exported from a Microsoft 365 mailbox: no authserv-id.
MICROSOFT_STAMP = (
    "spf=pass (sender IP is 40.107.22.51) smtp.mailfrom=partner-notify.com; dkim=pass "
    "(signature was verified) header.d=partner-notify.com;dmarc=pass action=none "
    "header.from=partner-notify.com;compauth=pass reason=100"
)


def delivered_by_microsoft365(forged_below: bool = False, stamp: str = MICROSOFT_STAMP) -> bytes:
    """The notice as a Microsoft 365 mailbox holds it: Microsoft's hops and stamp on top."""
    original = notice("j.smith@northwind-energy.com", authenticated=False)
    forged = (
        b"Authentication-Results: spf=pass smtp.mailfrom=partner-notify.com; dmarc=pass "
        b"header.from=partner-notify.com\n"
        if forged_below
        else b""
    )
    return (
        b"Received: from AM6PR04MB5000.eurprd04.prod.outlook.com (2603:10a6:20b:1::1) by\n"
        b" AM6PR04MB6000.eurprd04.prod.outlook.com with HTTPS; Tue, 16 Jul 2024 13:00:09 +0000\n"
        + f"Authentication-Results: {stamp}\n".encode()
        + b"Received: from mail.partner-notify.com (40.107.22.51) by\n"
        b" AM6EUR05FT010.mail.protection.outlook.com (10.233.240.1) with Microsoft SMTP\n"
        b" Server id 15.20.7762.17 via Frontend Transport; Tue, 16 Jul 2024 13:00:07 +0000\n"
        + forged
        + original
    )


def microsoft365_settings(enabled: bool) -> Settings:
    return msgspec.convert(
        {
            "organisation": {"name": "Northwind Energy", "domains": ["northwind-energy.com"]},
            "authentication": {"microsoft365": enabled},
        },
        Settings,
    )


def aligned(settings: Settings, data: bytes) -> bool:
    return any(e.rule == "aligned-sender-authentication" for e in verdict(settings, data).evidence)


def test_microsoft365_stamp_counts_only_when_configured_and_only_on_top() -> None:
    assert aligned(microsoft365_settings(True), delivered_by_microsoft365())
    assert not aligned(microsoft365_settings(False), delivered_by_microsoft365())
    # Exchange Online says the sender failed: a pass the sender wrote further down is not read.
    failed = MICROSOFT_STAMP.replace("dmarc=pass", "dmarc=fail").replace("dkim=pass", "dkim=fail")
    assert not aligned(microsoft365_settings(True), delivered_by_microsoft365(True, failed))
    # Exchange Online wrote no stamp: the sender's own, below Microsoft's arrival hop, is not read.
    unstamped = delivered_by_microsoft365(True).replace(
        f"Authentication-Results: {MICROSOFT_STAMP}\n".encode(), b""
    )
    assert b"Authentication-Results: spf=pass" in unstamped
    assert not aligned(microsoft365_settings(True), unstamped)
