"""The rule engine: loads declarative rules and evaluates them over a message's features.

Rules are data (one YAML file each, ``detect/rules/*.yml``); this module only reads, checks
and runs them. The shape follows mandiant/capa: a condition is a tree of boolean nodes over
named features; every node that succeeds returns the hits that made it succeed, so a
matching rule carries its own explanation; and a matched rule becomes a feature
(``rule: other-id``) that later rules can build on, evaluated in dependency order.

Condition syntax (YAML)::

    feature: link.shortener              # present (any hit)
    feature: attachment.extension        # ... with a filter on the hit values:
      in: [exe, scr]                     #   in / equals / regex / contains / gte / gt / lte / lt
    count: {feature: link.domain}        # number of (filtered) hits, compared with
      gte: 3                             #   gte / gt / lte / lt / equals
    all: [ ... ]    any: [ ... ]    not: { ... }
    at_least: 2
      of: [ ... ]
    rule: other-rule-id                  # another rule matched (its evidence is carried over)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from seawall.detect.features import FEATURES, Features, Hit

SEVERITY_WEIGHTS: dict[str, float] = {
    "info": 0.0,
    "low": 10.0,
    "medium": 22.0,
    "high": 40.0,
    "critical": 70.0,
}
KINDS = ("deception", "payload", "anomaly", "content", "legitimacy")
"""What a rule's match says about a message (docs/scoring.md):

* ``deception``: something in it pretends to be what it is not (sender, link, brand,
  authentication); ``payload``: it carries something dangerous to open or run;
* ``anomaly``: it is built unlike a real sender's software builds mail (malformed, missing
  what every sender writes); ``content``: what it says or links to (asks for credentials,
  urgency, a shortener), which legitimate mail says too;
* ``legitimacy``: a sign that it is what it claims (aligned authentication).

Only deception and payload can make a message phishing; the others add to its score."""
CONVICTING_KINDS = frozenset({"deception", "payload"})
ATTACK_ID = re.compile(r"^T\d{4}(?:\.\d{3})?$")
RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,80}$")

# A compiled condition: features and the results of rules evaluated so far -> the hits
# that satisfied it (possibly empty for "not"), or None when it does not hold.
Evaluator = Callable[[Features, dict[str, list[Hit]]], list[Hit] | None]


class RuleError(ValueError):
    """A rule file is invalid; the message names the file and the problem."""


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    description: str
    attack: tuple[str, ...]
    severity: str
    weight: float
    condition: dict[str, Any]
    evaluate: Evaluator
    depends_on: frozenset[str]
    fixtures_match: tuple[str, ...]
    fixtures_no_match: tuple[str, ...]
    tags: tuple[str, ...]
    path: str
    references: tuple[str, ...] = ()
    kind: str = "content"
    """What a match says (``KINDS``); only deception and payload convict."""
    model_factor: float = 1.0
    """Multiplies the model's probability when the rule matches (signs of legitimacy the
    content model cannot see, such as aligned sender authentication)."""


@dataclass
class RuleMatch:
    """One rule that matched, with the hits that made it match."""

    rule: Rule
    hits: list[Hit]
    weight: float
    note: str = ""
    """Why the weight is not the rule's own (a scoped exception); shown in the evidence."""


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)

    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def evaluate(self, features: Features, weights: dict[str, float] | None = None) -> list[RuleMatch]:
        """Evaluate every rule (dependencies first) and return the ones that matched."""
        matched: dict[str, list[Hit]] = {}
        results: list[RuleMatch] = []
        for rule in self.rules:
            hits = rule.evaluate(features, matched)
            if hits is None:
                continue
            matched[rule.id] = hits
            weight = weights.get(rule.id, rule.weight) if weights else rule.weight
            results.append(RuleMatch(rule, _unique(hits), weight))
        return results


def _unique(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[str, str, str]] = set()
    unique: list[Hit] = []
    for hit in hits:
        key = (hit.feature, str(hit.value), hit.where)
        if key not in seen:
            seen.add(key)
            unique.append(hit)
    return unique


# -- compiling conditions ------------------------------------------------------------------

