"""When an operation happened, from the words of the sentence and the publication date.

Hand-written because the dates must keep their precision (an article known only to be from
June 2019 cannot place "on Saturday" on a day) and must be anchored to the publication date,
never to the day the article was read; general date parsers guess a day and anchor to today.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import msgspec

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}

_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_EXPLICIT_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})\b")
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s+((?:19|20)\d{{2}})\b")
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(?:of\s+)?((?:19|20)\d{{2}})\b")
_MONTH_ONLY = re.compile(
    rf"\b(?:earlier in|later in|in|since|during|last|this|early|late|mid-?)\s+{_MONTH}\b", re.IGNORECASE
)
_DAY_OF_MONTH = re.compile(rf"\b(?:on\s+)?{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s+(?:19|20)\d{{2}})")
_YEAR = re.compile(
    r"\b(?:in|since|during|by|of|early|late|mid-?)\s+((?:19|20)\d{2})\b|^((?:19|20)\d{2}),?\s", re.IGNORECASE
)
_WEEKDAY = re.compile(
    r"\b(?:on\s+|last\s+|this\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_RELATIVE = {
    "yesterday": (1, 1),
    "today": (0, 0),
    "last week": (13, 7),
    "earlier this week": (6, 0),
    "this week": (6, 0),
    "in recent weeks": (28, 0),
    "recent weeks": (28, 0),
    "in recent days": (7, 0),
    "last month": (62, 28),
    "earlier this month": (30, 0),
    "this month": (30, 0),
    "last year": (730, 365),
    "earlier this year": (365, 0),
}


class EventDate(msgspec.Struct, frozen=True, omit_defaults=True):
    start: str
    end: str
    precision: str
    """``day``, ``week``, ``month`` or ``year``."""
    text: str = ""
    """The words it came from; empty when it is the publication date."""


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _from_published(anchor: date, precision: str) -> EventDate:
    if precision == "day":
        return EventDate(anchor.isoformat(), anchor.isoformat(), "day")
    if precision == "month":
        start, end = _month_range(anchor.year, anchor.month)
        return EventDate(start.isoformat(), end.isoformat(), "month")
    return EventDate(f"{anchor.year}-01-01", f"{anchor.year}-12-31", "year")


def resolve(sentence: str, anchor: date | None, precision: str) -> EventDate | None:
    """The date the sentence gives, resolved against the publication date; None when the
    sentence gives none (the caller falls back to the publication date)."""
    match = _EXPLICIT_DAY.search(sentence)
    if match:
        day = date(int(match.group(3)), MONTHS[match.group(1).lower()], int(match.group(2)))
        return EventDate(day.isoformat(), day.isoformat(), "day", match.group(0))
    match = _DAY_MONTH_YEAR.search(sentence)
    if match:
        day = date(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
        return EventDate(day.isoformat(), day.isoformat(), "day", match.group(0))
    match = _MONTH_YEAR.search(sentence)
    if match:
        start, end = _month_range(int(match.group(2)), MONTHS[match.group(1).lower()])
        return EventDate(start.isoformat(), end.isoformat(), "month", match.group(0))
    match = _YEAR.search(sentence)
    if match:
        year = int(match.group(1) or match.group(2))
        return EventDate(f"{year}-01-01", f"{year}-12-31", "year", match.group(0).strip(" ,"))
    if anchor is None:
        return None
    lowered = sentence.lower()
    match = _DAY_OF_MONTH.search(sentence)
    if match and precision in ("day", "month"):
        month = MONTHS[match.group(1).lower()]
        year = anchor.year if month <= anchor.month else anchor.year - 1
        try:
            found = date(year, month, int(match.group(2)))
        except ValueError:
            found = None
        if found is not None:
            return EventDate(found.isoformat(), found.isoformat(), "day", match.group(0).strip())
    match = _MONTH_ONLY.search(sentence)
    if match:
        month = MONTHS[match.group(1).lower()]
        year = anchor.year if month <= anchor.month else anchor.year - 1
        start, end = _month_range(year, month)
        return EventDate(start.isoformat(), end.isoformat(), "month", match.group(0))
    match = _WEEKDAY.search(sentence)
    if match:
        if precision != "day":
            return EventDate(*_month_pair(anchor), "month", match.group(0))
        back = (anchor.weekday() - WEEKDAYS[match.group(1).lower()]) % 7
        day = anchor - timedelta(days=back)
        return EventDate(day.isoformat(), day.isoformat(), "day", match.group(0))
    for phrase, (far, near) in _RELATIVE.items():
        if phrase in lowered:
            if precision != "day":
                return EventDate(*_month_pair(anchor), "month", phrase)
            start, end = anchor - timedelta(days=far), anchor - timedelta(days=near)
            return EventDate(start.isoformat(), end.isoformat(), "week" if far <= 31 else "month", phrase)
    return None


def _month_pair(anchor: date) -> tuple[str, str]:
    start, end = _month_range(anchor.year, anchor.month)
    return start.isoformat(), end.isoformat()


def publication_date(anchor: date | None, precision: str) -> EventDate | None:
    return _from_published(anchor, precision) if anchor is not None else None


def overlaps(a: EventDate | None, b: EventDate | None) -> bool:
    """Whether two dates can be the same operation (unknown dates are compatible)."""
    if a is None or b is None:
        return True
    return a.start <= b.end and b.start <= a.end
