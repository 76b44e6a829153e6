"""Score, label and evidence: what Seawall says about one message, and why.

Scoring (documented in docs/scoring.md): each matched rule has a weight w in (-100, 100).
Positive weights combine like independent pieces of evidence,
``rules = 100 * (1 - prod(1 - w/100))``; negative weights (signs of legitimacy, such as
aligned sender authentication) then scale the result down, ``rules *= prod(1 + w/100)``.
The label follows from configurable thresholds: clean < suspicious <= score < phishing.
"""

from __future__ import annotations

import msgspec

from seawall.config import VerdictThresholds
from seawall.detect.engine import RuleMatch

MAX_TRIGGERS = 12
LABELS = ("clean", "suspicious", "phishing")


class Trigger(msgspec.Struct, frozen=True, omit_defaults=True, gc=False):
    """What exactly made a rule match: a feature, its value and where it was found."""

    feature: str
    value: str | int | float | bool
    where: str


class Evidence(msgspec.Struct, omit_defaults=True):
    rule: str
    name: str
    attack: list[str]
    severity: str
    weight: float
    description: str
    triggers: list[Trigger] = []
    note: str = ""
    """Why the weight differs from the rule's own (a scoped exception, a configured weight)."""


class Verdict(msgspec.Struct, omit_defaults=True):
    score: float
    label: str
    rules_score: float
    evidence: list[Evidence] = []
    model_probability: float | None = None


def label_for(score: float, thresholds: VerdictThresholds) -> str:
    if score >= thresholds.phishing:
        return "phishing"
    if score >= thresholds.suspicious:
        return "suspicious"
    return "clean"


def rules_score(weights: list[float]) -> float:
    """Combine rule weights into 0-100 (see the module docstring)."""
    remaining = 1.0
    scale = 1.0
    for weight in weights:
        if weight > 0:
            remaining *= 1.0 - weight / 100.0
        elif weight < 0:
            scale *= 1.0 + weight / 100.0
    return round(100.0 * (1.0 - remaining) * scale, 2)


def evidence_of(matches: list[RuleMatch]) -> list[Evidence]:
    evidence = []
    for match in sorted(matches, key=lambda m: (-abs(m.weight), m.rule.id)):
        rule = match.rule
        triggers = [
            Trigger(hit.feature, hit.value if not isinstance(hit.value, str) else hit.value[:300], hit.where)
            for hit in match.hits[:MAX_TRIGGERS]
        ]
        note = (
            ""
            if match.weight == rule.weight
            else f"weight {rule.weight:g} -> {match.weight:g} by configuration"
        )
        evidence.append(
            Evidence(
                rule=rule.id,
                name=rule.name,
                attack=list(rule.attack),
                severity=rule.severity,
                weight=match.weight,
                description=rule.description,
                triggers=triggers,
                note=note,
            )
        )
    return evidence


def decide(matches: list[RuleMatch], thresholds: VerdictThresholds) -> Verdict:
    score = rules_score([m.weight for m in matches])
    return Verdict(
        score=score, label=label_for(score, thresholds), rules_score=score, evidence=evidence_of(matches)
    )