_FILTER_KEYS = {"in", "equals", "regex", "contains", "gte", "gt", "lte", "lt", "startswith", "where"}
_COMPARE_KEYS = {"gte", "gt", "lte", "lt", "equals"}


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(f"{path}: expected a number, got {value!r}")
    return float(value)


def _hit_filter(spec: dict[str, Any], path: str) -> Callable[[Hit], bool] | None:
    """A predicate over one hit's value (and location) built from the filter keys."""
    tests: list[Callable[[Hit], bool]] = []
    if "in" in spec:
        options = spec["in"]
        if not isinstance(options, list) or not options:
            raise RuleError(f"{path}: 'in' takes a non-empty list")
        allowed = frozenset(str(o).lower() for o in options)
        tests.append(lambda hit: str(hit.value).lower() in allowed)
    if "equals" in spec:
        expected = spec["equals"]
        if isinstance(expected, bool):
            tests.append(lambda hit: hit.value is expected)
        elif isinstance(expected, int | float):
            number = float(expected)
            tests.append(lambda hit: isinstance(hit.value, int | float) and float(hit.value) == number)
        else:
            text = str(expected).lower()
            tests.append(lambda hit: str(hit.value).lower() == text)
    if "regex" in spec:
        try:
            pattern = re.compile(str(spec["regex"]), re.IGNORECASE)
        except re.error as exc:
            raise RuleError(f"{path}: invalid regex {spec['regex']!r}: {exc}") from exc
        tests.append(lambda hit: pattern.search(str(hit.value)) is not None)
    if "contains" in spec:
        needle = str(spec["contains"]).lower()
        tests.append(lambda hit: needle in str(hit.value).lower())
    if "startswith" in spec:
        prefix = str(spec["startswith"]).lower()
        tests.append(lambda hit: str(hit.value).lower().startswith(prefix))
    if "where" in spec:
        try:
            where = re.compile(str(spec["where"]), re.IGNORECASE)
        except re.error as exc:
            raise RuleError(f"{path}: invalid 'where' regex: {exc}") from exc
        tests.append(lambda hit: where.search(hit.where) is not None)
    for key, op in (("gte", float.__ge__), ("gt", float.__gt__), ("lte", float.__le__), ("lt", float.__lt__)):
        if key in spec:
            bound = _number(spec[key], path)

            def compare(hit: Hit, bound: float = bound, op: Callable[[float, float], bool] = op) -> bool:
                return (
                    isinstance(hit.value, int | float)
                    and not isinstance(hit.value, bool)
                    and op(float(hit.value), bound)
                )

            tests.append(compare)
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    return lambda hit: all(test(hit) for test in tests)


