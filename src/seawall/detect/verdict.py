"""Score, label and evidence: what Seawall says about one message, and why.

Scoring (docs/scoring.md): each matched rule has a weight w in (-100, 100). Positive weights
combine like independent pieces of evidence, ``100 * (1 - prod(1 - w/100))``, the model's
probability joining them as one more; negative weights (signs of legitimacy) then scale the
result down by ``prod(1 + w/100)``. Every line of evidence carries the ``points`` it added,
strongest first, so the listed points add up to the score, as in SpamAssassin's report.

Two limits keep wording from convicting a message (docs/scoring.md, issue 16):

* only a rule of kind ``deception`` or ``payload`` (or a threat-intelligence match) can make
  a message *phishing*; without one, the label stops at *suspicious*;
* without one, the model adds at most ``[verdict] model_without_deception`` points: it may
  raise and rank a deceptive message, not condemn how a legitimate sender writes.
"""

from __future__ import annotations

import msgspec

from seawall.config import VerdictThresholds
from seawall.detect.engine import CONVICTING_KINDS, RuleMatch
from seawall.detect.model.vectorize import describe_token

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
    kind: str = ""
    """The rule's kind (``engine.KINDS``), ``model`` or ``intel``."""
    points: float = 0.0
    """What this line added to the score (negative for signs of legitimacy); they add up."""


class Verdict(msgspec.Struct, omit_defaults=True):
    score: float
    label: str
    rules_score: float
    evidence: list[Evidence] = []
    model_probability: float | None = None
    deceptive: bool = False
    """Whether a deception, payload or intelligence line matched (only then can it be phishing)."""


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
                kind=rule.kind,
            )
        )
    return evidence


def model_evidence(
    probability: float, contributions: list[tuple[str, float]], factor: float = 1.0
) -> Evidence:
    """The model as one line of evidence: its probability and what it saw that moved it most,
    in the words of the features and rules it read (never a hashed token)."""
    triggers = []
    for token, weight in contributions:
        described, where = describe_token(token)
        triggers.append(Trigger("model.saw", f"{described} ({weight:+.2f})", where))
    return Evidence(
        rule="model",
        name="Trained model",
        attack=["T1566"],
        severity="info",
        weight=round(100.0 * scale_odds(probability, factor), 2),
        description="Calibrated probability from the linear model over the message's features and rule "
        "hits (docs/model.md); what it saw with a positive weight pushed towards phishing.",
        triggers=triggers,
        kind="model",
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


CONVICTING = CONVICTING_KINDS | {"intel"}


def convicts(evidence: list[Evidence]) -> bool:
    return any(e.kind in CONVICTING and e.weight > 0 for e in evidence)


def assemble(
    evidence: list[Evidence], thresholds: VerdictThresholds, model_probability: float | None = None
) -> Verdict:
    """Score, label and points from lines of evidence (rules, model, intelligence, exceptions).

    Positive lines are added rules first (strongest first) and the model last, each worth
    what it adds to the noisy-or of those before it; signs of legitimacy then scale the total.
    Every line's points are the difference of rounded running totals, so the points shown add
    up to the score exactly.
    """
    # Rules and intelligence first (strongest first), then the model, then signs of legitimacy:
    # the points say what the rules found and what the model added to it.
    ordered = sorted(evidence, key=lambda e: (e.weight <= 0, e.kind == "model", -abs(e.weight), e.rule))
    remaining = 1.0
    rules_remaining = 1.0
    rules_scale = 1.0
    total = 0.0
    for line in ordered:
        if line.weight > 0:
            remaining *= 1.0 - line.weight / 100.0
            running = round(100.0 * (1.0 - remaining), 2)
            if line.kind != "model":
                rules_remaining *= 1.0 - line.weight / 100.0
        elif line.weight < 0:
            running = round(total * (1.0 + line.weight / 100.0), 2)
            rules_scale *= 1.0 + line.weight / 100.0
        else:
            running = total
        line.points = round(running - total, 2)
        total = running
    deceptive = convicts(ordered)
    label = label_for(total, thresholds)
    if label == "phishing" and not deceptive:
        label = "suspicious"
    elif label == "clean" and any(line.rule == FAILURE_RULE for line in ordered):
        label = "suspicious"  # fail closed, whatever signs of legitimacy took off
    return Verdict(
        score=total,
        label=label,
        rules_score=round(100.0 * (1.0 - rules_remaining) * rules_scale, 2),
        evidence=ordered,
        model_probability=None if model_probability is None else round(model_probability, 4),
        deceptive=deceptive,
    )


def decide(
    matches: list[RuleMatch],
    thresholds: VerdictThresholds,
    probability: float | None = None,
    contributions: list[tuple[str, float]] | None = None,
    adjustments: list[Evidence] | None = None,
) -> Verdict:
    """``adjustments``: evidence that is not a rule (scoped allows); its weights combine like rules'."""
    evidence = evidence_of(matches) + list(adjustments or [])
    if probability is not None:
        line = model_evidence(probability, contributions or [], model_factor(matches))
        if not convicts(evidence) and line.weight > thresholds.model_without_deception:
            line.note = (
                (f"{line.note}; " if line.note else "")
                + f"{line.weight:g} capped at {thresholds.model_without_deception:g}: "
                "nothing in the message deceives"
            )
            line.weight = thresholds.model_without_deception
        evidence.append(line)
    return assemble(evidence, thresholds, probability)


FAILURE_RULE = "analysis-error"


def failure_evidence(error: str, thresholds: VerdictThresholds) -> Evidence:
    """A line that keeps a message Seawall could not fully read at least suspicious: an
    attacker who can make the filter fail must not walk past it (fail closed)."""
    return Evidence(
        rule=FAILURE_RULE,
        name="Seawall could not read all of the message",
        attack=["T1027"],
        severity="medium",
        weight=thresholds.suspicious,
        description="Reading or analysing the message failed inside Seawall; what could be read was "
        "judged, and the message is held at least suspicious.",
        triggers=[Trigger("defect", error[:300], "message")],
        kind="anomaly",
    )
