"""Scoped exceptions: allow a sender or re-weight a rule for one domain or recipient group.

An exception never changes a rule globally (global weights live in ``[rules] weights``). It
applies to a message when its sender and recipient conditions both hold; it then re-weights
the listed rules and, for ``allow``, adds a sign of legitimacy strong enough to clear the
message. An allow is refused (and the refusal shown) when the sender is not authenticated or
its domain is a lookalike: spoofing an allowed partner must not be a way in.
"""

from __future__ import annotations

from seawall.config import ScopedException
from seawall.detect.engine import RuleMatch
from seawall.detect.features import Features
from seawall.detect.verdict import Evidence, Trigger
from seawall.mail.model import ParsedMessage

ALLOW_WEIGHT = -95.0
RULE_ID = "exception.allow"


def _domain_in(domain: str, listed: list[str]) -> str:
    domain = domain.lower().rstrip(".")
    for entry in listed:
        entry = entry.lower().strip(".")
        if domain == entry or domain.endswith("." + entry):
            return entry
    return ""


def _recipient_in(message: ParsedMessage, group: list[str]) -> str:
    for recipient in message.recipients:
        address = recipient.address.lower()
        for entry in group:
            entry = entry.lower()
            if "@" in entry and address == entry:
                return entry
            if "@" not in entry and _domain_in(address.rpartition("@")[2], [entry]):
                return entry
    return ""


def applies(exception: ScopedException, message: ParsedMessage) -> tuple[bool, str]:
    """(whether the scope covers this message, a description of why)."""
    sender = message.from_
    why = []
    if exception.senders:
        matched = _domain_in(sender.domain, exception.senders) if sender is not None else ""
        if not matched:
            return False, ""
        why.append(f"sender domain {sender.domain if sender else ''} in {matched}")
    if exception.recipients:
        matched = _recipient_in(message, exception.recipients)
        if not matched:
            return False, ""
        why.append(f"recipient in {matched}")
    return True, ", ".join(why) or "every message"


def apply_exceptions(
    exceptions: list[ScopedException], message: ParsedMessage, features: Features, matches: list[RuleMatch]
) -> list[Evidence]:
    """Re-weight ``matches`` in place; return the evidence of allows (applied or refused)."""
    evidence: list[Evidence] = []
    for exception in exceptions:
        covered, why = applies(exception, message)
        if not covered:
            continue
        for match in matches:
            if match.rule.id in exception.weights:
                new = float(exception.weights[match.rule.id])
                match.note = f"weight {match.weight:g} -> {new:g} by exception '{exception.name}' ({why})"
                match.weight = new
        if not exception.allow:
            continue
        authenticated = "auth.aligned_pass" in features
        lookalike = "from.lookalike" in features or "from.punycode" in features
        refused = ""
        if exception.require_authentication and not authenticated:
            refused = (
                "the sender is not authenticated (no DMARC or aligned DKIM pass from a trusted receiver)"
            )
        elif lookalike:
            refused = "the sender's domain imitates a protected domain"
        evidence.append(
            Evidence(
                rule=RULE_ID,
                name=f"Allowed by exception '{exception.name}'"
                if not refused
                else f"Exception '{exception.name}' refused",
                attack=[],
                severity="info",
                weight=0.0 if refused else ALLOW_WEIGHT,
                description=f"Operator's scoped allow ({why})."
                + (f" Not applied: {refused}." if refused else ""),
                triggers=[Trigger("exception", exception.name, why)],
                note="scoped exception from the configuration",
            )
        )
    return evidence
