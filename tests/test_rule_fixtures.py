"""Every rule against its own fixtures: the messages it must match and must not match."""

from __future__ import annotations

import pytest

from seawall.detect.detector import Detector
from seawall.detect.engine import load_rules
from seawall.detect.fixtures import analyse_file
from tests.conftest import RULE_FIXTURES, fixture_path

RULES = load_rules()


@pytest.fixture(scope="module")
def detector(fixture_profile):  # type: ignore[no-untyped-def]
    return Detector(fixture_profile, RULES)


@pytest.fixture(scope="module")
def analysed(detector):  # type: ignore[no-untyped-def]
    cache = {}

    def get(name: str):  # type: ignore[no-untyped-def]
        if name not in cache:
            cache[name] = analyse_file(fixture_path(name), detector)
        return cache[name]

    return get


def test_at_least_forty_rules_ship_with_attack_ids_and_fixtures() -> None:
    assert len(RULES.rules) >= 40
    for rule in RULES.rules:
        assert rule.attack and all(t.startswith("T") for t in rule.attack), rule.id
        assert rule.fixtures_match, f"{rule.id} has no positive fixture"
        assert rule.fixtures_no_match, f"{rule.id} has no negative fixture"
        assert len(rule.description) > 40, f"{rule.id} needs a description that says why"


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_matches_its_positive_fixtures(rule, analysed) -> None:  # type: ignore[no-untyped-def]
    for name in rule.fixtures_match:
        matched = {m.rule.id: m for m in analysed(name).matches}
        assert rule.id in matched, f"{rule.id} should match {name}; matched {sorted(matched)}"
        match = matched[rule.id]
        if rule.weight != 0 and not rule.depends_on:
            assert match.hits, f"{rule.id} matched {name} without evidence"


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_does_not_match_its_negative_fixtures(rule, analysed) -> None:  # type: ignore[no-untyped-def]
    for name in rule.fixtures_no_match:
        matched = {m.rule.id for m in analysed(name).matches}
        assert rule.id not in matched, f"{rule.id} should not match {name}"


def test_every_fixture_file_is_used_by_some_rule() -> None:
    used = {n for r in RULES.rules for n in (*r.fixtures_match, *r.fixtures_no_match)}
    present = {p.name for p in RULE_FIXTURES.glob("*.eml")}
    assert present - used == set()


@pytest.mark.parametrize("name", sorted(p.name for p in RULE_FIXTURES.glob("ham-*.eml")))
def test_legitimate_fixtures_are_clean(name, analysed) -> None:  # type: ignore[no-untyped-def]
    verdict = analysed(name).verdict
    assert verdict.label == "clean", [(e.rule, e.weight) for e in verdict.evidence]


@pytest.mark.parametrize(
    "name",
    [
        "phish-m365-unusual-signin.eml",
        "phish-ceo-wire-lookalike.eml",
        "phish-encrypted-zip-password.eml",
        "phish-macro-invoice-docm.eml",
        "phish-html-smuggling-iso.eml",
        "phish-own-domain-spoof.eml",
        "phish-dhl-customs-fee-de.eml",
        "phish-correios-taxa-pt.eml",
    ],
)
def test_classic_phish_fixtures_are_labelled_phishing(name, analysed) -> None:  # type: ignore[no-untyped-def]
    assert analysed(name).verdict.label == "phishing"
