"""What a scan reports for one input: the verdict and enough of the message to act on it.

This is the JSON object ``seawall scan --format json`` prints (schema ``seawall.scan/1``,
documented in docs/output.md) and what the store records.
"""

from __future__ import annotations

import msgspec

from seawall.detect.verdict import Verdict
from seawall.intake.source import Origin
from seawall.mail.model import Defect, ParsedMessage

SCHEMA = "seawall.scan/1"


class AttachmentSummary(msgspec.Struct, frozen=True, omit_defaults=True):
    path: str
    sniffed_type: str
    size: int
    sha256: str = ""


class MessageSummary(msgspec.Struct, frozen=True, omit_defaults=True):
    message_id: str = ""
    subject: str = ""
    from_address: str = ""
    from_display: str = ""
    to: list[str] = []
    date: str = ""
    timestamp: float | None = None
    size: int = 0
    links: int = 0
    attachments: list[AttachmentSummary] = []


class CampaignMembership(msgspec.Struct, frozen=True, omit_defaults=True):
    """Where a message landed among campaigns ("wave 3 of campaign C-17") and why."""

    campaign: str
    campaign_id: int
    wave: int
    founded: bool = False
    reasons: list[str] = []


class ScanResult(msgspec.Struct, omit_defaults=True):
    """One line of output: a verdict for a message, or the error that stopped its reading."""

    schema: str
    status: str  # "ok", "not_a_message" or "error"
    origin: str
    source: Origin
    sha256: str = ""
    label: str = ""
    score: float = 0.0
    message: MessageSummary | None = None
    verdict: Verdict | None = None
    defects: list[Defect] = []
    campaign: CampaignMembership | None = None
    error: str = ""


def summarise(message: ParsedMessage) -> MessageSummary:
    sender = message.from_
    return MessageSummary(
        message_id=message.message_id,
        subject=message.subject,
        from_address=sender.address if sender else "",
        from_display=sender.display_name if sender else "",
        to=[r.address for r in message.recipients][:50],
        date=message.date,
        timestamp=message.timestamp,
        size=message.size,
        links=len(message.links),
        attachments=[
            AttachmentSummary(a.path, a.sniffed_type, a.size, a.sha256) for a in message.attachments
        ][:50],
    )


def ok_result(message: ParsedMessage, verdict: Verdict) -> ScanResult:
    return ScanResult(
        schema=SCHEMA,
        origin=str(message.origin),
        source=message.origin,
        status="ok",
        sha256=message.sha256,
        label=verdict.label,
        score=verdict.score,
        message=summarise(message),
        verdict=verdict,
        defects=message.defects,
    )


def error_result(origin: Origin, error: str) -> ScanResult:
    return ScanResult(schema=SCHEMA, origin=str(origin), source=origin, status="error", error=error)


NOT_A_MESSAGE = "not_a_message"


def not_a_message_result(message: ParsedMessage) -> ScanResult:
    """Input with no e-mail header at all (plain text, binary, an empty file): it is not mail,
    so it gets no verdict, and never a phishing label, only this status (issue 16)."""
    return ScanResult(
        schema=SCHEMA,
        origin=str(message.origin),
        source=message.origin,
        status=NOT_A_MESSAGE,
        sha256=message.sha256,
        defects=message.defects,
        error="not an e-mail message: no RFC 5322 header (plain text, binary or empty input)",
    )


def outcome(result: ScanResult) -> str:
    """What a result counts as in a summary: its label, or "error" / "not a message"."""
    return result.label if result.status == "ok" else result.status.replace("_", " ")
