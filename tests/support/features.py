"""The features Seawall extracts from a message written for a test, with the default settings."""

from __future__ import annotations

from email.message import EmailMessage

from seawall.config import Settings
from seawall.detect.features import FeatureContext, Features, extract_features
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.model import ParsedMessage
from seawall.mail.parse import parse_message


def html_message(
    html: str, sender: str = "Sender <news@sender.example>", subject: str = "News"
) -> ParsedMessage:
    """An HTML message to an agency reader, parsed as Seawall parses mail."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "reader@example-agency.gov"
    message["Subject"] = subject
    message.set_content(html, subtype="html")
    return parse_message(RawMessage.from_bytes(message.as_bytes(), Origin("m.eml")), Limits())


def features_of(message: ParsedMessage) -> Features:
    return extract_features(message, FeatureContext.from_settings(Settings()))
