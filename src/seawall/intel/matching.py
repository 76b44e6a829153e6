"""Scanned mail against imported intelligence: a match raises the verdict and names the
source and the actor the feed attributes the indicator to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from seawall.config import Settings
from seawall.detect.verdict import Evidence, Trigger, Verdict, assemble
from seawall.intel.records import FeedIndicator

RULE_ID = "intel.indicator_match"


class IntelMatcher:
    def __init__(self, hits: Iterable[FeedIndicator]) -> None:
        self.index: dict[tuple[str, str], list[FeedIndicator]] = defaultdict(list)
        for hit in hits:
            self.index[(hit.kind, hit.value)].append(hit)

    def __bool__(self) -> bool:
        return bool(self.index)

    def match(self, indicators: Iterable[tuple[str, str]]) -> list[tuple[str, str, FeedIndicator]]:
        """(kind, value seen in the mail, feed entry) for every match; a feed domain matches
        its subdomains and a feed URL matches with or without the query."""
        found: list[tuple[str, str, FeedIndicator]] = []
        for kind, value in indicators:
            candidates = [(kind, value)]
            if kind == "domain":
                labels = value.split(".")
                candidates += [("domain", ".".join(labels[i:])) for i in range(1, len(labels) - 1)]
            elif kind == "url" and "?" in value:
                candidates.append(("url", value.split("?", 1)[0]))
            for candidate in candidates:
                for hit in self.index.get(candidate, ()):
                    found.append((kind, value, hit))
        return found


def apply_matches(
    verdict: Verdict, matches: list[tuple[str, str, FeedIndicator]], settings: Settings
) -> Verdict:
    """The verdict with one evidence item per matching feed entry and the score raised."""
    if not matches:
        return verdict
    evidence = list(verdict.evidence)
    for kind, value, hit in matches[:10]:
        weight = min(95.0, settings.intel.match_weight * (0.5 + hit.confidence / 100.0))
        actor = (
            f" attributed to {hit.actor}" + (f" ({hit.actor_country})" if hit.actor_country else "")
            if hit.actor
            else ""
        )
        evidence.append(
            Evidence(
                rule=RULE_ID,
                name=f"Matches threat intelligence from {hit.source}",
                attack=[],
                severity="high",
                weight=round(weight, 1),
                description=f"The {kind} {value} is listed by {hit.source}{actor}. {hit.description}".strip(),
                triggers=[Trigger(feature=f"intel.{kind}", value=hit.value, where=f"feed:{hit.source}")],
                note=f"actor: {hit.actor}" if hit.actor else "",
                kind="intel",
            )
        )
    return assemble(evidence, settings.verdict, verdict.model_probability)
