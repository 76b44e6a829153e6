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
    r"\b(?:(?:in|since|during|by|of|early|late|mid)\s+|mid-)(?:at\s+least\s+)?((?:19|20)\d{2})\b|"
    r"^((?:19|20)\d{2}),?\s|"
    # "the 2016 hack of the World Anti-Doping Agency"
    r"\bthe\s+((?:19|20)\d{2})\s+(?=[a-z])",
    re.IGNORECASE,
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
}
"""Phrase -> (days back to the start, days back to the end) from the publication date."""
_CALENDAR_RELATIVE = (
    "earlier this month",
    "this month",
    "last month",
    "earlier this year",
    "this year",
    "last year",
)
"""Phrases that name a calendar month or year: "earlier this month" is from the 1st."""

_YEAR_RE = r"((?:19|20)\d{2})"
_YEAR_RANGE = re.compile(
    rf"\b(?:between\s+{_YEAR_RE}\s+and|from\s+{_YEAR_RE}\s+(?:to|until|through|till)|{_YEAR_RE}\s*[-–—]|"
    rf"{_YEAR_RE}\s+(?:to|until|through|till))\s*{_YEAR_RE}\b",
    re.IGNORECASE,
)
_MONTH_RANGE = re.compile(
    rf"\b(?:(?:between|from)\s+)?{_MONTH}\s*(?:and|to|until|through|till|-|–|—)\s*{_MONTH},?\s+{_YEAR_RE}\b"
)
_DAY_RANGE = re.compile(
    rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:and|to|until|through|till|-|–|—)\s*"
    rf"(?:{_MONTH}\s+)?(\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR_RE}\b"
)
_QUARTER = re.compile(
    rf"\b(?:Q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s+of)\s+{_YEAR_RE}\b",
    re.IGNORECASE,
)
_HALF = re.compile(rf"\b(first|second|1st|2nd)\s+half\s+of\s+{_YEAR_RE}\b", re.IGNORECASE)
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_RANGE_JOIN = re.compile(r"^\W*(?:and|to|until|till|through|thru|-|–|—)\W*$", re.IGNORECASE)
_RANGE_OPEN = re.compile(
    r"\b(?:from|between|began|begun|begin|started|start|starting|beginning)\b", re.IGNORECASE
)
_RANGE_CLOSE = re.compile(r"\b(?:until|till|through|thru|to)\s*(?:the\s+)?$", re.IGNORECASE)
_SINCE = re.compile(r"\bsince\s*$", re.IGNORECASE)
_WEEK_OF = re.compile(r"\bweek\s+of\s*$", re.IGNORECASE)
# A clause of another event's time ("after the president granted it new powers earlier in May"):
# "after" or "before" opening a clause of several words, not yet closed by a comma.
_OTHER_EVENTS_CLAUSE = re.compile(r"\b(?:after|before)\s+(?:\w+\s+){2,}[^,;]*$", re.IGNORECASE)


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
    """The date or date range the sentence gives, resolved against the publication date; None
    when the sentence gives none (the caller falls back to the publication date)."""
    spans = _ranges(sentence, anchor, precision)
    if spans is not None:
        return spans
    found = _single(sentence, anchor, precision)
    if found is None or anchor is None or not found.text:
        return found
    # "since 2014", "since March": from then until the article was written
    at = sentence.lower().find(found.text.lower())
    before = sentence[max(0, at - 40) : at] if at >= 0 else ""
    if (_SINCE.search(before) or found.text.lower().startswith("since ")) and anchor.isoformat() > found.end:
        text = found.text if found.text.lower().startswith("since ") else f"since {found.text}"
        return EventDate(found.start, anchor.isoformat(), found.precision, text)
    if _OTHER_EVENTS_CLAUSE.search(sentence[max(0, at - 80) : at] if at >= 0 else ""):
        return None  # the date of what came before or after, not of the operation
    if found.precision == "day" and _WEEK_OF.search(before):
        end = date.fromisoformat(found.start) + timedelta(days=6)
        return EventDate(found.start, end.isoformat(), "week", f"the week of {found.text}")
    return found


