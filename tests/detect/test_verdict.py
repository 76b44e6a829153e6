"""The verdict: points that add up to the score, and wording that never convicts on its own."""

from __future__ import annotations

import pytest

from seawall.config import VerdictThresholds
from seawall.detect.engine import RuleMatch, load_rules
from seawall.detect.verdict import decide

RULES = load_rules([]).by_id()
THRESHOLDS = VerdictThresholds()


def matched(*rule_ids: str) -> list[RuleMatch]:
    return [RuleMatch(RULES[rule_id], [], RULES[rule_id].weight) for rule_id in rule_ids]


def test_listed_points_add_up_to_the_score() -> None:
    verdict = decide(
        matched("link-text-domain-mismatch", "urgency-language", "aligned-sender-authentication"),
        THRESHOLDS,
        probability=0.7,
    )
    assert sum(e.points for e in verdict.evidence) == pytest.approx(verdict.score, abs=0.005)
    # Strongest first; the sign of legitimacy takes its share off at the end.
    assert [e.rule for e in verdict.evidence][-1] == "aligned-sender-authentication"
    assert verdict.evidence[-1].points < 0


def test_wording_and_the_model_alone_never_make_phishing() -> None:
    # Credential request, urgency and an account threat: what legitimate security notices say too.
    wording = matched("credential-request-language", "urgency-language", "account-threat-language")
    verdict = decide(wording, THRESHOLDS, probability=0.999)
    assert not verdict.deceptive
    assert verdict.label == "suspicious"
    model = next(e for e in verdict.evidence if e.rule == "model")
    assert model.weight == THRESHOLDS.model_without_deception and "capped" in model.note


def test_a_model_hunch_on_plain_mail_stays_clean() -> None:
    verdict = decide([], THRESHOLDS, probability=0.95)
    assert verdict.label == "clean"
    assert verdict.score == THRESHOLDS.model_without_deception


def test_deception_lets_the_model_raise_the_verdict() -> None:
    verdict = decide(matched("link-text-domain-mismatch"), THRESHOLDS, probability=0.9)
    assert verdict.deceptive and verdict.label == "phishing"
    assert verdict.score == pytest.approx(100 * (1 - 0.6 * 0.1), abs=0.01)


@pytest.mark.parametrize("kind", ["deception", "payload"])
def test_every_convicting_rule_says_so(kind: str) -> None:
    assert any(rule.kind == kind for rule in RULES.values())


def test_content_rules_cannot_convict_whatever_their_weight() -> None:
    extortion = matched("extortion-scam", "gift-card-request", "prize-lure-with-link")
    assert all(m.rule.kind == "content" for m in extortion)
    assert decide(extortion, THRESHOLDS).label == "suspicious"
