"""Senders and subjects written so that no filter recognises them: generated domains, styled letters,
random strings."""

from __future__ import annotations

from email.message import EmailMessage

from seawall.config import Settings
from seawall.detect.features import FeatureContext, extract_features
from seawall.detect.features.sender import generated_label, random_strings, styled_letters
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.parse import parse_message


def features_of(sender: str, subject: str) -> set[str]:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "reader@example-agency.gov"
    message["Subject"] = subject
    message.set_content("See the attached schedule.")
    parsed = parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())
    return set(extract_features(parsed, FeatureContext.from_settings(Settings())))


def test_a_generated_domain_name_is_told_from_names_people_chose() -> None:
    assert generated_label("24ljq337lqkwedzny9rg")
    assert generated_label("ip-94-23-7")
    for chosen in ("e2open", "3com", "mail2world", "covid19-update", "office365support", "web1and1server"):
        assert not generated_label(chosen), chosen


def test_the_from_domain_is_read_not_its_host() -> None:
    assert "from.generated_domain" in features_of("Notice <a@mx.j5o9r6igyf.com>", "Hello")
    # a provider's numbered host under a chosen name is not a generated domain
    assert "from.generated_domain" not in features_of("Notice <a@s1x9k2p7q3.mailgun.org>", "Hello")


def test_styled_letters_in_subject_and_display_name() -> None:
    assert styled_letters("𝐘𝐎𝐔𝐑 𝐏𝐇𝓞𝐓𝐎𝐒") == 10
    assert styled_letters("Plain subject") == 0
    found = features_of('"𝐀𝐦𝐚𝐳𝐨𝐧" <news@shop.example>', "𝐘𝐎𝐔𝐑 𝐏𝐇𝓞𝐓𝐎𝐒 𝐎𝐍 𝐂𝐀𝐍𝐕𝐀𝐒")
    assert {"subject.styled_letters", "from.display_name_styled"} <= found
    # one symbol of a formula is not styled text
    assert "subject.styled_letters" not in features_of("a@b.example", "Grade 𝑥 for the quiz")


def test_a_random_string_salting_the_subject_is_told_from_names_and_codes() -> None:
    assert random_strings("Crédito IR Liberado - v5V0ZVRe1HjazliqQoYz") == ["v5V0ZVRe1HjazliqQoYz"]
    assert random_strings("Notificação ao cliente - Cod. xsjgzJ5ukSpOF") == ["xsjgzJ5ukSpOF"]
    for written in (
        "[USRP-users] N2rt13HDRTExceptionE in Vivado 2021.1",  # a mangled C++ name
        'RFNoC image builder "ModuleNotFoundError"',  # camel case, no digit
        "Your parcel 1Z999AA10123456784 is on its way",  # capitals and digits
        "Your order 112-4839201-2291833",
        "Re: see https://example.org/aB3dE5fG7hJ9k",  # part of an address
    ):
        assert not random_strings(written), written
    assert "subject.random_string" in features_of("a@b.example", "Notificação Urgente - OnoYfdyGCR5sv")


def features_of_raw_from(written: str) -> set[str]:
    raw = (
        f"From: {written}\r\nTo: reader@example-agency.gov\r\nSubject: Hello\r\n"
        "Date: Mon, 13 Jan 2025 08:41:02 +0100\r\nMessage-ID: <a1@example.org>\r\n\r\nSee you.\r\n"
    ).encode()
    parsed = parse_message(RawMessage.from_bytes(raw, Origin("m.eml")), Limits())
    return set(extract_features(parsed, FeatureContext.from_settings(Settings())))


def test_a_name_set_apart_from_its_address_by_a_comma() -> None:
    for written in (
        "KundenService, <angebote@newsletter.shop.example>",
        "Microsoft account team ,_<no-reply@access-security.example>",
        "Fgehen69, jehd <service@friends.example>",
    ):
        assert "from.name_apart_from_address" in features_of_raw_from(written), written
    # mail software quotes a name that holds a comma; a bare address has no name to set apart
    quoted = ('"Smith, John" <john.smith@example.org>', "john.smith@example.org", "John <j@example.org>")
    for written in quoted:
        assert "from.name_apart_from_address" not in features_of_raw_from(written), written