def compile_condition(node: Any, path: str, depends: set[str]) -> Evaluator:
    """Turn one condition node into an evaluator; reject anything unknown, loudly."""
    if not isinstance(node, dict) or not node:
        raise RuleError(f"{path}: a condition must be a mapping, got {node!r}")
    if "feature" in node:
        name = node["feature"]
        if name not in FEATURES:
            raise RuleError(f"{path}: unknown feature {name!r}")
        unknown = set(node) - {"feature"} - _FILTER_KEYS
        if unknown:
            raise RuleError(f"{path}: unknown keys {sorted(unknown)} beside 'feature'")
        predicate = _hit_filter(node, path)

        def feature(features: Features, _rules: dict[str, list[Hit]]) -> list[Hit] | None:
            hits = features.get(name)
            if not hits:
                return None
            if predicate is None:
                kept = [hit for hit in hits if hit.value is not False and hit.value != 0]
            else:
                kept = [hit for hit in hits if predicate(hit)]
            return kept or None

        return feature
    if "count" in node:
        spec = node["count"]
        if not isinstance(spec, dict) or "feature" not in spec:
            raise RuleError(f"{path}: 'count' takes {{feature: name, ...filters}}")
        inner = compile_condition(spec, f"{path}.count", depends)
        comparisons = {k: _number(v, f"{path}.{k}") for k, v in node.items() if k in _COMPARE_KEYS}
        if not comparisons or set(node) - {"count"} - _COMPARE_KEYS:
            raise RuleError(f"{path}: 'count' needs one of gte/gt/lte/lt/equals beside it")

        def count(features: Features, rules: dict[str, list[Hit]]) -> list[Hit] | None:
            hits = inner(features, rules) or []
            number = float(len(hits))
            for key, bound in comparisons.items():
                if (
                    (key == "gte" and number < bound)
                    or (key == "gt" and number <= bound)
                    or (key == "lte" and number > bound)
                    or (key == "lt" and number >= bound)
                    or (key == "equals" and number != bound)
                ):
                    return None
            return hits

        return count
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        children_spec = node[key]
        if not isinstance(children_spec, list) or not children_spec or len(node) != 1:
            raise RuleError(f"{path}: '{key}' takes a non-empty list and nothing beside it")
        children = [compile_condition(c, f"{path}.{key}[{i}]", depends) for i, c in enumerate(children_spec)]
        if key == "all":

            def all_of(features: Features, rules: dict[str, list[Hit]]) -> list[Hit] | None:
                collected: list[Hit] = []
                for child in children:
                    hits = child(features, rules)
                    if hits is None:
                        return None
                    collected.extend(hits)
                return collected

            return all_of

        def any_of(features: Features, rules: dict[str, list[Hit]]) -> list[Hit] | None:
            collected: list[Hit] | None = None
            for child in children:
                hits = child(features, rules)
                if hits is not None:
                    collected = (collected or []) + hits
            return collected

        return any_of
    if "at_least" in node:
        needed = int(_number(node["at_least"], f"{path}.at_least"))
        of = node.get("of")
        if not isinstance(of, list) or not of or set(node) != {"at_least", "of"}:
            raise RuleError(f"{path}: 'at_least: N' needs 'of: [...]' and nothing else")
        children = [compile_condition(c, f"{path}.of[{i}]", depends) for i, c in enumerate(of)]

        def at_least(features: Features, rules: dict[str, list[Hit]]) -> list[Hit] | None:
            collected: list[Hit] = []
            satisfied = 0
            for child in children:
                hits = child(features, rules)
                if hits is not None:
                    satisfied += 1
                    collected.extend(hits)
            return collected if satisfied >= needed else None

        return at_least
    if "not" in node:
        if len(node) != 1:
            raise RuleError(f"{path}: 'not' takes one condition and nothing beside it")
        child = compile_condition(node["not"], f"{path}.not", depends)

        def negation(features: Features, rules: dict[str, list[Hit]]) -> list[Hit] | None:
            return [] if child(features, rules) is None else None

        return negation
    if "rule" in node:
        if len(node) != 1:
            raise RuleError(f"{path}: 'rule' takes a rule id and nothing beside it")
        target = str(node["rule"])
        depends.add(target)

        def rule_ref(_features: Features, rules: dict[str, list[Hit]]) -> list[Hit] | None:
            return rules.get(target)

        return rule_ref
    raise RuleError(f"{path}: unknown condition keys {sorted(node)}")


# -- loading ------------------------------------------------------------------------------

_RULE_KEYS = {
    "id",
    "name",
    "description",
    "attack",
    "severity",
    "weight",
    "condition",
    "fixtures",
    "tags",
    "kind",
    "references",
    "model_factor",
}


