"""De-duplication: the same operation told twice, in one article or in several, is one event.

Two reports are one operation only when nothing they say conflicts and something they name
agrees: within an article, a shared attacker, victim or malware and compatible types and dates;
across articles, the same attacker, a shared victim country, compatible types and overlapping
dates of like length. A shared malware or tool name alone never merges events of different
attackers, victims or dates: thirteen Pegasus operations are thirteen events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from seawall.osint.dates import EventDate, overlaps
from seawall.osint.events_model import GENERIC, LEVELS, UNSPECIFIC, Event

_PRECISION = {"day": 0, "week": 1, "month": 2, "year": 3}


def merge_into(target: Event, other: Event) -> None:
    """Fold ``other`` into ``target``: every source and sentence kept, the finer date kept."""

    def union(a: list[Any], b: list[Any]) -> list[Any]:
        return list(dict.fromkeys([*a, *b]))

    target.attacker_countries = sorted(set(target.attacker_countries) | set(other.attacker_countries))
    target.aligned_countries = sorted(
        (set(target.aligned_countries) | set(other.aligned_countries))
        - (set(target.attacker_countries) - set(target.aligned_countries) - set(other.aligned_countries))
    )
    target.attacker_groups = sorted(set(target.attacker_groups) | set(other.attacker_groups))
    target.attacker_text = union(target.attacker_text, other.attacker_text)
    target.malware = sorted(set(target.malware) | set(other.malware))
    target.victim_countries = sorted(set(target.victim_countries) | set(other.victim_countries))
    target.victim_regions = sorted(set(target.victim_regions) | set(other.victim_regions))
    target.victim_sectors = sorted(set(target.victim_sectors) | set(other.victim_sectors))
    target.victim_text = union(target.victim_text, other.victim_text)
    types = union(target.types, other.types)
    target.types = [t for t in types if t != GENERIC or len(types) == 1]
    target.techniques = sorted(set(target.techniques) | set(other.techniques))
    if target.date is None or (other.date is not None and _finer(other.date, target.date)):
        target.date = other.date
    target.sources = union(target.sources, other.sources)
    if LEVELS.index(other.attribution) < LEVELS.index(target.attribution):
        target.attribution = other.attribution
    target.evidence = union(target.evidence, other.evidence)


def _finer(a: EventDate, b: EventDate) -> bool:
    return bool(a.text) and (not b.text or _PRECISION[a.precision] < _PRECISION[b.precision])


def _attackers(event: Event) -> set[str]:
    return set(event.attacker_countries) | set(event.attacker_groups)


def _own_date(event: Event) -> EventDate | None:
    return event.date if event.date is not None and event.date.text else None


def _dated_apart(
    a: Event, b: Event, when_a: EventDate | None = None, when_b: EventDate | None = None
) -> bool:
    """The two events' times do not meet: each one's own date (from its sentence), or for a
    sentence that gives none, the time the story was telling of when it came (``when_*``)."""
    date_a, date_b = _own_date(a) or when_a, _own_date(b) or when_b
    return bool(date_a and date_b and not overlaps(date_a, date_b))


def _types_compatible(a: Event, b: Event) -> bool:
    types_a, types_b = set(a.types) - UNSPECIFIC, set(b.types) - UNSPECIFIC
    return not (types_a and types_b) or bool(types_a & types_b)


def _attribution_only(event: Event) -> bool:
    """A sentence that names who did it and nothing it did to anyone ("The virus is widely
    believed to be a US/Israeli cyberweapon"): its wording says little of the operation's type."""
    return bool(_attackers(event)) and not event.victim_countries and not event.victim_text


def _opposed(a: Event, b: Event) -> bool:
    """One report's attacker is the other's victim, and not its own: two operations, one each
    way. (Two reports that both read the attacker's state among the victims tell the same
    sides; the store, merging across articles, would join them anyway.)"""
    attackers_a, attackers_b = set(a.attacker_countries), set(b.attacker_countries)
    victims_a, victims_b = set(a.victim_countries), set(b.victim_countries)
    return bool(attackers_a & (victims_b - victims_a - attackers_b)) or bool(
        attackers_b & (victims_a - victims_b - attackers_a)
    )


def same_operation(
    a: Event, b: Event, when_a: EventDate | None = None, when_b: EventDate | None = None
) -> bool:
    """Within one article: no conflict (attackers, victims, types, dates, one's attacker the
    other's victim) and the same participants: the same named attackers with compatible
    victims; or, when only one names its attacker, the other names no attacker at all and
    victim countries among the named one's (or none: an attribution told apart, "The attack
    was blamed on Iran"); or, when neither names one, the same victims. ``when_*``: the time
    the story was telling of at each report (``narrative_times``), for a report that gives no
    date of its own."""
    if _dated_apart(a, b, when_a, when_b) or _opposed(a, b):
        return False
    if not _types_compatible(a, b) and not (_attribution_only(a) or _attribution_only(b)):
        return False
    attackers_a, attackers_b = _attackers(a), _attackers(b)
    victims_a, victims_b = set(a.victim_countries), set(b.victim_countries)
    compatible_victims = not victims_a or not victims_b or bool(victims_a & victims_b)
    if attackers_a and attackers_b:
        return attackers_a == attackers_b and compatible_victims
    if attackers_a or attackers_b:
        named, unnamed = (a, b) if attackers_a else (b, a)
        if unnamed.attacker_text:
            return False  # "hackers" and "APT33" in one article may be two operations
        if not named.victim_countries or not unnamed.victim_countries:
            return True  # an attribution told apart, or more of the operation's victims
        return set(unnamed.victim_countries) <= set(named.victim_countries)
    if victims_a or victims_b:
        return victims_a == victims_b
    return bool(set(a.victim_text) & set(b.victim_text))


def narrative_times(events: Sequence[Event]) -> list[EventDate | None]:
    """When each report of an article happens as the story tells it: its own date, or else the
    last date the story gave before it. A story moves in time ("In 2010, Iran was hit by
    Stuxnet") and stays there until it dates something else; a sentence without a date tells of
    the time the story is in, so an undated operation of this week is not the one of 2010
    that a later sentence dates."""
    times: list[EventDate | None] = []
    current: EventDate | None = None
    for event in events:
        current = _own_date(event) or current
        times.append(current)
    return times


def merge_within(events: list[Event]) -> list[Event]:
    """One article's events, each merged into the latest earlier one it describes again."""
    kept: list[tuple[Event, EventDate | None]] = []
    for event, when in zip(events, narrative_times(events), strict=True):
        stored = next((e for e, at in reversed(kept) if same_operation(e, event, at, when)), None)
        if stored is None:
            kept.append((event, when))
        else:
            merge_into(stored, event)
    return [event for event, _ in kept]


def _days(span: EventDate) -> int:
    return (date.fromisoformat(span.end) - date.fromisoformat(span.start)).days + 1


def _comparable_spans(a: EventDate | None, b: EventDate | None) -> bool:
    """A years-long activity ("has targeted US agencies since 2014") is not the one wave another
    outlet dates to a month: reported twice means spans of a like length."""
    if a is None or b is None or not (a.text and b.text):
        return True
    longer, shorter = max(_days(a), _days(b)), min(_days(a), _days(b))
    return not (longer > 400 and shorter <= 31)


def same_operation_across(a: Event, b: Event) -> bool:
    """Across articles: the same named attacker, a shared victim country, compatible types, and
    overlapping dates of like length. Malware and tools are not attackers: a shared one does not
    make two operations one."""
    attackers_a, attackers_b = _attackers(a), _attackers(b)
    if not attackers_a or attackers_a != attackers_b:
        return False
    if not set(a.victim_countries) & set(b.victim_countries):
        return False
    if not _types_compatible(a, b):
        return False
    return overlaps(a.date, b.date) and _comparable_spans(a.date, b.date)


def merge_reports(existing: Event, new: Event) -> bool:
    """Merge ``new`` into ``existing`` when they are the same operation (keeps every source)."""
    if (existing.id and existing.id == new.id) or same_operation_across(existing, new):
        merge_into(existing, new)
        return True
    return False