def _ranges(sentence: str, anchor: date | None, precision: str) -> EventDate | None:
    """A span the sentence states: "between 2017 and 2021", "from March to May 2019", "June
    20-24, 2019", "Q3 2020", "the first half of 2018", "began on June 20 and continued
    through June 24"."""
    match = _YEAR_RANGE.search(sentence)
    if match:
        first = next(g for g in match.groups()[:4] if g)
        if int(first) <= int(match.group(5)):
            return EventDate(f"{first}-01-01", f"{match.group(5)}-12-31", "year", match.group(0))
    match = _MONTH_RANGE.search(sentence)
    if match:
        year, first, last = (
            int(match.group(3)),
            MONTHS[match.group(1).lower()],
            MONTHS[match.group(2).lower()],
        )
        start = _month_range(year if first <= last else year - 1, first)[0]
        return EventDate(start.isoformat(), _month_range(year, last)[1].isoformat(), "month", match.group(0))
    match = _DAY_RANGE.search(sentence)
    if match:
        year = int(match.group(5))
        first_month = MONTHS[match.group(1).lower()]
        last_month = MONTHS[match.group(3).lower()] if match.group(3) else first_month
        try:
            first_day = date(
                year if first_month <= last_month else year - 1, first_month, int(match.group(2))
            )
            last_day = date(year, last_month, int(match.group(4)))
        except ValueError:  # "February 30"
            first_day = last_day = date.max
        if first_day <= last_day < date.max:
            return EventDate(first_day.isoformat(), last_day.isoformat(), "day", match.group(0))
    match = _QUARTER.search(sentence)
    if match:
        quarter = int(match.group(1)) if match.group(1) else _ORDINAL[match.group(2).lower()]
        year = int(match.group(3))
        start = date(year, 3 * quarter - 2, 1)
        return EventDate(
            start.isoformat(), _month_range(year, 3 * quarter)[1].isoformat(), "month", match.group(0)
        )
    match = _HALF.search(sentence)
    if match:
        half, year = _ORDINAL[match.group(1).lower()], int(match.group(2))
        start = date(year, 1 if half == 1 else 7, 1)
        end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
        return EventDate(start.isoformat(), end.isoformat(), "month", match.group(0))
    # two dates joined as a span: "began on June 20 and continued through June 24"
    first_date = _single(sentence, anchor, precision)
    if first_date is None or not first_date.text:
        return None
    at = sentence.lower().find(first_date.text.lower())
    if at < 0:
        return None
    rest = sentence[at + len(first_date.text) :]
    second = _single(rest, anchor, precision)
    if second is None or not second.text:
        return None
    between = rest[: max(rest.lower().find(second.text.lower()), 0)]
    joined = _RANGE_JOIN.search(between) and _RANGE_OPEN.search(sentence[max(0, at - 40) : at])
    if (joined or (_RANGE_CLOSE.search(between) and _RANGE_OPEN.search(sentence[:at] + between))) and (
        first_date.start <= second.end
    ):
        coarser = max(first_date.precision, second.precision, key=_COARSENESS.index)
        return EventDate(first_date.start, second.end, coarser, f"{first_date.text} … {second.text}")
    return None


_COARSENESS = ["day", "week", "month", "year"]


def _single(sentence: str, anchor: date | None, precision: str) -> EventDate | None:
    """The first single date the sentence gives (an explicit day before a month before a year
    before words relative to the publication date)."""
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
        year = int(match.group(1) or match.group(2) or match.group(3))
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
    match = next((m for m in _WEEKDAY.finditer(sentence) if not _is_report_day(sentence, m)), None)
    if match:
        if precision != "day":
            return EventDate(*_month_pair(anchor), "month", match.group(0))
        back = (anchor.weekday() - WEEKDAYS[match.group(1).lower()]) % 7
        day = anchor - timedelta(days=back)
        return EventDate(day.isoformat(), day.isoformat(), "day", match.group(0))
    for phrase in _CALENDAR_RELATIVE:
        if phrase in lowered:
            return _calendar_relative(phrase, anchor, precision)
    for phrase, (far, near) in _RELATIVE.items():
        if phrase in lowered:
            if precision != "day":
                return EventDate(*_month_pair(anchor), "month", phrase)
            start, end = anchor - timedelta(days=far), anchor - timedelta(days=near)
            return EventDate(start.isoformat(), end.isoformat(), "week" if far <= 31 else "month", phrase)
    return None


_REPORT_VERB = (
    r"(?:said|says|told|announced|accused|accuses|blamed|blames|charged|indicted|reported|confirmed|"
    r"attributed|revealed|disclosed|warned|sanctioned|unsealed|named|published|released)"
)
_REPORT_BEFORE = re.compile(rf"\b{_REPORT_VERB}\s+(?:\w+\s+)?(?:on\s+)?$", re.IGNORECASE)
_REPORT_AFTER = re.compile(rf"^\s*,?\s*(?:\w+ly\s+)?{_REPORT_VERB}\b", re.IGNORECASE)


def _is_report_day(sentence: str, match: re.Match[str]) -> bool:
    """ "The FBI on Friday formally accused North Korea of the hack … last month", "officials
    said on Tuesday": the day of the report, not of the operation."""
    return bool(
        _REPORT_AFTER.match(sentence[match.end() :]) or _REPORT_BEFORE.search(sentence[: match.start()])
    )


def _calendar_relative(phrase: str, anchor: date, precision: str) -> EventDate:
    """ "earlier this month" is from the 1st to the publication day; "last month" the whole
    previous month; "this year" from 1 January; "last year" the previous year."""
    if phrase.endswith("month"):
        if phrase == "last month":
            previous = anchor.replace(day=1) - timedelta(days=1)
            start, end = _month_range(previous.year, previous.month)
        else:
            start = anchor.replace(day=1)
            end = anchor if precision == "day" else _month_range(anchor.year, anchor.month)[1]
        return EventDate(start.isoformat(), end.isoformat(), "month", phrase)
    if phrase == "last year":
        return EventDate(f"{anchor.year - 1}-01-01", f"{anchor.year - 1}-12-31", "year", phrase)
    end = anchor if precision == "day" else date(anchor.year, 12, 31)
    return EventDate(f"{anchor.year}-01-01", end.isoformat(), "year", phrase)


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
