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


def sender_features(sender: str, links: list[str], subject: str = "Your account") -> set[str]:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "reader@example.org"
    message["Subject"] = subject
    message.set_content("Details below.")
    message.add_alternative("".join(f"<p><a href='{link}'>Open</a></p>" for link in links), subtype="html")
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    return set(extract_features(parsed, FeatureContext.from_settings(Settings())))


def test_a_government_body_named_from_its_governments_registry_is_no_impersonation() -> None:
    # HMRC writes from tax.service.gov.uk and links gov.uk: nobody else can register there
    real = sender_features('"HMRC" <noreply@tax.service.gov.uk>', ["https://www.gov.uk/self-assessment"])
    assert "from.display_name_brand" not in real
    # the same name from anywhere else still claims the brand
    fake = sender_features('"HMRC" <refunds@hmrc-tax-refund.co.uk>', ["https://hmrc-tax-refund.co.uk/claim"])
    assert "from.display_name_brand" in fake
    # another government's registry is not HMRC's
    assert "from.display_name_brand" in sender_features(
        '"HMRC" <info@agency.gov.br>', ["https://agency.gov.br/"]
    )


def test_a_display_name_that_spells_every_links_site_stands_behind_them() -> None:
    # a utility billing from one of its domains and linking its other one
    billing = sender_features(
        '"SWM Kundenservice" <rechnung@stadtwerke-muenchen.de>', ["https://www.swm.de/kundenportal"]
    )
    assert not {"from.display_name_unrelated", "link.unrelated_to_sender"} & billing
    assert "from.display_name_names_links" in billing
    # a borrowed name with a stranger's link stays unrelated on both counts
    lure = sender_features(
        '"SWM Kundenservice" <rechnung@mailer-7731.com>', ["https://swm-portal-login.com/x"]
    )
    assert {"from.display_name_unrelated", "link.unrelated_to_sender"} <= lure
    # one link elsewhere is enough to keep the links unexplained
    mixed = sender_features(
        '"SWM Kundenservice" <rechnung@stadtwerke-muenchen.de>',
        ["https://www.swm.de/kundenportal", "https://bit.ly/3xYz"],
    )
    assert "link.unrelated_to_sender" in mixed
    # a brand's name is the brand rules' to judge
    assert "from.display_name_names_links" not in sender_features(
        '"PayPal" <service@mailer-7731.com>', ["https://paypal.com/signin"]
    )


def test_without_configured_domains_a_role_from_the_readers_own_domain_is_its_own() -> None:
    message = EmailMessage()
    message["From"] = '"Ressources humaines" <rh@example.org>'
    message["To"] = "maria.schmidt@example.org"
    message["Subject"] = "Votre bulletin de paie de juin est disponible"
    message.set_content("Votre bulletin de paie est disponible dans votre espace salarié.")
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    features = extract_features(parsed, FeatureContext.from_settings(Settings()))
    assert "from.display_name_it_role" not in features
    # the same role writing to someone of another organisation is claimed from outside
    assert it_role('"Ressources humaines" <rh@example.org>', Settings())


def test_links_to_the_senders_own_domain_beside_the_named_site_do_not_undo_the_agreement() -> None:
    both = sender_features(
        '"SWM Kundenservice" <rechnung@stadtwerke-muenchen.de>',
        ["https://www.swm.de/kundenportal", "https://www.stadtwerke-muenchen.de/impressum"],
    )
    assert "from.display_name_unrelated" not in both and "from.display_name_names_links" in both
