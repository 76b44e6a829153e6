"""Run every rule against its own fixtures: messages it must match and must not match.

Used by the test-suite and by ``seawall rules test``, so a rule writer checks a new rule the
same way CI does. Fixtures are .eml files in the rule directory's ``fixtures/`` folder; a
``profile.toml`` there is the organisation configuration they are written for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seawall.config import Settings, load_settings
from seawall.detect.detector import Analysis, Detector
from seawall.detect.engine import RuleSet
from seawall.intake.source import Origin, RawMessage
from seawall.mail.parse import parse_message


@dataclass(frozen=True)
class FixtureFailure:
    rule: str
    fixture: str
    expected: str  # "match" or "no match"
    detail: str


def fixture_settings(fixtures_dir: Path) -> Settings:
    profile = fixtures_dir / "profile.toml"
    return load_settings(profile) if profile.is_file() else Settings()


def analyse_file(path: Path, detector: Detector) -> Analysis:
    raw = RawMessage.from_bytes(path.read_bytes(), Origin(str(path)))
    return detector.analyse(parse_message(raw, detector.settings.limits))


def run_fixtures(
    rules: RuleSet, fixtures_dir: Path, settings: Settings | None = None
) -> list[FixtureFailure]:
    """Every fixture expectation that does not hold (an empty list means all pass)."""
    settings = settings or fixture_settings(fixtures_dir)
    detector = Detector(settings, rules)
    cache: dict[str, Analysis] = {}
    failures: list[FixtureFailure] = []
    for rule in rules.rules:
        if not rule.fixtures_match:
            failures.append(FixtureFailure(rule.id, "-", "match", "the rule has no positive fixture"))
        for expected, names in (("match", rule.fixtures_match), ("no match", rule.fixtures_no_match)):
            for name in names:
                path = fixtures_dir / name
                if not path.is_file():
                    failures.append(FixtureFailure(rule.id, name, expected, "fixture file not found"))
                    continue
                if name not in cache:
                    cache[name] = analyse_file(path, detector)
                matched = {m.rule.id for m in cache[name].matches}
                if (rule.id in matched) != (expected == "match"):
                    others = ", ".join(sorted(matched)) or "none"
                    failures.append(FixtureFailure(rule.id, name, expected, f"rules matched: {others}"))
    return failures
