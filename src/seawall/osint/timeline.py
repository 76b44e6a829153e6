"""Operations between two states over time, as rows and as a plot (matplotlib, no display)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from seawall.osint.events_model import Event
from seawall.osint.gazetteer import country_code


@dataclass(frozen=True, slots=True)
class Row:
    start: str
    end: str
    precision: str
    attacker: str
    victim: str
    event: Event


def between(events: list[Event], first: str, second: str) -> list[Row]:
    """Events with one state attacking the other, in either direction, oldest first."""
    a, b = country_code(first), country_code(second)
    rows = []
    for event in events:
        attackers, victims = set(event.attacker_countries), set(event.victim_countries)
        for attacker, victim in ((a, b), (b, a)):
            if attacker in attackers and victim in victims and event.date is not None:
                rows.append(
                    Row(event.date.start, event.date.end, event.date.precision, attacker, victim, event)
                )
    return sorted(rows, key=lambda r: (r.start, r.attacker))


PERIODS = ("year", "quarter", "month")
_FINENESS = {"year": 0, "quarter": 1, "month": 2, "day": 3}


def period_of(row: Row, by: str) -> str:
    """The period an operation starts in (2019, 2019-Q2, 2019-06), never finer than the text
    knows it: an operation known only to its year stays in the year when counting by month."""
    year, month = row.start[:4], int(row.start[5:7])
    known = min(_FINENESS[by], _FINENESS.get(row.precision, 3))
    if known == 0:
        return year
    if known == 1 or by == "quarter":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return row.start[:7]


@dataclass(slots=True)
class Period:
    """How many operations each direction started in one period, and of which types."""

    name: str
    count: Counter[tuple[str, str]] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)


def tally(rows: list[Row], by: str) -> list[Period]:
    """Operations per period and direction, oldest period first: is it escalating?"""
    periods: dict[str, Period] = {}
    for row in rows:
        name = period_of(row, by)
        period = periods.setdefault(name, Period(name))
        period.count[(row.attacker, row.victim)] += 1
        period.types.update(row.event.types or ["cyber operation"])
    return [periods[name] for name in sorted(periods)]


def trend(periods: list[Period], attacker: str, victim: str) -> str:
    """One line: the direction's last two periods with operations, compared."""
    active = [p for p in periods if p.count[(attacker, victim)]]
    if not active:
        return f"{attacker} → {victim}: no operations reported"
    last = active[-1]
    if len(active) == 1:
        return f"{attacker} → {victim}: {last.count[(attacker, victim)]} in {last.name}, none reported before"
    before = active[-2]
    now, then = last.count[(attacker, victim)], before.count[(attacker, victim)]
    word = "more than" if now > then else "fewer than" if now < then else "as many as"
    return f"{attacker} → {victim}: {now} in {last.name}, {word} the {then} in {before.name}"


def plot(rows: list[Row], first: str, second: str, path: Path) -> None:
    """A two-lane timeline (one lane per direction), one marker per operation, labelled."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never a window
    import matplotlib.pyplot as plt

    a, b = country_code(first), country_code(second)
    lanes = {(a, b): 1, (b, a): 0}
    figure, axis = plt.subplots(figsize=(11, 3.6))
    for row in rows:
        lane = lanes[(row.attacker, row.victim)]
        start, end = date.fromisoformat(row.start), date.fromisoformat(row.end)
        middle: Any = start + (end - start) / 2
        span: Any = [start, end]
        axis.plot(span, [lane, lane], linewidth=6, alpha=0.35, color="C0" if lane else "C3")
        axis.plot([middle], [lane], "o", color="C0" if lane else "C3")
        label = ", ".join(row.event.types) or "cyber operation"
        if row.event.malware:
            label = f"{'/'.join(row.event.malware)}: {label}"
        axis.annotate(
            label, (middle, lane), textcoords="offset points", xytext=(0, 9), ha="center", fontsize=8
        )
    axis.set_yticks([0, 1], [f"{b} → {a}", f"{a} → {b}"])
    axis.set_ylim(-0.6, 1.7)
    axis.set_title(f"Cyber operations between {first} and {second} (from open-source reporting)")
    axis.grid(axis="x", alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


@dataclass(slots=True)
class ActorProfile:
    """What the reporting says one attacker (a state or a group) did: how much, when, how, to whom."""

    actor: str
    kind: str  # state, aligned (pro-state operators) or group
    """``state`` or ``group``."""
    operations: int = 0
    first: str = ""
    last: str = ""
    types: Counter[str] = field(default_factory=Counter)
    victims: Counter[str] = field(default_factory=Counter)


def actor_profiles(events: list[Event]) -> list[ActorProfile]:
    """One profile per attacking state and per group, the most active first."""
    profiles: dict[tuple[str, str], ActorProfile] = {}
    for event in events:
        actors = [
            ("aligned" if code in event.aligned_countries else "state", code)
            for code in event.attacker_countries
        ]
        actors += [("group", name) for name in event.attacker_groups]
        for kind, actor in actors:
            profile = profiles.setdefault((kind, actor), ActorProfile(actor, kind))
            profile.operations += 1
            if event.date is not None:
                profile.first = min(profile.first or event.date.start, event.date.start)
                profile.last = max(profile.last, event.date.end)
            profile.types.update(event.types or ["cyber operation"])
            placed = event.victim_countries or event.victim_regions
            profile.victims.update(placed or event.victim_sectors or ["?"])
    by_name = sorted(profiles.values(), key=lambda p: p.actor)
    return sorted(by_name, key=lambda p: (p.operations, p.last), reverse=True)  # stable: ties by name