def parse_rule(data: Any, path: str) -> Rule:
    if not isinstance(data, dict) or "rule" not in data or not isinstance(data["rule"], dict):
        raise RuleError(f"{path}: a rule file holds one mapping under the key 'rule'")
    spec = data["rule"]
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{path}: unknown keys {sorted(unknown)}")
    for key in ("id", "name", "description", "attack", "severity", "condition"):
        if key not in spec:
            raise RuleError(f"{path}: missing '{key}'")
    rule_id = str(spec["id"])
    if not RULE_ID.match(rule_id):
        raise RuleError(f"{path}: id {rule_id!r} must be lower-case letters, digits and dashes")
    attack = spec["attack"]
    attack_ids = tuple(attack) if isinstance(attack, list) else (str(attack),)
    for technique in attack_ids:
        if not ATTACK_ID.match(str(technique)):
            raise RuleError(f"{path}: {technique!r} is not an ATT&CK technique id (T1566.001)")
    severity = str(spec["severity"])
    if severity not in SEVERITY_WEIGHTS:
        raise RuleError(f"{path}: severity must be one of {sorted(SEVERITY_WEIGHTS)}")
    weight = float(spec.get("weight", SEVERITY_WEIGHTS[severity]))
    if not -100.0 < weight < 100.0:
        raise RuleError(f"{path}: weight must lie between -100 and 100 (exclusive)")
    kind = str(spec.get("kind", "legitimacy" if weight < 0 else "content"))
    if kind not in KINDS:
        raise RuleError(f"{path}: kind must be one of {', '.join(KINDS)}")
    fixtures = spec.get("fixtures") or {}
    if not isinstance(fixtures, dict) or set(fixtures) - {"match", "no_match"}:
        raise RuleError(f"{path}: fixtures take 'match' and 'no_match' lists")
    depends: set[str] = set()
    evaluate = compile_condition(spec["condition"], f"{path}: condition", depends)
    return Rule(
        id=rule_id,
        name=str(spec["name"]),
        description=" ".join(str(spec["description"]).split()),
        attack=tuple(str(t) for t in attack_ids),
        severity=severity,
        weight=weight,
        condition=spec["condition"],
        evaluate=evaluate,
        depends_on=frozenset(depends),
        fixtures_match=tuple(fixtures.get("match") or ()),
        fixtures_no_match=tuple(fixtures.get("no_match") or ()),
        tags=tuple(spec.get("tags") or ()),
        path=path,
        references=tuple(spec.get("references") or ()),
        kind=kind,
        model_factor=_model_factor(spec.get("model_factor", 1.0), path),
    )


def _model_factor(value: Any, path: str) -> float:
    factor = _number(value, f"{path}: model_factor")
    if not 0.0 <= factor <= 1.0:
        raise RuleError(f"{path}: model_factor must lie between 0 and 1")
    return factor


def _order(rules: Iterable[Rule]) -> list[Rule]:
    """Dependencies first (a rule built on rules runs after them); cycles are errors."""
    by_id: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in by_id:
            raise RuleError(f"{rule.path}: duplicate rule id {rule.id!r} (also in {by_id[rule.id].path})")
        by_id[rule.id] = rule
    ordered: list[Rule] = []
    state: dict[str, int] = {}

    def visit(rule: Rule, chain: list[str]) -> None:
        if state.get(rule.id) == 2:
            return
        if state.get(rule.id) == 1:
            raise RuleError(f"rule dependency cycle: {' -> '.join([*chain, rule.id])}")
        state[rule.id] = 1
        for dependency in sorted(rule.depends_on):
            if dependency not in by_id:
                raise RuleError(f"{rule.path}: depends on unknown rule {dependency!r}")
            visit(by_id[dependency], [*chain, rule.id])
        state[rule.id] = 2
        ordered.append(rule)

    for rule in sorted(by_id.values(), key=lambda r: r.id):
        visit(rule, [])
    return ordered


def shipped_rules_dir() -> Path:
    return Path(str(resources.files("seawall.detect").joinpath("rules")))


def load_rules(
    directories: Iterable[Path | str] = (), include_shipped: bool = True, disabled: Iterable[str] = ()
) -> RuleSet:
    """Load the shipped rules and any extra rule directories, checked and ordered."""
    paths: list[Path] = []
    if include_shipped:
        paths.extend(sorted(shipped_rules_dir().glob("*.yml")))
    for directory in directories:
        paths.extend(sorted(Path(directory).glob("*.yml")))
    rules = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RuleError(f"{path}: invalid YAML: {exc}") from exc
        rules.append(parse_rule(data, str(path)))
    off = set(disabled)
    kept = [rule for rule in rules if rule.id not in off]
    for rule in kept:
        missing = rule.depends_on & off
        if missing:
            raise RuleError(f"{rule.path}: depends on disabled rule(s) {sorted(missing)}")
    return RuleSet(_order(kept))
