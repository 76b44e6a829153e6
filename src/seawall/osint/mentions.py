"""Names in a sentence, found once: states, agencies, groups with their aliases, malware,
organisations, and the attackers reporting leaves unnamed ("hackers", "a threat actor").

What a name *is* comes from the gazetteers (``gazetteer.py``); what it *does* in the sentence
(attacks, is attacked, reports) is the role model's business (``roles.py``).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from seawall.intel.actors import alias_key, default_gazetteer
from seawall.osint.gazetteer import _words, known_country_code, lexicon, lexicon_data

KINDS = (
    "country",
    "organisation",
    "institution",
    "company",
    "person",
    "target",
    "place",
    "region",
    "group",
    "aligned",
    "generic",
    "malware",
)
"""What a mention names: a state; a state body (agency, ministry, military unit); a body named
without its country (NASA); a company placed by its headquarters; a leader; a known target; a city
(it places what is attacked in it, but makes a phrase nothing: ``syntax.Phrase.kind``); a
threat-actor group; operators aligned with a state ("pro-Russian hackers"); an unnamed attacker;
a malware family."""
STATE_KINDS = frozenset({"country", "organisation", "person"})
"""Mentions that stand for their state."""


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    kind: str
    country: str = ""
    name: str = ""


@dataclass(frozen=True)
class _Patterns:
    generic: re.Pattern[str]
    known_as: re.Pattern[str]
    aligned: re.Pattern[str]
    siding_before: re.Pattern[str]
    anonymous_adjective: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    words = lexicon_data()["mentions"]

    def alternatives(terms: list[str]) -> str:
        return "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in sorted(terms, key=len, reverse=True))

    return _Patterns(
        generic=re.compile(
            rf"\b(?:(?:{alternatives(words['attacker_qualifiers'])})\s+)?"
            rf"(?:{alternatives(words['generic_attackers'])})\b",
            re.IGNORECASE,
        ),
        known_as=re.compile(
            rf"\b(?:{alternatives(words['naming_nouns'])})\s+(?:{alternatives(words['naming_words'])})\s+"
            r"([A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)"
        ),
        aligned=re.compile(rf"\b[Pp]ro-([A-Z]\w+)\s+(?:{alternatives(words['aligned_nouns'])})\b"),
        siding_before=re.compile(
            rf"{_words(['hacker', 'hackers', 'hacktivists', 'group', 'groups', 'actors'])}\s+"
            rf"(?:{alternatives(words['siding_words'])})\s+(?:the\s+)?$",
            re.IGNORECASE,
        ),
        anonymous_adjective=re.compile(rf"\s+(?:{alternatives(words['anonymous_adjective_before'])})\b"),
    )


class _Spans:
    """Character spans already taken, asked whether a new one overlaps or lies inside one, by
    bisection: a paragraph of thousands of names costs n log n, not n² (a hostile article of
    one 300 KB paragraph took minutes)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.ends = [end for _, end in ordered]
        self.reach = list(itertools.accumulate(self.ends, max))
        """The furthest end of any span starting at or before each one."""

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect.bisect_left(self.starts, end)
        return before > 0 and self.reach[before - 1] > start

    def contains(self, start: int, end: int) -> bool:
        """Whether one span holds [start, end) whole (the spans do not overlap each other)."""
        index = bisect.bisect_right(self.starts, start) - 1
        return index >= 0 and self.ends[index] >= end


def find_mentions(sentence: str) -> list[Mention]:
    """Every name the gazetteers know in the sentence, and every unnamed attacker, in order."""
    lex = lexicon()
    patterns = _patterns()
    found: list[Mention] = []
    # a place inside an outlet's or vendor's name ("the New York Times") is not a mention
    outlets = _Spans((m.start(), m.end()) for m in lex.source_pattern.finditer(sentence))
    for match in lex.names.finditer(sentence):
        if outlets.contains(match.start(), match.end()):
            continue
        kind, country, name = lex.name_table[match.group(0)]
        if name == "Anonymous" and patterns.anonymous_adjective.match(sentence, match.end()):
            continue
        found.append(Mention(match.start(), match.end(), match.group(0), kind, country, name))
    for match in patterns.aligned.finditer(sentence):
        code = known_country_code(match.group(1))
        if code:
            found.append(Mention(match.start(), match.end(), match.group(0), "aligned", code, match.group(0)))
    for mention in found:
        if mention.kind == "country" and patterns.siding_before.search(
            sentence[max(0, mention.start - 40) : mention.start]
        ):
            mention.kind = "aligned"
    taken = _Spans((m.start, m.end) for m in found)
    for match in patterns.known_as.finditer(sentence):
        if taken.overlaps(match.start(1), match.start(1) + 1):
            continue
        actor = default_gazetteer().resolve(match.group(1))
        if actor is not None:
            found.append(
                Mention(match.start(1), match.end(1), match.group(1), "group", actor.country, actor.name)
            )
    taken = _Spans((m.start, m.end) for m in found)  # unnamed attackers never overlap each other
    for match in patterns.generic.finditer(sentence):
        if taken.overlaps(match.start(), match.end()):
            continue
        found.append(
            Mention(match.start(), match.end(), match.group(0), "generic", "", match.group(0).lower())
        )
    found.sort(key=lambda m: m.start)
    _place_groups_as_written(sentence, found)
    return found


_DESCRIBING_WORDS = re.compile(
    r"[\s-]*(?:(?!(?:and|or|but|of|by|from|to|with|against|for)\b)[a-z][\w-]*\s+){0,2}$"
)
"""What may stand between a state's adjective and the attacker it describes ("Iranian state
hacker group", "North Korean hacker unit"): lower-case words that are no conjunction or
preposition; no name, number or punctuation."""


def describes_the_actor(sentence: str, state: Mention, actor: Mention) -> bool:
    """Whether a state's adjective describes the attacker named right after it ("Chinese
    hackers", "Russian state-sponsored hacking group IRIDIUM")."""
    return (
        state.kind == "country"
        and bool(state.country)
        and state.end <= actor.start
        and _DESCRIBING_WORDS.fullmatch(sentence, state.end, actor.start) is not None
    )


def _place_groups_as_written(sentence: str, found: list[Mention]) -> None:
    """A group the text calls by its state ("Russian state-sponsored hacking group IRIDIUM") is
    of that state, whatever the gazetteer holds for a name several vendors gave to different
    groups (Microsoft's IRIDIUM is Sandworm; MISP's is Iranian): the text's own word wins, and
    the group of that state that bears the name is chosen when the gazetteer knows one."""
    for index, group in enumerate(found):
        if group.kind != "group":
            continue
        # the state right before the group, or before an unnamed attacker right before it
        chain = found[max(0, index - 2) : index + 1]
        if len(chain) == 3 and chain[1].kind != "generic":
            chain = chain[1:]
        if len(chain) < 2:
            continue
        state = chain[0]
        if (
            state.country == group.country
            or not describes_the_actor(sentence, state, chain[1])
            or (len(chain) == 3 and not sentence[chain[1].end : group.start].isspace())
        ):
            continue
        group.country = state.country
        group.name = _group_of_state(group.text, state.country) or group.name


@cache
def _group_of_state(name: str, country: str) -> str:
    """The name of the group of ``country`` that ``name`` is a name or alias of, if any
    (remembered: a hostile article may repeat one name thousands of times)."""
    key = alias_key(name)
    for actor in default_gazetteer().actors:
        if actor.country == country and key in {alias_key(n) for n in (actor.name, *actor.aliases)}:
            return actor.name
    return ""
