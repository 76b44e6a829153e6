"""Score, label and evidence: what Seawall says about one message, and why.

Scoring (documented in docs/scoring.md): each matched rule has a weight w in (-100, 100).
Positive weights combine like independent pieces of evidence,
``rules = 100 * (1 - prod(1 - w/100))``; the model's calibrated probability p joins them,
``score = 100 * (1 - prod(1 - w/100) * (1 - p))``; negative weights (signs of legitimacy,
such as aligned sender authentication) then scale both down by ``prod(1 + w/100)``.
The label follows from configurable thresholds: clean < suspicious <= score < phishing.
"""

from __future__ import annotations

import msgspec

from seawall.config import VerdictThresholds
from seawall.detect.engine import RuleMatch

MAX_TRIGGERS = 12
MAX_SCALED_PROBABILITY = 0.999
"""The most certain model probability a sign of legitimacy scales (see ``scale_odds``)."""
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


def combine(weights: list[float], probability: float | None = None) -> tuple[float, float]:
    """(rules score, final score), both 0-100 (see the module docstring).

    The model's probability joins the positive rule weights as one more independent piece of
    evidence; signs of legitimacy (negative weights) then scale both down.
    """
    remaining = 1.0
    scale = 1.0
    for weight in weights:
        if weight > 0:
            remaining *= 1.0 - weight / 100.0
        elif weight < 0:
            scale *= 1.0 + weight / 100.0
    rules = round(100.0 * (1.0 - remaining) * scale, 2)
    if probability is None:
        return rules, rules
    remaining *= 1.0 - probability
    return rules, round(100.0 * (1.0 - remaining) * scale, 2)


def rules_score(weights: list[float]) -> float:
    """Combine rule weights alone into 0-100."""
    return combine(weights)[0]


def evidence_of(matches: list[RuleMatch]) -> list[Evidence]:
    evidence = []
    for match in sorted(matches, key=lambda m: (-abs(m.weight), m.rule.id)):
        rule = match.rule
        triggers = [
            Trigger(hit.feature, hit.value if not isinstance(hit.value, str) else hit.value[:300], hit.where)
            for hit in match.hits[:MAX_TRIGGERS]
        ]
        note = match.note or (
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


_PLACES = {
    "s": "subject",
    "c": "subject",
    "b": "body",
    "d": "display name",
    "u": "links",
    "f": "features",
    "r": "rules",
}


def model_evidence(
    probability: float, contributions: list[tuple[str, float]], factor: float = 1.0
) -> Evidence:
    """The model as one line of evidence: its probability and the tokens that moved it most."""
    triggers = [
        Trigger("model.token", f"{token} ({weight:+.3f})", _PLACES.get(token.split(":", 1)[0], "message"))
        for token, weight in contributions
    ]
    return Evidence(
        rule="model",
        name="Trained model",
        attack=["T1566"],
        severity="info",
        weight=round(100.0 * scale_odds(probability, factor), 2),
        description="Calibrated probability from the linear model over message text, links, features and "
        "rule hits (docs/model.md); tokens with positive weight pushed towards phishing.",
        triggers=triggers,
        note=""
        if factor == 1.0
        else f"probability {probability:.3f}, odds x {factor:g}: sign of legitimacy the model cannot see",
    )


def model_factor(matches: list[RuleMatch]) -> float:
    factor = 1.0
    for match in matches:
        factor *= match.rule.model_factor
    return factor


def scale_odds(probability: float, factor: float) -> float:
    """The probability with its odds multiplied by ``factor``.

    A rule's ``model_factor`` scales the model's odds, not its probability: a sign of
    legitimacy turns a doubtful 0.6 into 0.3, but leaves a 0.999 near-certainty high. Scaling
    the probability instead capped every authenticated sender at the factor, and attackers
    authenticate their own domains (a fifth of our test phish pass DMARC, docs/benchmarks.md).
    """
    if factor == 1.0 or probability <= 0.0:
        return probability
    # The calibration was fitted on a few thousand messages: it cannot tell odds of 1,000:1 from
    # 100,000:1 (and a probability rounded to 1.0 has none), so a factor scales at most 999:1.
    probability = min(probability, MAX_SCALED_PROBABILITY)
    odds = probability / (1.0 - probability) * factor
    return odds / (1.0 + odds)


def decide(
    matches: list[RuleMatch],
    thresholds: VerdictThresholds,
    probability: float | None = None,
    contributions: list[tuple[str, float]] | None = None,
    adjustments: list[Evidence] | None = None,
) -> Verdict:
    """``adjustments``: evidence that is not a rule (scoped allows); its weights combine like rules'."""
    factor = model_factor(matches)
    extra = adjustments or []
    rules, score = combine(
        [m.weight for m in matches] + [e.weight for e in extra],
        None if probability is None else scale_odds(probability, factor),
    )
    evidence = evidence_of(matches) + extra
    if probability is not None:
        evidence.append(model_evidence(probability, contributions or [], factor))
        evidence.sort(key=lambda e: -abs(e.weight))
    return Verdict(
        score=score,
        label=label_for(score, thresholds),
        rules_score=rules,
        evidence=evidence,
        model_probability=None if probability is None else round(probability, 4),
    )
