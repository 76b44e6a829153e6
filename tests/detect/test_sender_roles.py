"""An IT role in the display name: whose IT it claims to be decides whether it deceives."""

from __future__ import annotations

from email.message import EmailMessage

from seawall.config import Settings
from seawall.detect.features import FeatureContext, extract_features
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.parse import parse_message


def it_role(sender: str, settings: Settings) -> bool:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "reader@example-agency.gov"
    message["Subject"] = "Scheduled maintenance"
    message.set_content("The mail server will be down on Saturday night.")
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    return "from.display_name_it_role" in extract_features(parsed, FeatureContext.from_settings(settings))


def test_without_configured_domains_a_role_its_address_carries_is_its_own() -> None:
    plain = Settings()
    assert not it_role('"NOI Administrator" <admin@networksonline.com>', plain)
    assert not it_role('"postmaster@jpci.net" <postmaster@jpci.net>', plain)
    assert it_role('"IT Help Desk" <user@grandkanayahotel.id>', plain)
    assert it_role('"Mail Administrator" <k.lee2017@gmail.com>', plain)


def test_with_configured_domains_any_role_from_outside_them_is_claimed() -> None:
    ours = Settings()
    ours.organisation.domains = ["example-agency.gov"]
    assert it_role('"NOI Administrator" <admin@networksonline.com>', ours)
    assert not it_role('"IT Help Desk" <helpdesk@example-agency.gov>', ours)
