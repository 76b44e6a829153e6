"""The rule language: every node type, evidence, rules built on rules, and loud errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.detect.engine import RuleError, load_rules, parse_rule
from seawall.detect.features import Hit
from seawall.detect.verdict import rules_score


def rule(condition: object, rule_id: str = "test-rule", **extra: object) -> dict[str, object]:
    return {
        "rule": {
            "id": rule_id,
            "name": "Test",
            "description": "A test rule for the engine.",
            "attack": "T1566",
            "severity": "medium",
            "condition": condition,
            **extra,
        }
    }


FEATURES = {
    "attachment.extension": [
        Hit("attachment.extension", "exe", "attachment:a.exe"),
        Hit("attachment.extension", "pdf", "attachment:b.pdf"),
    ],
    "link.domain": [Hit("link.domain", d, f"link[{i}]") for i, d in enumerate(["a.com", "b.com", "c.com"])],
    "link.count": [Hit("link.count", 3, "body")],
    "subject.text": [Hit("subject.text", "URGENT: verify now", "subject")],
    "from.freemail": [Hit("from.freemail", "gmail.com", "header:From")],
}


def evaluate(condition: object) -> list[Hit] | None:
    return parse_rule(rule(condition), "inline").evaluate(FEATURES, {})


def test_feature_presence_and_filters_return_the_matching_hits() -> None:
    assert evaluate({"feature": "from.freemail"}) == FEATURES["from.freemail"]
    assert evaluate({"feature": "html.smuggling"}) is None
    hits = evaluate({"feature": "attachment.extension", "in": ["exe", "scr"]})
    assert hits == [FEATURES["attachment.extension"][0]]
    assert evaluate({"feature": "subject.text", "regex": r"\burgent\b"}) is not None
    assert evaluate({"feature": "subject.text", "contains": "invoice"}) is None
    assert evaluate({"feature": "link.count", "gte": 3}) is not None
    assert evaluate({"feature": "link.count", "gt": 3}) is None
    assert evaluate({"feature": "attachment.extension", "where": "b\\.pdf$"}) == [
        FEATURES["attachment.extension"][1]
    ]


def test_boolean_nodes_and_counts() -> None:
    assert evaluate({"all": [{"feature": "from.freemail"}, {"feature": "link.count", "gte": 1}]}) is not None
    assert evaluate({"all": [{"feature": "from.freemail"}, {"feature": "html.smuggling"}]}) is None
    assert evaluate({"any": [{"feature": "html.smuggling"}, {"feature": "from.freemail"}]}) is not None
    assert evaluate({"not": {"feature": "html.smuggling"}}) == []
    assert evaluate({"not": {"feature": "from.freemail"}}) is None
    assert evaluate({"count": {"feature": "link.domain"}, "gte": 3}) is not None
    assert evaluate({"count": {"feature": "link.domain", "in": ["a.com"]}, "gte": 2}) is None
    assert (
        evaluate(
            {
                "at_least": 2,
                "of": [
                    {"feature": "from.freemail"},
                    {"feature": "html.smuggling"},
                    {"feature": "link.count", "gte": 1},
                ],
            }
        )
        is not None
    )
    assert (
        evaluate(
            {
                "at_least": 3,
                "of": [
                    {"feature": "from.freemail"},
                    {"feature": "html.smuggling"},
                    {"feature": "link.count", "gte": 1},
                ],
            }
        )
        is None
    )


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"feature": "no.such.feature"}, "unknown feature"),
        ({"feature": "link.count", "bogus": 1}, "unknown keys"),
        ({"feature": "subject.text", "regex": "("}, "invalid regex"),
        ({"all": []}, "non-empty list"),
        ({"count": {"feature": "link.domain"}}, "gte/gt/lte/lt/equals"),
        ({"frobnicate": 1}, "unknown condition"),
    ],
)
def test_invalid_conditions_are_rejected_with_the_reason(bad: object, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        parse_rule(rule(bad), "inline")


def test_rule_metadata_is_validated() -> None:
    with pytest.raises(RuleError, match="ATT&CK"):
        parse_rule(rule({"feature": "from.freemail"}, attack="phishing"), "inline")
    with pytest.raises(RuleError, match="severity"):
        parse_rule(rule({"feature": "from.freemail"}, severity="apocalyptic"), "inline")
    with pytest.raises(RuleError, match="lower-case"):
        parse_rule(rule({"feature": "from.freemail"}, rule_id="Bad Id"), "inline")


def _write(directory: Path, name: str, condition: object) -> None:
    import yaml

    (directory / f"{name}.yml").write_text(yaml.safe_dump(rule(condition, rule_id=name)))


def test_rules_build_on_rules_in_dependency_order(tmp_path: Path) -> None:
    _write(tmp_path, "zz-base", {"feature": "from.freemail"})
    _write(tmp_path, "aa-combined", {"all": [{"rule": "zz-base"}, {"feature": "link.count", "gte": 1}]})
    ruleset = load_rules([tmp_path], include_shipped=False)
    assert [r.id for r in ruleset.rules] == ["zz-base", "aa-combined"]
    matches = {m.rule.id: m for m in ruleset.evaluate(FEATURES)}
    assert set(matches) == {"zz-base", "aa-combined"}
    # The combined rule's evidence carries the base rule's hits.
    assert FEATURES["from.freemail"][0] in matches["aa-combined"].hits


def test_cycles_unknown_references_and_duplicates_are_errors(tmp_path: Path) -> None:
    _write(tmp_path, "rule-a", {"rule": "rule-b"})
    _write(tmp_path, "rule-b", {"rule": "rule-a"})
    with pytest.raises(RuleError, match="cycle"):
        load_rules([tmp_path], include_shipped=False)
    other = tmp_path / "other"
    other.mkdir()
    _write(other, "rule-c", {"rule": "missing-rule"})
    with pytest.raises(RuleError, match="unknown rule"):
        load_rules([other], include_shipped=False)
    with pytest.raises(RuleError, match="duplicate"):
        load_rules([other, other], include_shipped=False)


def test_disabling_a_rule_others_depend_on_is_an_error() -> None:
    with pytest.raises(RuleError, match="disabled"):
        load_rules(disabled=["suspicious-link"])
    assert "link-ip-literal" not in {
        r.id
        for r in load_rules(
            disabled=[
                "link-ip-literal",
                "suspicious-link",
                "credential-lure-with-suspicious-link",
                "document-lure-suspicious-link",
                "delivery-fee-lure",
                "prize-lure-with-link",
            ]
        ).rules
    }


def test_scores_combine_like_independent_evidence() -> None:
    assert rules_score([]) == 0
    assert rules_score([40]) == 40
    assert rules_score([40, 40]) == 64
    assert rules_score([70, 40, -35]) == pytest.approx(100 * (1 - 0.3 * 0.6) * 0.65, abs=0.01)
    assert 99 < rules_score([99, 99, 99]) <= 100


def test_only_government_registries_count_as_government_senders() -> None:
    from seawall.detect.features import data_lines
    from seawall.detect.features.context import _restricted_registry

    registries = data_lines("restricted_registries.txt")
    assert _restricted_registry("mail.house.gov", registries) == "gov"
    assert _restricted_registry("cabinetoffice.gov.uk", registries) == "gov.uk"
    assert _restricted_registry("army.mil", registries) == "mil"
    assert _restricted_registry("gov-portal.com", registries) == ""
    assert _restricted_registry("irs.gov.refund-center.top", registries) == ""
    assert _restricted_registry("gov", registries) == ""
