"""Articles into cyber-operation events: who attacked whom, how, when, says who, how surely.

The extractor is rules over gazetteers (``osint/data``: countries, agencies and leaders, the
cyber lexicon, sectors, reporting sources, attribution language; threat-actor groups from the
intel gazetteer), so every field of an event points to the sentence and words it came from.
A sentence becomes an event candidate only when it uses cyber-operation wording: a drone shot
down by a missile is not a cyber event. Roles come from the sentence's shape: the actor before
the operation word (or after "by") attacks; a country after "against", "on", "targeting", or
the subject of "was hit by", is the victim. Candidates of one article that describe the same
operation are merged, and a later sentence such as "The virus is widely believed to be a
US/Israeli cyberweapon" attributes the operation before it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import msgspec
import yaml

from seawall.intel.actors import alias_key, default_gazetteer
from seawall.osint.articles import Article, parse_published
from seawall.osint.dates import EventDate, overlaps, publication_date, resolve

GENERIC = "cyberattack"
LEVELS = ("confirmed", "claimed", "widely believed", "reported")


class Source(msgspec.Struct, frozen=True, omit_defaults=True):
    name: str
    kind: str = ""
    """``vendor``, ``outlet`` or ``publisher`` (the outlet the article came from)."""


class Evidence(msgspec.Struct, frozen=True, omit_defaults=True):
    article: str
    sentence: str
    outlet: str = ""
    published: str = ""


class Event(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One cyber operation, with everything the reporting says about it."""

    id: str = ""
    attacker_countries: list[str] = []
    aligned_countries: list[str] = []
    """The attacker countries known only through operators aligned with them ("pro-Russian
    hacktivists"), not through the state or a group it sponsors."""
    attacker_groups: list[str] = []
    attacker_text: list[str] = []
    malware: list[str] = []
    victim_countries: list[str] = []
    victim_sectors: list[str] = []
    victim_text: list[str] = []
    types: list[str] = []
    techniques: list[str] = []
    date: EventDate | None = None
    sources: list[Source] = []
    attribution: str = "reported"
    evidence: list[Evidence] = []

    def key(self) -> str:
        return "|".join(
            [
                ",".join(sorted(self.attacker_countries)) or ",".join(sorted(self.malware)),
                ",".join(sorted(self.victim_countries)),
                self.date.start[:7] if self.date else "",
            ]
        )


# -- gazetteers -------------------------------------------------------------------------------
@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    kind: str  # country, organisation, institution, company, person, target, group, aligned, generic, malware
    country: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class OperationType:
    """An operation type's wording. A weak term ("stole", "gained access") names the operation
    only when the sentence also names what was taken ("data", "passwords"): "stole the show"
    and "a stolen iPhone" are not data theft."""

    name: str
    terms: re.Pattern[str]
    attack: list[str]
    weak_terms: re.Pattern[str] | None = None
    objects: re.Pattern[str] | None = None
    near_terms: re.Pattern[str] | None = None
    near_objects: re.Pattern[str] | None = None
    """Commoner verbs ("obtain", "collect", "to access", "was taken") that name the operation only
    when what was taken stands right beside them: "collect passwords", "to access the data of",
    "no personal information was taken". Their objects are a narrower list: one collects
    e-mails and copies files without stealing anything."""

    def search(self, sentence: str) -> re.Match[str] | None:
        match = self.terms.search(sentence)
        if match:
            return match
        if self.weak_terms is not None and self.objects is not None:
            weak = self.weak_terms.search(sentence)
            if weak and self.objects.search(sentence):
                return weak
        if self.near_terms is not None and self.near_objects is not None:
            for near in self.near_terms.finditer(sentence):
                # the object of an active verb follows it, the subject of a passive precedes it;
                # either within the same clause
                if _PASSIVE.match(near.group(0)):
                    window = _CLAUSE_BREAK.split(
                        sentence[max(0, near.start() - _NEAR_BEFORE) : near.start()]
                    )[-1]
                else:
                    window = _CLAUSE_BREAK.split(sentence[near.end() : near.end() + _NEAR_AFTER])[0]
                if self.near_objects.search(window):
                    return near
        return None


# How far (in characters, about six words after and four before) a near term looks for its object.
_NEAR_AFTER = 45
_NEAR_BEFORE = 30
_PASSIVE = re.compile(r"(?:is|was|were|been)\s", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:.()]")


@dataclass(slots=True)
class Lexicon:
    types: list[OperationType]
    not_event: re.Pattern[str]
    vulnerability: re.Pattern[str]
    sectors: list[tuple[str, re.Pattern[str]]]
    sources: list[tuple[str, str]]
    source_pattern: re.Pattern[str]
    attribution: list[tuple[str, re.Pattern[str]]]
    names: re.Pattern[str]
    name_table: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """matched text -> (kind, country, canonical name)."""


def _words(terms: Iterable[str]) -> str:
    ordered = sorted({t for t in terms if t}, key=len, reverse=True)
    return r"(?<![\w-])(?:" + "|".join(re.escape(t) for t in ordered) + r")(?![\w-])"


def _data(name: str) -> Any:
    return resources.files("seawall.osint").joinpath(f"data/{name}").read_text("utf-8")


def _objects(entry: dict[str, Any]) -> re.Pattern[str] | None:
    """What a weak term needs beside it: the listed words, and raw patterns for what words cannot
    say ("$81 million")."""
    parts = [_words(entry["objects"])] if entry.get("objects") else []
    parts += list(entry.get("objects_regex", []))
    return re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE) if parts else None


# A demonym's ending ("Iranian", "Chinese", "Turkish", "Israeli", "Czech"), and the demonyms that
# are everyday words in lower case.
_DEMONYM_ENDING = re.compile(r"(?:ians?|eans?|ese|ish|i|is|ch)$")
_DEMONYM_WORDS = frozenset(
    # words in their own right, a language, and places that only look like demonyms
    {"polish", "danish", "swiss", "french", "dutch", "english", "taipei", "mississippi", "missouri"}
)


@cache
def lexicon() -> Lexicon:
    data = yaml.safe_load(_data("lexicon.yml"))
    types = [
        OperationType(
            name,
            re.compile(_words(entry["terms"]), re.IGNORECASE),
            list(entry.get("attack", [])),
            re.compile(_words(entry["weak_terms"]), re.IGNORECASE) if entry.get("weak_terms") else None,
            _objects(entry),
            re.compile(_words(entry["near_terms"]), re.IGNORECASE) if entry.get("near_terms") else None,
            re.compile(_words(entry["near_objects"]), re.IGNORECASE) if entry.get("near_objects") else None,
        )
        for name, entry in data["operation_types"].items()
    ]
    sectors = [(name, re.compile(_words(terms), re.IGNORECASE)) for name, terms in data["sectors"].items()]
    sources = [(name, "vendor") for name in data["sources"]["vendors"]]
    sources += [(name, "outlet") for name in data["sources"]["outlets"]]
    attribution = [
        (level, re.compile(_words(terms), re.IGNORECASE)) for level, terms in data["attribution"].items()
    ]
    table: dict[str, tuple[str, str, str]] = {}
    countries = json.loads(_data("countries.json"))["countries"]
    for country in countries:
        for name in country["names"]:
            table.setdefault(name, ("country", country["code"], country["name"]))
    for country in countries:
        for name in country["names"]:
            # Incident databases and quick notes write "iranian hackers", "the turkish network":
            # a demonym in lower case is still the country. Only adjectives ("Polish" aside), never
            # a country's own name ("turkey", "china", "jordan" are everyday words).
            lower = name.lower()
            if (
                " " not in name
                and name != country["name"]
                and _DEMONYM_ENDING.search(name)
                # derived from another of the country's names ("Iranian" from "Iran"): not a
                # capital or a region that happens to end the same way ("Helsinki", "Illinois")
                and any(other[:3] == name[:3] for other in country["names"] if other != name)
                and lower not in _DEMONYM_WORDS
                and lower not in table
            ):
                table[lower] = ("country", country["code"], country["name"])
    extra = yaml.safe_load(_data("actors_extra.yml"))
    for name, code in extra["organisations"].items():
        table[name] = ("organisation", code, name)
    for name, code in extra["institutions"].items():
        table[name] = ("institution", code, name)
    for name, code in extra["companies"].items():
        table[name] = ("company", code, name)
    for name, code in extra["people"].items():
        table[name] = ("person", code, name)
    for name, (code, *spellings) in extra["groups"].items():
        for spelling in (name, *spellings):
            table[spelling] = ("group", code, name)
    for name, code in extra["targets"].items():
        table[name] = ("target", code, name)
    for name in data["malware"]:
        table[name] = ("malware", "", name)
    gazetteer = default_gazetteer()
    for actor in gazetteer.actors:
        for alias in [actor.name, *actor.aliases]:
            # Only distinctive names: capitalised or with a digit, four characters or more.
            if (
                len(alias) >= 4
                and (any(c.isdigit() for c in alias) or alias[0].isupper())
                and alias not in table
            ):
                if " " not in alias and alias.istitle() and alias.lower() in _COMMON_WORDS:
                    continue
                table[alias] = ("group", actor.country, actor.name)
                spelled = _news_spelling(alias)
                if spelled and spelled not in table:
                    table[spelled] = ("group", actor.country, actor.name)
    names = re.compile(
        r"(?<![\w-])(?:"
        + "|".join(re.escape(n) for n in sorted(table, key=len, reverse=True))
        # "Russia-linked", "Iran-backed": the name before an alignment suffix is still the name
        + r")(?!\w)(?!-(?!(?:linked|backed|sponsored|based|affiliated|aligned|supported|nexus|"
        # "Chinese-government backed hackers"
        + r"(?:government|state)[- ](?:linked|backed|sponsored))\b))"
    )
    return Lexicon(
        types=types,
        not_event=re.compile(_words(data["not_an_event"]), re.IGNORECASE),
        vulnerability=re.compile(_words(data["vulnerability"]), re.IGNORECASE),
        sectors=sectors,
        sources=sources,
        source_pattern=re.compile(_words(n for n, _ in sources)),
        attribution=attribution,
        names=names,
        name_table=table,
    )


def _news_spelling(alias: str) -> str:
    """How news writes a vendor's capitalised name: "HAFNIUM" is "Hafnium", "GOLD BLADE" is
    "Gold Blade"; "" when the spelling would be an everyday word ("Summit", "Helium")."""
    if not (alias.isupper() and alias.replace(" ", "").isalpha() and len(alias) >= 5):
        return ""
    if " " in alias:
        return alias.title()
    # one word: only Microsoft's element names, not the elements news writes about
    if alias.endswith("IUM") and alias.lower() not in _EVERYDAY_ELEMENTS:
        return alias.title()
    return ""


_EVERYDAY_ELEMENTS = frozenset(
    {
        "helium",
        "sodium",
        "potassium",
        "magnesium",
        "calcium",
        "chromium",
        "uranium",
        "plutonium",
        "radium",
        "thorium",
        "lithium",
        "titanium",
        "aluminium",
        "cesium",
        "caesium",
        "polonium",
        "palladium",
        "iridium",
    }
)

# Aliases that are ordinary English words would turn every sentence into a group mention.
# Names no news story uses for anything but the actor (Phosphorus, Hafnium, Turla, Lazarus)
# are not here: "Phosphorus" is APT35.
_COMMON_WORDS = frozenset(
    {
        "bronze",
        "charming",
        "cleaver",
        "cobra",
        "copper",
        "cozy",
        "dragonfly",
        "energetic",
        "equation",
        "fancy",
        "gold",
        "group",
        "hades",
        "hidden",
        "iridium",
        "iron",
        "kitten",
        "lead",
        "machete",
        "magnet",
        "mercury",
        "neon",
        "newscaster",
        "night",
        "patchwork",
        "pawn",
        "platinum",
        "rocket",
        "silicon",
        "silver",
        "stone",
        "storm",
        "thrip",
        "tick",
        "tin",
        "venomous",
        "wild",
        "zinc",
    }
)


# -- sentences ----------------------------------------------------------------------------------
_ABBREVIATIONS = re.compile(
    r"\b(?:U\.S|U\.K|Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Inc|Corp|Ltd|Jr|Sr|No|vs|e\.g|i\.e)\.$"
)
_SPLIT = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘(]?[A-Z0-9])")


MAX_SENTENCE_CHARS = 1000
"""Longer runs are cut at a space: news sentences stay well under it (CASIE's longest is 691
characters), and the role patterns cost the square of a run's length on hostile text."""


def _bounded(sentence: str) -> list[str]:
    pieces = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", 0, MAX_SENTENCE_CHARS)
        cut = cut if cut > 0 else MAX_SENTENCE_CHARS
        pieces.append(sentence[:cut])
        sentence = sentence[cut:].strip()
    return [*pieces, sentence]


def sentences(text: str) -> list[str]:
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        pieces = _SPLIT.split(paragraph.strip())
        buffer = ""
        for piece in pieces:
            buffer = f"{buffer} {piece}".strip() if buffer else piece
            # a piece ending in "U.S." or "Mr." goes on, unless the run is already too long
            # (a string of abbreviations must not make this quadratic)
            tail = max(0, len(buffer) - 40)
            if len(buffer) < MAX_SENTENCE_CHARS and _ABBREVIATIONS.search(buffer, tail):
                continue
            out.append(buffer)
            buffer = ""
        if buffer:
            out.append(buffer)
    return [piece for sentence in out for piece in _bounded(sentence) if piece]


# -- one sentence -------------------------------------------------------------------------------
_VICTIM_BEFORE = re.compile(
    r"\b(?:against|on|onto|targeting|targeted|target|targets|at|into|in|hit|hitting|attacked|attacking|"
    r"breached|breaching|compromised|compromising|infiltrated|penetrated|disrupted|crippled|of|"
    r"hits|attacks|breaches|compromises|infects|disrupts|cripples|penetrates|infiltrates|"
    r"hacked|hacking|hacks|defaced|defacing|defaces|hijacked|hijacking|infected|infecting|paralysed|"
    r"paralyzed|paralyse|paralyze|(?:took|taken|takes|taking|knocked|knocking)\s+down|spied\s+on|"
    r"spying\s+on|spy\s+on)"
    r"(?:\s+(?:the|an?|its|their|several|many|some|undisclosed|unnamed|major|key|large-scale|"
    r"targets|victims|in|top|multiple|various|numerous|prominent|popular|leading|official|"
    r"(?!(?:19|20)\d{2}\b)\d[\d,.]*|two|three|four|five|six|seven|eight|nine|ten|a\s+few|"
    r"(?:dozens|hundreds|thousands)\s+of|more\s+than|at\s+least|a\s+dozen|over|about|"
    r"around|nearly|almost|other|private|state-owned|state-run|government))*\s*$",
    re.IGNORECASE,
)
_HEADLINE_PASSIVE_AFTER = re.compile(
    # "US election agency breached and ...", "Interpol Indonesia Hacked and Defaced by ...": a
    # noun phrase then a participle with no auxiliary, as headlines write the passive. The
    # participle must end the clause ("Russian intelligence hacked the DNC" is active).
    r"^(?:[\s'’-]*(?!(?:hackers?|group|groups|actors?|team|army|APT|gang|operators?|spies|unit)\b)"
    r"[\w&.’'-]+){0,4}?\s*\b(?:hit|targeted|attacked|breached|hacked|compromised|defaced|hijacked|"
    r"infected|disrupted|crippled)\b(?=\s*(?:$|[.,;:!]|and\b|by\b|in\b|after\b|with\b|during\b|over\b|"
    r"via\b|through\b|amid\b|on\s+\d))",
    re.IGNORECASE,
)
_AGENT_AFTER = re.compile(
    # "Russia-linked group", "Iranian state-sponsored hackers", "Chinese APT": the country's own
    # operators, wherever the sentence puts them.
    r"^(?:-(?:(?:government|state)[- ])?"
    r"(?:linked|backed|sponsored|based|affiliated|aligned|supported|nexus)\b|"
    # the headline's "Iran blamed for cyberattacks on US banks": the accused
    r"\s+(?:(?:is|was|were|are|has been|have been)\s+)?(?:blamed|accused)\s+(?:for|of)\b|"
    # "part of a Chinese intelligence-gathering effort", "a Russian espionage campaign"
    r"(?:\s+[\w-]+)?\s+(?:intelligence-gathering|espionage|cyber-espionage|spying|hacking)\s+"
    r"(?:effort|campaign|operation)s?\b|"
    # "saying the Russian military was behind the attack"
    r"(?:\s+[\w-]+){0,2}\s+(?:was|were|is|are|had been|has been)\s+(?:(?:likely|probably|also)\s+)?"
    r"(?:behind|responsible)\b|"
    r"\s+(?:state-sponsored|"
    r"state-backed|government-backed|government-sponsored|hackers?|hacking groups?|threat actors?|APT\b|"
    r"cyber ?(?:army|spies|criminals?)|hacktivists?|"
    # "defending against Iranian cyberattacks": whose attacks they are
    r"cyber-?attacks?|cyber operations?|cyber campaigns?))",
    re.IGNORECASE,
)
_ACTIVE_AFTER = re.compile(
    # "... shows the US spy agency infiltrated the servers of ...": the subject of an attack verb
    # with an object is the attacker even after the first operation word.
    r"^(?:\s+(?!(?:was|were|is|are|been|being|said|says|say|told|accuses|accused|blames|blamed|claimed|"
    r"reports|reported|alleges|alleged)\b)[\w-]+){0,3}?\s+(?:has\s+|have\s+|had\s+)?"
    r"(?:infiltrated|hacked|breached|targeted|attacked|compromised|penetrated|spied\s+on|stole|infected|"
    r"launched|conducted|deployed)\s+(?!by\b)\w",
    re.IGNORECASE,
)
_TAKEN_FROM_BEFORE = re.compile(
    # "stole data from several Russian companies", "targets associated with the Indian government":
    # the words that usually name the agent here name the victim.
    r"(?:\bspread(?:ing|s)?\s+from|"
    r"\b(?:stole|stolen|steal|steals|stealing|exfiltrated|leaked|data|information|files|emails|"
    r"documents|records|credentials)\s+(?:[\w$€£.,-]+\s+){0,4}?from|\b(?:targets|victims|entities|"
    r"organi[sz]ations|individuals|people|persons|users|sites|websites|networks|systems)\s+"
    r"(?:[\w-]+\s+)?(?:associated with|linked to|tied to|connected to|belonging to))"
    r"(?:\s+(?:the|an?|several|many|some|various|multiple|\d[\d,.]*))*\s*$",
    re.IGNORECASE,
)
_REPORTER_AFTER = re.compile(
    # "German security firm Link11 reported attacks against ...", "An Italian government source
    # told Reuters ...": the country is who reports, not who attacks.
    r"^(?:[\s'’-]*(?!(?:hackers?|group|groups|actors?|attackers?|army|APT|gang|operators?|spies)\b)"
    r"[\w&.’'-]+){0,5}?\s+(?:attributed|blamed|accused|indicted|sanctioned|accuse|blame|attribute|accuses|"
    r"blames|attributes|"
    r"reported|reports|said|says|say|told|tells|warned|warns|warn|noted|notes|found|finds|issued|charges|"
    r"released\s+(?:a|an|the)\s+(?:\w+\s+)?(?:report|advisory|statement|alert|analysis)|"
    # who answers an operation is not its author: "Obama expels 35 Russian diplomats over hacking"
    r"expelled|expels|imposed|imposes|condemned|condemns|denounced|denounces|vowed|vows|"
    r"discovered|revealed|reveals|disclosed|discloses|published|observed|identified|detected|"
    r"analy[sz]ed|confirmed|announced|stated|uncovered|"
    # who arrests or charges hackers is not one of them: "United Kingdom authorities arrested …"
    r"linked|links|tied|ties|"
    r"urged|urges|advised|advises|dismantled|dismantles|seized|seizes|"
    # who disrupts an adversary's tools: "US disrupts Russian FSB 'Snake' malware network"
    r"disrupt(?:s|ed)(?=\s+(?:\S+\s+){0,5}?(?:malware|botnet|hacking operation|hacking campaign|"
    r"hacking network|spy network)\b)|"
    r"arrested|charged|detained|extradited|convicted|sentenced|indicts|indict|sanctions|sanction|"
    r"arrests|extradites|convicts|sentences)\b",
    re.IGNORECASE,
)
_REPORTED_OWN_LOSS = re.compile(
    r"^\W*(?:that\s+)?(?:[\w,]+\s+){0,4}?(?:that\s+)?(?:(?:it|its|they|their)\b.{0,60}?\b"
    r"(?:was|were|had been|has been|have been)\s+"
    r"(?:\w+\s+)?(?:hit|targeted|attacked|breached|hacked|compromised|infected|disrupted|"
    r"(?:the|a)\s+(?:target|victim))|"
    # "confirmed that malware had been found on its administrative network"
    r"(?:malware|a virus|spyware|ransomware)\s+(?:had been|has been|was)\s+(?:found|detected|discovered)\s+"
    r"(?:on|in)\s+its\b|"
    # "Ukraine said it had thwarted an attempt by Russian hackers": the attempted victim
    r"(?:it|they)\s+(?:had\s+|has\s+|have\s+)?(?:thwarted|foiled|repelled|fended\s+off|blocked|prevented|"
    r"stopped)\b)",
    re.IGNORECASE,
)
_AGENT_BEFORE = re.compile(
    r"\b(?:by|from|"
    r"linked to|link to|links to|link it to|link them to|tied to|connected to|associated with|"
    r"originated in|originated from|originating in|originating from|traced (?:back )?to|the work of|"
    r"backed by|sponsored by|on behalf of|"
    r"working for|work for|works for|acting for|operating out of|operate out of|operates out of|"
    # "a hacking group based out of India" (not "companies based in Germany")
    r"(?:group|groups|gang|crew|team|actors?|hackers|organi[sz]ations?)\s+"
    r"(?:(?:likely|probably|reportedly|believed to be)\s+)?based\s+(?:in|out\s+of)|"
    r"(?:members|officers|agents|operatives|spies)\s+of|"
    r"attributed\s+(?:[\w-]+\s+){0,5}?to|links?\s+(?:[\w-]+\s+){1,4}?to|blamed\s+(?:(?!for\b)[\w-]+\s+){0,5}?on|accused|accusing|blamed|blaming|"
    r"indicted|pointed the finger at|"
    r"(?:perpetrators?|culprits?|attackers?|hackers?)\s+(?:were|was|are|is)(?:\s+(?:likely|probably|"
    r"possibly|believed to be|thought to be|suspected to be))?)"
    r"(?:\s+(?:the|an?|suspected|alleged))*\s*$",
    re.IGNORECASE,
)


# "by" an agent, not "the system used by Ukraine's armed forces", "a bill adopted by the French
# National Assembly", "malware discovered by Kaspersky"
_NOT_AGENT_VERBS = frozenset(
    [
        "used",
        "owned",
        "provided",
        "hosted",
        "published",
        "issued",
        "adopted",
        "passed",
        "approved",
        "signed",
        "written",
        "led",
        "chaired",
        "hired",
        "employed",
        "founded",
        "elected",
        "visited",
        "condemned",
        "denied",
        "criticised",
        "criticized",
        "reported",
        "announced",
        "confirmed",
        "discovered",
        "detected",
        "observed",
        "identified",
        "investigated",
        "attended",
        "headed",
        "ruled",
        "governed",
        "won",
    ]
)


def _agent_before(before: str) -> bool:
    """Whether the words before a name put it in an agent's slot ("attacked by", "linked to")."""
    cue = _AGENT_BEFORE.search(before)
    if cue is None:
        return False
    if before[cue.start() : cue.start() + 2].lower() == "by":
        previous = re.search(r"(\w+)\s+$", before[: cue.start()])
        if previous and previous.group(1).lower() == "used" and _TOOL_WORD.search(before):
            return True  # "the malware, called Dtrack, had been used by the North Korean group"
        return not (previous and previous.group(1).lower() in _NOT_AGENT_VERBS)
    # "a contractor working for the US Navy" is the victim's, not an agent
    return not _WORKS_FOR_VICTIM.search(before)


_WORKS_FOR_VICTIM = re.compile(
    r"\b(?:contractors?|suppliers?|subcontractors?|employees?|staff)\s+work(?:ing|s)?\s+for\b", re.IGNORECASE
)


_TOOL_WORD = re.compile(
    r"\b(?:malware|virus|tools?|spyware|exploits?|backdoors?|implants?|ransomware|trojans?|wipers?)\b",
    re.IGNORECASE,
)


# "the Austrian Foreign Ministry suffered a DDoS attack", "Midland paid the ransom": the subject
# is the victim
_SUFFERED = (
    r"(?:has |have |had )?(?:suffered|fell victim|came under|paid (?:a |the )?ransom|bore the brunt|"
    r"bears the brunt|borne the brunt)"
)
_PASSIVE_AFTER = re.compile(
    # an appositive may come between: "University College London, one of ..., has been hit"
    # and so may a longer subject with no verb of its own: "Denmark's central bank and seven other
    # private banks have been targeted"
    r"^(?:\s*,[^,.;]{1,80},)?\W*(?:[’'`]s\s+)?"
    r"(?:(?!(?:said|says|told|reported|reports|claimed|claims|that|which|who|after|when|while|as|but)\b)"
    r"[\w-]+,?\s+){0,8}?"
    r"(?:(?:was|were|has been|have been|had been|is being|are being|is|are|got)\s+(?:\w+\s+)?"
    r"(?:hit|targeted|attacked|breached|hacked|compromised|struck|infected|disrupted|crippled|defaced|victim|"
    r"impacted|affected|paralysed|paralyzed|knocked\s+(?:offline|out)|taken\s+(?:offline|down)|shut\s+down|"
    r"(?:taken|knocked|forced)\s+off\s+the\s+air)|"
    # "Danish soldiers had their e-mail hacked"
    r"(?:has|have|had|got)\s+(?:their|its|his|her)\s+(?:[\w-]+\s+){0,3}?(?:hacked|stolen|compromised|breached|"
    r"leaked|accessed|encrypted|defaced|wiped|hijacked)|"
    rf"{_SUFFERED})",
    re.IGNORECASE,
)
_ATTRIBUTION_SENTENCE = re.compile(
    r"\b(?:believed|attributed|blamed|thought|suspected|linked|accused|assessed|behind)\b", re.IGNORECASE
)
_BACK_REFERENCE = re.compile(
    r"^(?:the\s+(?:virus|malware|worm|attack|attacks|operation|campaign|hack|breach|"
    r"cyberattack|cyberweapon|intrusion)|it|this|they)\b",
    re.IGNORECASE,
)
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
# The subject of a sentence that refers back to the attacker named before it: "The group also
# deployed a wiper", "Later, the hackers leaked the e-mails", "They used the same malware".
_ANAPHOR = re.compile(
    # after an opening phrase ("Later, …") or a reporting verb ("Prosecutors said the officers …")
    r"^(?:[^,]{0,40},\s+|[\w' ]{0,40}?\b(?:said|say|says|added|alleged|allege|wrote|found)\s+(?:that\s+)?)?"
    r"(?:(?:the|these|those)\s+(?:same\s+)?(?:group|hackers|attackers|actors?|threat\s+actors?|gang|crew|"
    r"operators|hacking\s+group|APT\s+group|espionage\s+group|officers|agents|operatives|spies|unit)|they)\b"
    r"(?!\s+(?:said|say|says|told|reported|added|warned|noted)\b)",
    re.IGNORECASE,
)
# A sentence whose subject is the operation just told: "The attack hit …", "Later, the malware spread".
_OPERATION_ANAPHOR = re.compile(
    r"^(?:[^,]{0,40},\s+)?(?:the|this|that)\s+(?:[\w-]+\s+)?(?:attacks?|operation|campaign|malware|virus|worm|"
    r"ransomware|intrusion|hack|breach|cyberattack|cyber-attack|outage)\b",
    re.IGNORECASE,
)
_PHRASE_END = re.compile(
    # a full stop ends the phrase, the dots of "U.K." do not; so does the verb after the name
    r"[,;:()\"“”]|\.(?!\w)|"
    r"\b(?:which|that|who|used|using|as|after|before|while|and other|without|in order|in recent|"
    r"has|have|had|was|were|is|are|said|says|paid|may|might|could|would|will|did|does|"
    r"with|between|during|since|until|via|through|into|to steal|to gain|"
    r"on|last|this|earlier|yesterday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|"
    # "in 2016", "in May", "in late 2017", "in recent weeks": when, not who
    rf"\bin\s+(?:(?:early|mid|late|the\s+(?:summer|spring|autumn|fall|winter|past|first|second|last))\b|"
    rf"\d{{4}}\b|{_MONTHS})"
)
_WINDOW_END = re.compile(r"[.;:()]|\b(?:which|that|who|used to|as a|after|before|while|citing|according)\b")
_CLAUSES = re.compile(r",\s+(?=(?:while|whereas|but|as a|as the)\b)|;\s+|\s+(?=while\s+[A-Z])")
_REPORTING = re.compile(
    r"\b(?:according to|reported|reports|citing|cited by|said|says|told|via|report)\b", re.I
)


_GENERIC_ATTACKER = re.compile(
    r"\b(?:(?:state-sponsored|state-backed|government-backed|unknown|unidentified|suspected|criminal|"
    r"cyber\s?criminal)\s+)?(?:hackers?|cyber\s?criminals?|attackers?|threat actors?|scammers?|fraudsters?|"
    r"criminals?|gangs?|hacking groups?|ransomware gangs?|operators?)\b",
    re.IGNORECASE,
)


# How a text gives a group its name: "known as APT29", "dubbed", "tracked as"
_NAMING_WORDS = r"known\s+as|called|dubbed|named|tracked\s+as"
_KNOWN_AS = re.compile(
    rf"\b(?:group|groups|actor|gang|crew|campaign)\s+(?:{_NAMING_WORDS})\s+([A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)"
)


# "Anonymous sources said": the adjective, not the movement
_ANONYMOUS_ADJECTIVE = re.compile(
    r"\s+(?:sources?|officials?|users?|accounts?|donors?|tips?|letters?|calls?|posts?|comments?|"
    r"reviewers?|people|persons?|individuals?|callers?|complaints?|threats?|emails?|messages?)\b"
)
_SIDING_BEFORE = re.compile(
    r"\b(?:hackers?|hacktivists?|groups?|actors?)\s+(?:supporting|sympathetic\s+to|loyal\s+to|aligned\s+with|"
    r"in\s+support\s+of|siding\s+with)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_ALIGNED = re.compile(
    r"\b[Pp]ro-([A-Z][\w]+)\s+(?:hackers?|hacktivists?|hacking\s+groups?|groups?|actors?|threat\s+actors?|"
    r"activists?|cyber\s?(?:army|armies|groups?|activists?|criminals?))\b"
)


def _mentions(sentence: str) -> list[Mention]:
    lex = lexicon()
    found = []
    # a place inside an outlet's or vendor's name ("the New York Times") is not a mention
    outlets = [(m.start(), m.end()) for m in lex.source_pattern.finditer(sentence)]
    for match in lex.names.finditer(sentence):
        if any(start <= match.start() and match.end() <= end for start, end in outlets):
            continue
        kind, country, name = lex.name_table[match.group(0)]
        if name == "Anonymous" and _ANONYMOUS_ADJECTIVE.match(sentence, match.end()):
            continue
        found.append(Mention(match.start(), match.end(), match.group(0), kind, country, name))
    for match in _ALIGNED.finditer(sentence):
        # "pro-Ukrainian hackers": operators aligned with a state, which is how incident databases
        # such as EuRepoC code them; the state is theirs, not their victim
        code = known_country_code(match.group(1))
        if code:
            found.append(Mention(match.start(), match.end(), match.group(0), "aligned", code, match.group(0)))
    for mention in found:
        # "hackers supporting Azerbaijan", "hacktivists sympathetic to Russia": aligned, as pro-X
        if mention.kind == "country" and _SIDING_BEFORE.search(
            sentence[max(0, mention.start - 40) : mention.start]
        ):
            mention.kind = "aligned"
    for match in _KNOWN_AS.finditer(sentence):
        # "a hacking group known as Dragonfly": an alias that is an everyday word, named as a group
        if any(m.start <= match.start(1) < m.end for m in found):
            continue
        actor = default_gazetteer().resolve(match.group(1))
        if actor is not None:
            found.append(
                Mention(match.start(1), match.end(1), match.group(1), "group", actor.country, actor.name)
            )
    for match in _GENERIC_ATTACKER.finditer(sentence):
        # "hackers", "cybercriminals": an attacker without a name (CASIE's most common one)
        found.append(
            Mention(match.start(), match.end(), match.group(0), "generic", "", match.group(0).lower())
        )
    return found


def _trigger_positions(sentence: str) -> tuple[list[str], list[str], int]:
    """(types, techniques, position of the first operation word) or ([], [], -1)."""
    types: list[str] = []
    techniques: list[str] = []
    first = -1
    for operation in lexicon().types:
        match = operation.search(sentence)
        if match:
            types.append(operation.name)
            techniques.extend(operation.attack)
            first = match.start() if first < 0 else min(first, match.start())
    return types, sorted(set(techniques)), first


def _is_source(sentence: str, mention: Mention) -> bool:
    """An agency named as who reports ("according to the FBI"), or the seat of who reports
    ("two California-based cybersecurity firms"), not an actor."""
    if _SEAT_OF_REPORTER.match(sentence, mention.end):
        return True
    return mention.kind in ("organisation", *_NEVER_ATTACKERS) and bool(
        re.search(
            r"(?:according to|citing|by)\s+(?:(?:a|an|the)\s+)?$", sentence[: mention.start], re.IGNORECASE
        )
    )


_SEAT_OF_REPORTER = re.compile(
    r"-based\s+(?:(?:cyber\s?security|security|research|threat intelligence|antivirus)\b|"
    r"(?:firms?|compan(?:y|ies)|researchers?|vendors?|experts?|analysts?)\b)",
    re.IGNORECASE,
)


def _noun_phrase(sentence: str, start: int) -> str:
    tail = sentence[start:]
    match = _PHRASE_END.search(tail, 1)
    phrase = tail[: match.start()] if match else tail
    return " ".join(phrase.split()[:8]).strip()


def _victim_window(sentence: str, start: int) -> str:
    """From a victim mention to the end of its list ("US government agencies, oil and gas
    industry and other sectors"), for sectors."""
    tail = sentence[start : start + 160]
    match = _WINDOW_END.search(tail, 1)
    return tail[: match.start()] if match else tail


_NAME = r"[A-Z][\w&.'’-]*(?:\s+(?:of\s+|for\s+)?[A-Z][\w&.'’-]*)*"
_ACCORDING_TO = re.compile(
    rf"\baccording to\s+(?:a\s+(?:report|statement|post|blog post|advisory)\s+(?:by|from)\s+)?"
    rf"(?:the\s+)?({_NAME})"
)
_NAMED_REPORTER = re.compile(
    rf"\b(?:the\s+)?({_NAME}\s+(?:Post|Times|News|Journal|Herald|Tribune|Gazette|Telegraph|Guardian|"
    rf"Agency|Ministry|Directorate|Office|Department|Institute|Labs?|Research|Security|Networks|Command|"
    rf"Centre|Center))\s+(?:reported|reports|said|says|told|wrote|revealed|disclosed|announced|warned)\b"
)
_OUTLET_HEADS = ("Post", "Times", "News", "Journal", "Herald", "Tribune", "Gazette", "Telegraph", "Guardian")


def _sources(sentence: str) -> list[Source]:
    """Who reports what the sentence says: vendors and outlets the lexicon knows, and any other
    organisation named after "according to" or before "reported" / "said" ("the Jerusalem Post
    reported", "according to Israel's National Cyber Directorate")."""
    lex = lexicon()
    kinds = dict(lex.sources)
    found = [Source(m.group(0), kinds.get(m.group(0), "")) for m in lex.source_pattern.finditer(sentence)]
    known = {source.name for source in found}
    for pattern in (_ACCORDING_TO, _NAMED_REPORTER):
        for match in pattern.finditer(sentence):
            name = match.group(1).strip(" .'’")
            if any(name in k or k in name for k in known) or (" " not in name and known_country_code(name)):
                continue
            kind = "outlet" if name.split()[-1] in _OUTLET_HEADS else ""
            found.append(Source(name, kind))
            known.add(name)
    return list(dict.fromkeys(found))


def _attribution(sentence: str) -> str:
    for level, pattern in lexicon().attribution:
        if pattern.search(sentence):
            return level
    return "reported"


def _sectors(text: str) -> list[str]:
    return [name for name, pattern in lexicon().sectors if pattern.search(text)]


def sentence_event(sentence: str, anchor: date | None, precision: str) -> Event | None:
    """The operation one sentence reports (the first, when it tells two), or None."""
    found = sentence_events(sentence, anchor, precision)
    return found[0] if found else None


def sentence_events(sentence: str, anchor: date | None, precision: str) -> list[Event]:
    """The operations one sentence reports. A sentence joining clauses ("…, while reports
    indicated …") is read clause by clause: only clauses with operation wording count, and they
    tell one operation unless one clause's attacker is the other's victim ("hackers supporting
    Azerbaijan defaced Armenian websites, while Armenian hacktivists leaked …")."""
    found: list[Event] = []
    for clause in _CLAUSES.split(sentence):
        parts = _AND_ANOTHER_OPERATION.split(clause)
        events = [_clause_event(part, anchor, precision) for part in parts]
        if len(parts) > 1 and not all(events):
            # "stole trade secrets and targeted firms in the United States": the second part is
            # no operation of its own, the clause is read whole
            parts, events = [clause], [_clause_event(clause, anchor, precision)]
        for number, (part, event) in enumerate(zip(parts, events, strict=True)):
            if event is None:
                if found:
                    _attribute_in_clause(found[-1], part)
                continue
            if number and found and _another_operation(found[-1], event):
                # "North Korea hacked Sony Pictures in 2014 and stole $81 million from Bangladesh
                # Bank in 2016": the second operation's subject is the first's
                if not _names_culprit(event):
                    _inherit_attacker(event, found[-1])
                found.append(event)
            elif found and not _opposed(found[-1], event):
                _merge_into(found[-1], event)
            else:
                found.append(event)
    for event in found:
        event.sources = list(dict.fromkeys([*event.sources, *_sources(sentence)]))
        if event.date is None:
            event.date = resolve(sentence, anchor, precision)
        level = _attribution(sentence)
        if LEVELS.index(level) < LEVELS.index(event.attribution):
            event.attribution = level
    return found


# "… in 2014 and stole …", "the 2016 hack of WADA and the 2017 BadRabbit attack": a second
# operation coordinated with the first in one sentence
_AND_ANOTHER_OPERATION = re.compile(
    r"\s+and\s+(?=(?:(?:then|later|also)\s+)?(?:the\s+(?:19|20)\d\d\s+|"
    r"(?:stole|hacked|attacked|breached|targeted|defaced|disrupted|wiped|infected|leaked|crippled)\b))"
)


def _another_operation(earlier: Event, later: Event) -> bool:
    """Whether a coordinated clause tells an operation of its own: both are dated, in different
    years. Without that, "disrupted the system and leaked its files" is one operation's acts."""
    years = (
        earlier.date.start[:4] if earlier.date and earlier.date.text else "",
        later.date.start[:4] if later.date and later.date.text else "",
    )
    return all(years) and years[0] != years[1]


def _opposed(a: Event, b: Event) -> bool:
    """Whether one event's attacker state is the other's victim: two operations, not one. A
    domestic operation (Turkish hackers against a Turkish ministry) opposes neither."""
    foreign_a = set(a.attacker_countries) - set(a.victim_countries)
    foreign_b = set(b.attacker_countries) - set(b.victim_countries)
    return bool(foreign_a & set(b.victim_countries) or foreign_b & set(a.victim_countries))


def _windows(text: str, mention: Mention) -> tuple[str, str]:
    """The words just before and just after a mention, where its role shows."""
    return text[max(0, mention.start - 60) : mention.start], text[mention.end : mention.end + 120]


def _plainly_victim(before: str, after: str) -> bool:
    """A passive ("was hit", "Japan's pension system has been hacked", the headline's "…
    agency breached") or what was taken from ("stole data from several Ukrainian ministries").
    A name inside a list reads the list's verb: "the UK, Ukraine, Spain and France, to name a
    few — were hit"."""
    after = _LIST_TAIL.sub("", after, count=1)
    return bool(
        _PASSIVE_AFTER.search(after)
        or _HEADLINE_PASSIVE_AFTER.search(after)
        or _TAKEN_FROM_BEFORE.search(before)
        or _OWN_SHUTDOWN_AFTER.search(after)
    )


# "Ireland's health service shut down its IT systems after a ransomware attack": who shuts down
# its own systems is answering an attack, not making one
_OWN_SHUTDOWN_AFTER = re.compile(
    r"^(?:['’]s)?(?:\s+[\w-]+){0,4}?\s+(?:shut down|shuts down|took|takes|switched off|disconnected)\s+"
    r"(?:its|their)\s+(?:own\s+)?(?:[\w-]+\s+){0,2}?(?:systems?|networks?|computers?|servers?)\b",
    re.IGNORECASE,
)


_LIST_TAIL = re.compile(
    r"^(?:\s*(?:,|\band\b|\bor\b|,\s*and\b)\s*(?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)*"
    r"(?:\s*,\s*(?:to name (?:but )?a few|among others|for example))?\s*[—–]?"
)


_INSTITUTION_AFTER = re.compile(r"^['’]s(?:\s+(?:[A-Z][\w&-]*|of|for|and|the))+")
# The setting, not a side: "footage of the war in Ukraine", "amid a row with Russia".
_SANCTIONED_FOR = re.compile(
    r"[^.;]{0,80}?\bfor\s+(?:its|their|his|her)\s+(?:role|part|involvement)\s+in\b", re.IGNORECASE
)
_SETTING_BEFORE = re.compile(
    r"\b(?:war|wars|invasion|conflict|fighting|occupation|annexation|sanctions|row|dispute|tensions|standoff|"
    r"spat|feud)\s+(?:in|of|on|against|over|with)"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)


# Named bodies that report or are hit but never attack: government bodies and companies.
_NEVER_ATTACKERS = ("institution", "company")


def _role(sentence: str, mention: Mention, first: int) -> str:
    """ "attacker", "victim", or "" (who reports, or a malware name after the operation word),
    from the sentence's shape around the mention; ``first`` is where the operation word is."""
    if mention.kind in _NEVER_ATTACKERS:
        # a government body or a company ("the Justice Department", "NASA", "Citrix") reports or
        # is hacked, never attacks: the victim only in a victim's slot ("the networks of NASA",
        # "Citrix said … hackers gained access to its network") or plainly hit ("NASA was
        # breached"), not merely for standing after the operation word ("…," the IRS explained)
        before, after = _windows(sentence, mention)
        slotted = _VICTIM_BEFORE.search(before) or _plainly_victim(before, after)
        return "victim" if slotted or _in_named_victim_slot(sentence, mention) else ""
    return _role_by_shape(sentence, mention, first)


def _in_named_victim_slot(sentence: str, mention: Mention) -> bool:
    return any(match.start(1) <= mention.start < match.end(1) for match in _victim_slots(sentence))


def _victim_slots(sentence: str) -> Iterable[re.Match[str]]:
    """Each proper name in a victim's slot ("hit X", "X's customers", "X said … its network"), in
    slot order; group 1 is the name."""
    for pattern in _VICTIM_SLOTS:
        yield from pattern.finditer(sentence)


def _role_by_shape(sentence: str, mention: Mention, first: int) -> str:
    before, after = _windows(sentence, mention)
    if mention.kind == "country" and _SETTING_BEFORE.search(before):
        # the war or the sanctions a country is in is its setting, unless it is sanctioned for
        # its role in the operation ("sanctions on Iran's intelligence ministry for its role in a
        # July cyberattack")
        return "attacker" if _SANCTIONED_FOR.match(sentence, mention.end) else ""
    agent_before = _agent_before(before)
    if mention.kind == "malware":
        return "attacker" if agent_before or mention.start < first or first < 0 else ""
    if mention.kind == "target":
        return "victim"
    if mention.kind == "generic":
        # "hackers", "cybercriminals": the attacker's own noun, often the first operation word
        # itself; a victim only when the sentence plainly makes it one
        return "victim" if _plainly_victim(before, after) else "attacker"
    slot = _VICTIM_BEFORE.search(before) if mention.start > 0 else None
    victim_slot = slot is not None
    if mention.kind in ("group", "aligned") or _AGENT_AFTER.search(after) or _ACTIVE_AFTER.search(after):
        # a threat-actor group, "Russia-linked" / "Chinese hackers", the subject of "hacked the
        # …": the attacker unless the sentence plainly makes it the target ("of APT33" is not)
        victim = (_plainly_victim(before, after) or _strict_slot(slot)) and not agent_before
        return "victim" if victim else "attacker"
    if _plainly_victim(before, after):
        return "victim"
    # "The United States, the European Union, Britain and NATO formally accused …": a list reports
    # (a list ends with "and" / "or": ", Microsoft said" is a reporter after the name, not a list)
    # "Britain's National Cyber Security Centre and the US National Security Agency said": the
    # institution's name stands between the country and its verb
    institution = _INSTITUTION_AFTER.match(after)
    if institution is not None:
        after = " " + after[institution.end() :].lstrip()
    tail = _LIST_TAIL.match(after)
    listed = (
        " " + after[tail.end() :].lstrip()
        if tail is not None
        and re.search(r"\b(?:and|or)\b", tail.group(0))
        and not _VICTIM_BEFORE.search(before)
        else after
    )
    if not agent_before and (reporter := _REPORTER_AFTER.search(listed)):
        # who reports: a victim only when it reports its own loss ("Iran said it was hit")
        return "victim" if _REPORTED_OWN_LOSS.search(listed[reporter.end() :]) else ""
    if agent_before:
        return "attacker"
    if victim_slot:
        return "victim"
    return "attacker" if mention.start < first else "victim"


_MALWARE_ATTACK = re.compile(
    r"\b(?:attacks?|attacked|targeted|targeting|outbreak|infections?|campaign|operation)\b", re.IGNORECASE
)
_CLAIMANT = re.compile(
    # "The Cyber Fighters of Izz ad-Din al-Qassam claimed responsibility": a group the gazetteers
    # do not know, named by its own claim
    r"((?:[A-Z][\w’'.-]*)(?:\s+(?:[A-Z][\w’'.-]*|of|the|al-[\w-]+|ad-[\w-]+|el-[\w-]+))*)\s+"
    r"(?:has\s+|have\s+|had\s+)?(?:claimed|claims|took)\s+(?:responsibility|credit)"
)


def _attribute_in_clause(event: Event, clause: str) -> None:
    """ "…; US officials later blamed Iran for the attack": a clause with no operation of its
    own that names who was behind the one before, when that one has no attacker state yet."""
    if event.attacker_countries:
        return
    culprit = named_culprit(clause)
    if culprit is not None and culprit.countries:
        _blame(event, culprit)


# A sentence that says who was behind an operation told before it: "Ukraine's SBU blamed Russia
# for the attack", "APT29 … was behind the operation", "A group calling itself the Cutting Sword
# of Justice claimed responsibility", "DarkSide … was responsible".
_BEHIND = re.compile(
    r"\b(?:behind|responsible|blamed|blames|blaming|attributed|attributes|accused|accuses|claimed|claims|"
    r"originated|traced|carried out|conducted|perpetrated|orchestrated|masterminded|the work of|"
    r"perpetrators?|culprits?|"
    r"took credit|pointed the finger|pointed to|points to|pointing to|"
    r"used by|"
    # "Security researchers linked the attack to APT28"
    r"(?:linked|links|tied|ties)\s+(?:the|this|that|these|those|it|them))\b",
    re.IGNORECASE,
)
_OPERATION_REFERENCE = re.compile(
    r"\b(?:the|this|that|these|those|its|their)\s+(?:[\w-]+\s+){0,2}?(?:attacks?|operations?|campaigns?|"
    r"hacks?|breach(?:es)?|intrusions?|cyberattacks?|cyber-attacks?|incidents?|virus|malware|worm|wiper|"
    r"ransomware)\b|\bresponsib(?:le|ility)\b|\b(?:claimed|took) credit\b|\bbehind (?:it|them)\b|"
    r"\b(?:was|were|is|are)\s+(?:the\s+)?(?:most\s+)?(?:likely\s+|probable\s+|prime\s+|main\s+)?"
    r"(?:culprits?|perpetrators?)\b",
    re.IGNORECASE,
)
_BEHIND_AFTER = re.compile(
    r"^[\s,]*(?:(?:was|were|is|are|had been|has been)\s+)?(?:(?:likely|probably|possibly|also|allegedly|"
    r"reportedly|ultimately)\s+)?(?:behind|responsible|orchestrated|carried out|conducted|perpetrated|"
    r"masterminded|launched)\b|"
    # "named Russia's foreign intelligence service, the SVR, as the perpetrator"
    r"^(?:[^.;]{0,60}?)\bas\s+the\s+(?:perpetrators?|culprits?|authors?)\b|"
    # "China was the most likely culprit"
    r"^\s+(?:was|were|is|are)\s+(?:the\s+)?(?:most\s+)?(?:likely\s+|probable\s+|prime\s+|main\s+)?"
    r"(?:culprits?|perpetrators?|suspects?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Culprit:
    """Who a later sentence says was behind an operation, and how surely."""

    countries: list[str]
    groups: list[str]
    malware: list[str]
    level: str
    aligned: list[str] = field(default_factory=list)
    """States whose aligned operators ("a pro-Russian hacker group") are the culprit."""


def _claimant(sentence: str) -> tuple[str, str] | None:
    """(group, country) of "<Name> claimed responsibility", through the gazetteer when it knows
    the spelling ("Cutting Sword of Justice"), else the name as written."""
    claim = _CLAIMANT.search(sentence)
    if claim is None:
        return None
    name = re.sub(r"^(?:The|the)\s+", "", claim.group(1)).strip()
    actor = default_gazetteer().resolve(name)
    if actor is not None:
        return actor.name, actor.country or ""
    if len(name) > 3 and not known_country_code(name):
        return name, ""
    return None


# "Microsoft calls the group Volt Typhoon", "the hackers, known as APT29": a later sentence naming
# the group behind an operation told before it
_NAMING = re.compile(
    rf"\b(?:calls?|dubs?|tracks?\s+(?:it\s+|them\s+)?as|{_NAMING_WORDS})\b",
    re.IGNORECASE,
)
_TIED = re.compile(
    r"\b(?:linked|tied|connected|affiliated)\s+(?:closely\s+)?(?:to|with)|\b(?:backed|sponsored|directed)\s+by|"
    r"\bworking\s+(?:for|on behalf of)|\bon behalf of",
    re.IGNORECASE,
)
# "Ukrainian officials blamed Russia's security services.": blame with nothing else blamed for,
# which can only be the operation just told
_BARE_BLAME = re.compile(
    r"\b(?:blamed|blames|blaming|accused|accuses|accusing|pointed to|points to|pointing to)\b"
    r"(?![^.;]*\b(?:for|over|of)\b)[^.;]*[.;!]?\s*$",
    re.IGNORECASE,
)
_GROUP_REFERENCE = re.compile(
    r"\b(?:the|this|that)\s+(?:same\s+)?(?:group|hackers|attackers|actor|threat\s+actor|campaign|operation|"
    r"gang|crew)\b",
    re.IGNORECASE,
)


def named_culprit(sentence: str) -> Culprit | None:
    """The culprit of an earlier operation that this sentence names, or None. Who blames or
    attributes is not the culprit ("Ukraine's SBU blamed Russia"): only names in an agent's
    slot ("blamed X", "attributed … to X", "X was behind", "from X") or groups."""
    referred = _GROUP_REFERENCE.search(sentence)
    naming = bool(_NAMING.search(sentence) and referred)
    # "The group is widely believed to be linked to Israel": the group told of before, tied to a state
    tied = bool(referred and _TIED.search(sentence))
    if not (_BEHIND.search(sentence) or naming or tied):
        return None
    found = _mentions(sentence)
    if not (
        naming
        or tied
        or _OPERATION_REFERENCE.search(sentence)
        or any(m.kind == "malware" for m in found)
        or _BARE_BLAME.search(sentence)
    ):
        return None
    countries: set[str] = set()
    groups: set[str] = set()
    malware: set[str] = set()
    aligned: set[str] = set()
    for mention in found:
        if _is_source(sentence, mention):
            continue
        before, after = _windows(sentence, mention)
        if mention.kind == "malware":
            malware.add(mention.name)
        elif mention.kind == "group":
            groups.add(mention.name)
            countries.update([mention.country] if mention.country else [])
        elif mention.kind == "aligned":
            # "A pro-Russian hacker group claimed responsibility": operators aligned with a state
            aligned.add(mention.country)
        elif (
            mention.country
            and mention.kind not in _NEVER_ATTACKERS
            and (_agent_before(before) or _BEHIND_AFTER.search(after) or _AGENT_AFTER.search(after))
        ):
            countries.add(mention.country)
    claimant = _claimant(sentence) if not (groups or aligned) else None
    if claimant is not None:
        groups.add(claimant[0])
        countries.update([claimant[1]] if claimant[1] else [])
    aligned -= countries
    countries |= aligned
    if not (countries or groups):
        return None
    return Culprit(
        sorted(countries), sorted(groups), sorted(malware), _attribution(sentence), sorted(aligned)
    )


def _blame(event: Event, culprit: Culprit) -> None:
    """Give an earlier event the culprit a later sentence names."""
    states = set(event.attacker_countries) - set(event.aligned_countries)
    event.aligned_countries = sorted({*event.aligned_countries, *culprit.aligned} - states)
    event.attacker_countries = sorted({*event.attacker_countries, *culprit.countries})
    event.attacker_groups = sorted({*event.attacker_groups, *culprit.groups})
    event.malware = sorted({*event.malware, *culprit.malware})
    event.victim_countries = [c for c in event.victim_countries if c not in culprit.countries]
    if LEVELS.index(culprit.level) < LEVELS.index(event.attribution):
        event.attribution = culprit.level


def _blamed_event(events: list[Event], culprit: Culprit) -> Event | None:
    """The operation a culprit sentence refers to: the latest of the last three with a victim
    whose attacker is unknown or the culprit's own state, sharing the malware if it names one;
    else the latest with an unknown attacker ("used the BlackEnergy malware …", then "linked
    the attack to a group known as Sandworm")."""
    candidates = [e for e in reversed(events[-3:]) if _has_victim(e)]
    for event in candidates:
        if culprit.malware and event.malware and not set(culprit.malware) & set(event.malware):
            continue
        unknown = not _names_culprit(event)
        # a group of no known state ("Predatory Sparrow"), then "the group is linked to Israel"
        stateless = bool(event.attacker_groups) and not event.attacker_countries and not culprit.groups
        if unknown or stateless or set(event.attacker_countries) & set(culprit.countries):
            return event
    return next((e for e in candidates if not _names_culprit(e)), None)


@dataclass(frozen=True, slots=True)
class OperationMention:
    """The operation wording of a sentence, whether or not the operation happened. CASIE and
    similar corpora annotate every mention ("attackers could steal more data", "no data was
    taken"); Seawall records as events only the ones the text says happened (``actual``)."""

    types: list[str]
    techniques: list[str]
    first: int
    """Position of the first operation word."""
    actual: bool
    """False when the sentence says it did not, might, could or would happen."""
    mentions: list[Mention] | None = None
    """The sentence's names, when finding the operation needed them."""
    capability: bool = False
    """True when the sentence tells what a flaw would let someone do ("a bug that could let an
    attacker steal passwords"): what a vulnerability makes possible, not an operation. CASIE
    files it as the Capabilities of a vulnerability event, not as an attack mention."""


def operation_mention(sentence: str) -> OperationMention | None:
    """The operation types a sentence mentions, or None when it mentions none."""
    types, techniques, first = _trigger_positions(sentence)
    found: list[Mention] | None = None
    if not types and _MALWARE_ATTACK.search(sentence):
        # "the NotPetya attack": a known malware named with an attack word is an operation; so
        # is a threat-actor group's ("Lazarus was behind five attacks on exchanges"), whose
        # attacks are cyber operations by what it is
        found = _mentions(sentence)
        known = [m for m in found if m.kind == "malware"]
        actors = [m for m in found if m.kind in ("group", "aligned")]
        if known:
            malware_type = next(t for t in lexicon().types if t.name == "malware")
            types, techniques, first = ["malware"], list(malware_type.attack), known[0].start
        elif actors:
            word = _MALWARE_ATTACK.search(sentence)
            types, techniques, first = [GENERIC], [], word.start() if word else actors[0].start
    if not types:
        return None
    if len(types) > 1 and GENERIC in types:
        types.remove(GENERIC)
    actual = not lexicon().not_event.search(sentence)
    capability = not actual and bool(lexicon().vulnerability.search(sentence))
    return OperationMention(types, techniques, first, actual, found, capability)


# The verbs and prepositions after which an operation's target stands: "targeting X", "hit X".
_TARGETING = (
    r"targeting|targeted|targets|against|hit|breached|attacked|compromised|infected|hacked|crippled|disrupted|"
    r"paralysed|paralyzed|struck|infiltrated|penetrated"
)

# A victim the gazetteers do not know (a company, a town, a hospital), read from a proper name in
# a victim's slot. Written by hand: no tagger we may ship names organisations offline.
_PROPER_WORD = r"(?:[A-Z][\w&'’-]*|[A-Z]\.(?:[A-Z]\.)+)"
_PROPER = rf"{_PROPER_WORD}(?:\s+(?:(?:of|for)\s+(?:the\s+)?|and\s+|&\s+)?{_PROPER_WORD})*"
_VICTIM_SLOTS = (
    # "hit Columbia Sportswear", "against the Canadian town of Midland"
    re.compile(
        rf"\b(?:{_TARGETING}|attacks? on|cyberattacks? on|cyber-attacks? on|hacks? of|hacking of|"
        r"breach(?:es)? of|hack(?:ed|ing)? into|broke into|break into|breaking into|"
        r"spied on|spying on|spies on|spy on)\s+"
        rf"(?:the\s+(?:\w+\s+){{0,2}}?)?({_PROPER})"
    ),
    # "the Marriott hack", "the Equifax breach": the name before the operation noun
    re.compile(rf"\b({_PROPER})\s+(?:hack|data breach|breach|cyberattack|cyber-attack|intrusion)\b"),
    # "Wonga's customers", "Lloyds customers", "ABTA's web server"
    re.compile(
        rf"\b({_PROPER})(?:['’]s)?\s+(?:\w+\s+)?(?:customers|users|employees|patients|staff|students|members|"
        r"clients|subscribers|servers?|systems?|networks?|database|databases|website|records|accounts)\b"
    ),
    # "the customer records of Wonga", "the networks of the Bundestag"
    re.compile(
        r"\b(?:customers|users|employees|patients|staff|students|members|clients|subscribers|servers?|"
        r"systems?|networks?|database|databases|website|websites|records|accounts|data|emails|files)\s+"
        rf"(?:of|at|from)\s+(?:the\s+)?({_PROPER})"
    ),
    # "stole blueprints of warships from Daewoo Shipbuilding": whom a theft took from
    re.compile(
        r"\b(?:stole|stolen|steal|steals|stealing|exfiltrated|siphoned)\s+(?:[\w,'’-]+\s+){0,6}?from\s+"
        rf"(?:the\s+)?({_PROPER})"
    ),
    # "Citrix said … hackers gained access to its internal network": who reports its own loss
    re.compile(
        rf"\b({_PROPER})\s+(?:says|said|confirmed|disclosed|announced|reported)\b[^.;]{{0,120}}?\b(?:its\s+"
        r"(?:[\w-]+\s+){0,2}?(?:network|networks|systems?|servers?|computers?|e-?mails?|website|databases?|data|"
        r"files|documents|records)|(?:would|will|had|has)?\s*cost\s+it)\b"
    ),
    # "Wonga suffered a breach", "Columbia is investigating an attack", "Midland was hit"
    re.compile(
        rf"\b({_PROPER})(?:\s*,[^,]{{1,60}},\s+|\s+)(?:{_SUFFERED}|"
        r"(?:is investigating|was investigating|has been|had been|was|were)\s+(?:\w+\s+){0,3}?"
        r"(?:breach|attack|ransom|hit|hacked|breached|compromised|targeted|attacked|infected|victim)|"
        # the headline's "JBS hit by ransomware"
        r"(?:hit|hacked|breached|targeted|attacked)\s+(?:by|in|with)\b)"
    ),
)
_NOT_A_VICTIM_NAME = re.compile(
    r"^(?:The|This|That|These|Those|It|Its|In|On|At|A|An|But|And|However|Last|Earlier|According|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|"
    r"July|August|September|October|November|December|Hackers?|Attackers?|Cybercriminals?|Criminals?|"
    r"Scammers?|Researchers?|Police|Officials?|We|Our|They|Their|His|Her|You|Your|If|When|After|Before|"
    r"Since|While|As|For|With|From|By|So|Some|Many|All|Most|Other|New|Several|One|Two|Such|Leaked|Stolen|"
    r"Business|Users?|Customers?|C&C)$"
)


def _named_victims(sentence: str) -> list[str]:
    """Proper names in a victim's slot of an operation sentence, once each, in slot order."""
    found: list[str] = []
    for match in _victim_slots(sentence):
        words = re.sub(r"['’]s$", "", match.group(1)).split()
        while words and _NOT_A_VICTIM_NAME.match(words[0]):
            words.pop(0)
        while words and _NOT_A_VICTIM_NAME.match(words[-1]):
            words.pop()
        name = " ".join(words).rstrip(".")
        if (
            name
            and name not in found
            and not _known_or_reporting(name)
            and not _GENERIC_ATTACKER.fullmatch(name)
        ):
            found.append(name)
    return found


# Who was targeted when no one is named: "targeting Gmail users", "tricked employees of US
# energy firms into", "customers of the bank were hit".
_VICTIM_GROUP = re.compile(
    rf"\b(?:{_TARGETING}|hitting|tricking|tricked|trick|tricks|affecting|affected|infecting|duping|duped|"
    r"lure|lured|luring|scamming|scammed|extorting)\s+"
    r"((?:(?:the|its|their|some|many|several|hundreds of thousands of|thousands of|millions of|"
    r"[\d,.]+(?: million)?)\s+)?"
    r"(?:[\w&'’-]+\s+){0,3}?(?:users|customers|employees|staff|victims|people|consumers|patients|students|"
    r"account holders|subscribers|clients|members|organi[sz]ations|companies|businesses|firms|banks|"
    r"hospitals|schools|universities|journalists|activists|dissidents|officials|individuals|owners|"
    r"administrators|devices|routers|computers|machines|smartphones)"
    r"(?:\s+of\s+(?:[\w&'’-]+\s+){0,3}?[\w&'’-]+)?)",
    re.IGNORECASE,
)


def _victim_groups(sentence: str) -> list[str]:
    """The people or organisations an operation targeted, described rather than named."""
    return list(dict.fromkeys(" ".join(m.group(1).split()) for m in _VICTIM_GROUP.finditer(sentence)))


def _known_or_reporting(name: str) -> bool:
    """A country, a name the gazetteers know (its role comes from the mention rules) or a vendor
    or outlet (who reports): not a victim read from its slot."""
    lex = lexicon()
    if known_country_code(name):
        return True
    return bool(lex.source_pattern.fullmatch(name)) or name in lex.name_table


# What may stand between two names of one list of state bodies: "Russian military intelligence,
# Iran's Revolutionary Guard and the Chinese …"
_STATE_BODY_LIST = re.compile(
    r"(?:['’]s)?(?:\s+(?:[A-Z][\w-]*|military|intelligence|services?|security|government|governments|army|"
    r"agency|agencies))*\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)(?:the\s+)?"
)
_COORDINATED = re.compile(r"\s*(?:,\s*(?:and|or)?|and|or)\s+(?:the\s+)?")
# "The US suffered the most attacks, followed by Germany": the ranking goes on with the same role.
_FOLLOWED_BY = re.compile(r",\s*followed\s+(?:closely\s+)?by\s+(?:the\s+)?$", re.IGNORECASE)


def _institution_follows(sentence: str, mention: Mention) -> bool:
    """True when a country's adjective or possessive stands right before a victim noun
    ("Turkish Ministry of Culture", "Colombia's national police", "Venezuelan government pages")."""
    after = sentence[mention.end : mention.end + 40]
    head = re.match(r"(?:['’]s)?\s+((?:[\w&-]+\s+){0,2}[\w&-]+)", after)
    return bool(head and _sectors(head.group(1)))


def _operation_just_before(sentence: str, start: int) -> bool:
    """True when an operation or targeting word stands a few words before ``start``, in the
    same clause ("breached the servers of the Turkish Ministry"): the object of the operation,
    not a country named elsewhere in the sentence."""
    window = _CLAUSE_BREAK.split(sentence[max(0, start - 60) : start])[-1]
    if re.search(rf"\b(?:{_TARGETING}|defaced|defaces|leaked|leaks|leak)\b", window, re.IGNORECASE):
        return True
    return any(
        kind.terms.search(window)
        or (kind.weak_terms is not None and kind.weak_terms.search(window))
        or (kind.near_terms is not None and kind.near_terms.search(window))
        for kind in lexicon().types
    )


def _group_in_context(mention: Mention, stated: set[str]) -> Mention:
    """The actor a colliding alias means where the sentence states its state: "Russian
    state-sponsored hacking group IRIDIUM" is the Sandworm cluster Microsoft calls IRIDIUM, not
    the Iranian IRIDIUM the gazetteer chose for the bare name. Only among the candidates the
    gazetteer recorded for that alias, so the choice stays explainable."""
    if not stated or mention.country in stated:
        return mention
    gazetteer = default_gazetteer()
    recorded = gazetteer.resolutions.get(alias_key(mention.text), {}).get("candidates", [])
    for candidate in recorded if isinstance(recorded, list) else []:
        actor = gazetteer.resolve(candidate)
        if actor is not None and actor.country in stated:
            return Mention(mention.start, mention.end, mention.text, "group", actor.country, actor.name)
    return mention


# What a state runs or guards itself, whose attack its own officials report: "the servers of
# several state institutions", "water facilities"
_STATE_RUN_SECTORS = frozenset({"government", "military", "intelligence", "water", "energy", "nuclear"})


def _reporting_state_as_victim(
    sentence: str, mentions: list[Mention], roles: list[str], attackers: list[str]
) -> list[str]:
    """ "Montenegro's government said a cyberattack had hit the servers of several state
    institutions": a state that reports an attack on what a state runs (government, military,
    water, energy) without placing it is telling of its own. Only one reporting state, and not
    one named as attacker."""
    reporting = {
        m.country
        for m, role in zip(mentions, roles, strict=True)
        if role == ""
        and m.kind == "country"
        and m.country not in attackers
        and _REPORTER_AFTER.search(_INSTITUTION_AFTER.sub("", _windows(sentence, m)[1], count=1))
    }
    return sorted(reporting) if len(reporting) == 1 else []


def _clause_event(sentence: str, anchor: date | None, precision: str) -> Event | None:
    operation = operation_mention(sentence)
    if operation is None or not operation.actual:
        return None
    types, techniques, first = operation.types, operation.techniques, operation.first
    attackers: list[Mention] = []
    victims: list[Mention] = []
    found = _mentions(sentence) if operation.mentions is None else operation.mentions
    mentions = [m for m in found if not _is_source(sentence, m)]
    # Drop mentions inside a longer one ("US" inside "US Cyber Command").
    mentions = [
        m for m in mentions if not any(o is not m and o.start <= m.start and m.end <= o.end for o in mentions)
    ]
    mentions.sort(key=lambda m: m.start)
    roles = [_role(sentence, mention, first) for mention in mentions]
    for position in range(1, len(mentions)):
        # a country coordinated with the one before it shares its role: "the Chinese and Iranian
        # governments", "originated from Iran or Ukraine"
        previous, mention = mentions[position - 1], mentions[position]
        between = sentence[previous.end : mention.start]
        if (
            previous.kind == mention.kind == "country"
            and roles[position - 1] in ("attacker", "victim")
            and (_COORDINATED.fullmatch(between) or _FOLLOWED_BY.search(between))
        ) or (
            # a list of state bodies after an agent's cue: "groups linked to Russian military
            # intelligence, Iran's Revolutionary Guard and the Chinese and North Korean governments"
            roles[position - 1] == "attacker"
            and previous.kind in ("country", "organisation")
            and mention.kind in ("country", "organisation")
            and _STATE_BODY_LIST.fullmatch(between)
        ):
            roles[position] = roles[position - 1]
    for position in range(len(mentions) - 1, 0, -1):
        # who reports together reports: "The FBI and the Department of Homeland Security released a
        # report …" (the window of the first name does not reach the verb)
        previous, mention = mentions[position - 1], mentions[position]
        if (
            previous.kind in ("organisation", *_NEVER_ATTACKERS)
            and mention.kind in ("organisation", *_NEVER_ATTACKERS)
            and roles[position] == ""
            and _COORDINATED.fullmatch(sentence[previous.end : mention.start])
        ):
            roles[position - 1] = ""
    for mention, role in zip(mentions, roles, strict=True):
        if role == "attacker":
            attackers.append(mention)
        elif role == "victim":
            victims.append(mention)
    stated = {m.country for m in attackers if m.kind == "country"}
    attackers = [_group_in_context(m, stated) if m.kind == "group" else m for m in attackers]
    attacker_countries = sorted({m.country for m in attackers if m.country and m.kind != "malware"})
    aligned = sorted(
        {m.country for m in attackers if m.kind == "aligned"}
        - {m.country for m in attackers if m.kind not in ("aligned", "malware")}
    )
    # A state's own institution named as the victim ("Turkish hackers defaced the Turkish
    # Ministry of Culture") is a domestic operation: the country stays a victim although its
    # nationals attacked; a bare country name that also stands for the attacker does not.
    domestic = {
        m.country
        for m in victims
        if m.kind == "country"
        and m.country in attacker_countries
        and _institution_follows(sentence, m)
        and _operation_just_before(sentence, m.start)
    }
    if {m.country for m in victims if m.country} - set(attacker_countries):
        domestic = set()  # "Indian hackers defaced Pakistani websites after Indian portals were hacked"
    victim_countries = sorted(
        {m.country for m in victims if m.country} - (set(attacker_countries) - domestic)
    )
    victims = [m for m in victims if not (m.country and m.country in set(attacker_countries) - domestic)]
    victim_text = [
        m.text
        if _PASSIVE_AFTER.search(sentence[m.end : m.end + 60])
        or _HEADLINE_PASSIVE_AFTER.search(sentence[m.end : m.end + 60])
        # "authorities in Tallinn moved a memorial": a place, not the start of a victim's name
        or (m.kind == "country" and _loose_slot(sentence, m))
        else _noun_phrase(sentence, m.start)
        for m in victims
    ]
    victim_text = [t for m, t in zip(victims, victim_text, strict=True) if m.kind != "generic"]
    victims = [m for m in victims if m.kind != "generic"]
    if not victims and first >= 0:
        victim_text = _named_victims(sentence) or _victim_groups(sentence)
    sectors: list[str] = sorted({s for m in victims for s in _sectors(_victim_window(sentence, m.start))})
    if any(m.kind == "institution" for m in victims):
        sectors = sorted({*sectors, "government"})  # "NASA", "the IRS": a government body
    if any(m.kind == "company" for m in victims) and not sectors:
        sectors = ["business"]  # "Citrix", "Mitsubishi Electric": a company of no sector named
    for m in victims:
        if m.kind == "country" and _loose_slot(sentence, m):
            # "research from academic and pharmaceutical institutions in Britain": what was hit in
            # the place stands before it, in the same clause
            clause = _CLAUSE_BREAK.split(sentence[max(0, m.start - 60) : m.start])[-1]
            sectors = sorted({*sectors, *_sectors(clause)})
    if first >= 0 and not sectors:
        targeted = re.search(
            rf"\b(?:{_TARGETING}|on|at|into|defaced|spied on)\s+(.{{0,120}})",
            sentence[first:],
            re.IGNORECASE,
        )
        if targeted:
            sectors = _sectors(targeted.group(1))
    groups = {m.name for m in attackers if m.kind == "group"}
    claimant = _claimant(sentence) if not groups and not attacker_countries else None
    if claimant is not None:  # a spelling the mention table lacks, or a group it does not know
        groups.add(claimant[0])
        attacker_countries = [claimant[1]] if claimant[1] else []
        victim_countries = [c for c in victim_countries if c not in attacker_countries]
    if not victim_countries and set(sectors) & _STATE_RUN_SECTORS:
        victim_countries = _reporting_state_as_victim(sentence, mentions, roles, attacker_countries)
    event = Event(
        attacker_countries=attacker_countries,
        aligned_countries=[c for c in aligned if c in attacker_countries],
        attacker_groups=sorted(groups),
        attacker_text=[
            m.text for m in attackers if m.kind in ("organisation", "person", "group", "aligned", "generic")
        ],
        malware=sorted({m.name for m in mentions if m.kind == "malware"}),
        victim_countries=victim_countries,
        victim_sectors=sectors,
        victim_text=[t for t in victim_text if t],
        types=types,
        techniques=techniques,
        date=resolve(sentence, anchor, precision),
        sources=_sources(sentence),
        attribution=_attribution(sentence),
    )
    return event


# -- one article --------------------------------------------------------------------------------
def _merge_into(target: Event, other: Event) -> None:
    def union(a: list[Any], b: list[Any]) -> list[Any]:
        return list(dict.fromkeys([*a, *b]))

    domestic = (set(target.victim_countries) & set(target.attacker_countries)) | (
        set(other.victim_countries) & set(other.attacker_countries)
    )
    # aligned only while neither report names the state itself
    states = (set(target.attacker_countries) - set(target.aligned_countries)) | (
        set(other.attacker_countries) - set(other.aligned_countries)
    )
    target.aligned_countries = sorted((set(target.aligned_countries) | set(other.aligned_countries)) - states)
    target.attacker_countries = sorted(set(target.attacker_countries) | set(other.attacker_countries))
    target.attacker_groups = sorted(set(target.attacker_groups) | set(other.attacker_groups))
    target.attacker_text = union(target.attacker_text, other.attacker_text)
    target.malware = sorted(set(target.malware) | set(other.malware))
    target.victim_countries = sorted(
        (set(target.victim_countries) | set(other.victim_countries))
        - (set(target.attacker_countries) - domestic)
    )
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


_PRECISION = {"day": 0, "week": 1, "month": 2, "year": 3}


def _finer(a: EventDate, b: EventDate) -> bool:
    return bool(a.text) and (not b.text or _PRECISION[a.precision] < _PRECISION[b.precision])


def _same_time(a: Event, b: Event, published: EventDate | None) -> bool:
    """Within one article a sentence without date words tells of the time of writing: it is
    not the same operation as one dated years before (the headline "Iranian hackers step up
    attacks" is not the 2018 SamSam attack three paragraphs down), unless both name the same
    malware ("In 2010 … Stuxnet …", then "Stuxnet disrupted the centrifuges")."""
    if published is None or (a.date is None) == (b.date is None) or set(a.malware) & set(b.malware):
        return True
    return overlaps(a.date or published, b.date or published)


def _same_operation(a: Event, b: Event) -> bool:
    """Whether two candidates describe one operation: compatible dates, no conflicting
    attackers or victims, and a shared attacker, victim or malware."""
    if a.malware and b.malware:
        return bool(set(a.malware) & set(b.malware))
    if (
        not overlaps(a.date, b.date)
        and a.date is not None
        and b.date is not None
        and a.date.text
        and b.date.text
    ):
        return False
    attackers_a, attackers_b = set(a.attacker_countries), set(b.attacker_countries)
    victims_a, victims_b = set(a.victim_countries), set(b.victim_countries)
    if attackers_a and attackers_b and attackers_a != attackers_b:
        return False
    if victims_a and victims_b and not victims_a & victims_b:
        return False
    if (a.malware or b.malware) and not (attackers_a and attackers_b):
        return False
    return bool(attackers_a and attackers_a == attackers_b) or bool(victims_a & victims_b)


def extract_events(article: Article) -> list[Event]:
    """The cyber operations an article reports, merged within the article."""
    anchor, precision = parse_published(article.published)
    fallback = publication_date(anchor, precision)
    events: list[Event] = []
    publisher = [Source(article.outlet, "publisher")] if article.outlet else []
    carried: list[Source] = []
    paragraph_of = _paragraph_index(article.text)
    current_paragraph = -1
    named: tuple[int, Event] | None = None
    """The last event whose attacker the text named, with its paragraph."""
    latest: tuple[int, Event] | None = None
    """The last event read, with its paragraph."""
    for sentence in sentences(article.text):
        paragraph = paragraph_of.get(sentence, current_paragraph)
        if paragraph != current_paragraph:
            carried, current_paragraph = [], paragraph
        # who the sentence says was behind an operation, read once for the three uses below
        culprit = named_culprit(sentence)
        previous = events[-1] if events else None
        if (
            previous is not None
            and _ATTRIBUTION_SENTENCE.search(sentence)
            and (_BACK_REFERENCE.search(sentence) or any(m in sentence for m in previous.malware))
        ):
            # whom the sentence puts in an agent's slot ("attributed NotPetya to the Russian
            # military", not the British and US governments who attribute); else every country it
            # names ("The virus is widely believed to be a US/Israeli cyberweapon")
            countries = (
                culprit.countries
                if culprit is not None and culprit.countries
                else sorted({m.country for m in _mentions(sentence) if m.country and m.kind != "malware"})
            )
            if countries and not previous.attacker_countries and previous.malware:
                previous.attacker_countries = countries
                previous.victim_countries = sorted(set(previous.victim_countries) - set(countries))
                previous.attribution = _attribution(sentence)
                previous.evidence = [*previous.evidence, _evidence(article, sentence)]
                previous.sources = list(dict.fromkeys([*previous.sources, *_sources(sentence)]))
                continue
        told = sentence_events(sentence, anchor, precision)
        event: Event | None = told[0] if told else None
        for other in told[1:]:  # a second operation the same sentence tells, the other way round
            other.evidence = [_evidence(article, sentence)]
            events.append(other)
        if event is None or not _has_victim(event):
            blamed = _blamed_event(events, culprit) if culprit is not None else None
            if culprit is not None and blamed is not None:
                _blame(blamed, culprit)
                if event is not None:
                    blamed.types = list(dict.fromkeys([*blamed.types, *event.types]))
                    blamed.techniques = sorted({*blamed.techniques, *event.techniques})
                blamed.evidence = [*blamed.evidence, _evidence(article, sentence)]
                blamed.sources = list(dict.fromkeys([*blamed.sources, *_sources(sentence)]))
                named = (paragraph, blamed)
                continue
        if event is not None and not _names_culprit(event) and culprit is not None:
            # "named Russia's SVR as the perpetrator of the SolarWinds hack, which compromised nine
            # federal agencies": the culprit of this very operation, in a clause of its own
            _blame(event, culprit)
        if event is None:
            # "According to CBS, ..." with no operation in it: CBS reports what the paragraph says next.
            if _REPORTING.search(sentence):
                carried = list(dict.fromkeys([*carried, *_sources(sentence)]))
            continue
        event.evidence = [_evidence(article, sentence)]
        event.sources = list(dict.fromkeys([*event.sources, *carried]))
        if (
            named is not None
            and paragraph - named[0] <= 1
            and not _has_attacker(event)
            and _OPERATION_ANAPHOR.match(sentence)
        ):
            # "The attack hit more than 200,000 computers and disrupted Britain's NHS": more victims
            # of the operation just told
            _merge_into(named[1], event)
            continue
        refers_back = named is not None and paragraph - named[0] <= 1 and bool(_ANAPHOR.match(sentence))
        if named is not None and refers_back and not _names_culprit(event):
            if not _has_victim(event):
                # "Prosecutors said the officers used spear-phishing emails to steal passwords":
                # more of how the operation just told was done
                _describe_further(named[1], event)
                continue
            _inherit_attacker(event, named[1])
        elif (
            latest is not None
            and latest[0] == paragraph
            and not _names_culprit(event)
            and _ANAPHOR.match(sentence)
        ):
            # "Hackers caused a blackout … The attackers used the BlackEnergy malware to break
            # into …": the same unnamed attackers, so the same operation told further
            _merge_into(latest[1], event)
            continue
        stored = next(
            (e for e in reversed(events) if _same_operation(e, event) and _same_time(e, event, fallback)),
            None,
        )
        if stored is None:
            events.append(event)
            stored = event
        else:
            _merge_into(stored, event)
        if _has_attacker(stored) and _has_victim(stored):
            named = (paragraph, stored)
        latest = (paragraph, stored)
    headline = _headline_event(article, anchor, precision)
    if headline is not None:
        summarised = next((e for e in events if _headline_tells(headline, e)), None)
        if summarised is not None:
            _merge_into(summarised, headline)
        else:
            events.insert(0, headline)
    kept = []
    for event in events:
        has_attacker = _has_attacker(event)
        if not (has_attacker and _has_victim(event)):
            continue
        if event.date is None:
            event.date = fallback
        event.sources = list(dict.fromkeys([*event.sources, *publisher]))
        event.id = _event_id(event)
        kept.append(event)
    return kept


def victim_phrases(event: Event, limit: int = 2) -> list[str]:
    """The victim in the text's own words, for a view: without bare country names (the view
    shows the country already) and without a phrase that a longer one contains ("Iranian
    military command" inside "Iranian military command and control systems")."""
    table = lexicon().name_table
    phrases = [t for t in event.victim_text if table.get(t, ("",))[0] != "country"]
    kept = [t for t in phrases if not any(t != o and t.lower() in o.lower() for o in phrases)]
    return kept[:limit]


_NAME_CONNECTORS = frozenset({"of", "for", "and", "the", "&", "de", "du", "des", "la", "le", "und"})


def victim_organisations(event: Event) -> list[str]:
    """The victims the text calls by a proper name ("Saudi Aramco", "Democratic National
    Committee"), for export as organisations; described groups ("US government agencies") and
    lists of countries ("Vietnam and Ecuador") are not organisations."""
    table = lexicon().name_table
    found = []
    for phrase in victim_phrases(event, limit=len(event.victim_text)):
        name = re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE)
        words = name.split()
        if not words or any(not w[0].isupper() and w.lower() not in _NAME_CONNECTORS for w in words):
            continue
        if len(words) == 1 and name.lower() in _COMMON_WORDS:
            continue
        parts = re.split(r",\s*|\s+(?:and|or)\s+", name)
        if all(table.get(part.strip(), ("",))[0] == "country" for part in parts):
            continue
        found.append(name)
    return found


def _headline_event(article: Article, anchor: date | None, precision: str) -> Event | None:
    """The operation the headline tells, when the title is not already the text's first line.
    Headlines often say the whole story in one line ("FBI blames North Korea for Sony Pictures
    hack", "NotPetya cyberattack cripples Ukrainian ministries")."""
    title = " ".join(article.title.split())
    if not title or len(title) > MAX_SENTENCE_CHARS:  # no headline is that long
        return None
    if " ".join(article.text[: len(title) + 20].split()).startswith(title):
        return None
    event = sentence_event(title, anchor, precision)
    if event is not None:
        event.evidence = [_evidence(article, title)]
    return event


def _headline_tells(headline: Event, event: Event) -> bool:
    """Whether the headline sums up this operation of the body: a shared victim (country or
    words) and no conflicting attacker or malware. Its date is the body's."""
    shared_victim = bool(set(headline.victim_countries) & set(event.victim_countries)) or any(
        _same_victim_words(a, b) for a in headline.victim_text for b in event.victim_text
    )
    attackers = set(headline.attacker_countries), set(event.attacker_countries)
    malware = set(headline.malware), set(event.malware)
    # "Qatar says UAE hacked its state news agency": the headline names no victim state
    same_attacker_only = not headline.victim_countries and bool(attackers[0]) and attackers[0] <= attackers[1]
    return (
        (shared_victim or same_attacker_only)
        # "US, Iran engage in tit-for-tat cyber attacks" does not make the victim an attacker
        and not attackers[0] & set(event.victim_countries)
        and (not all(attackers) or bool(attackers[0] & attackers[1]))
        and (not all(malware) or bool(malware[0] & malware[1]))
    )


def _same_victim_words(a: str, b: str) -> bool:
    """ "Kaseya" and "US software company Kaseya": one victim, named shorter in the headline."""
    short, long = sorted((a.lower(), b.lower()), key=len)
    return len(short) >= 4 and re.search(rf"(?<!\w){re.escape(short)}(?!\w)", long) is not None


def _has_attacker(event: Event) -> bool:
    return bool(_names_culprit(event) or event.malware)


def _names_culprit(event: Event) -> bool:
    """Whether a state or a group is named as the attacker (a malware name alone stands in for
    an attacker still unknown)."""
    return bool(event.attacker_countries or event.attacker_groups)


def _has_victim(event: Event) -> bool:
    return bool(event.victim_countries or event.victim_sectors or event.victim_text)


def _describe_further(event: Event, more: Event) -> None:
    """Add what a back-referring sentence tells of how an operation was done (its types,
    techniques, malware, sources and the sentence itself), not its date."""
    types = list(dict.fromkeys([*event.types, *more.types]))
    event.types = [t for t in types if t != GENERIC or len(types) == 1]
    event.techniques = sorted({*event.techniques, *more.techniques})
    event.malware = sorted({*event.malware, *more.malware})
    event.sources = list(dict.fromkeys([*event.sources, *more.sources]))
    event.evidence = [*event.evidence, *more.evidence]


def _inherit_attacker(event: Event, antecedent: Event) -> None:
    """ "The group also hit …": the attacker is the one the text named just before (this
    paragraph or the one before it), with the attribution it was given there."""
    event.attacker_countries = list(antecedent.attacker_countries)
    event.attacker_groups = list(antecedent.attacker_groups)
    event.attacker_text = list(dict.fromkeys([*antecedent.attacker_text, *event.attacker_text]))
    event.victim_countries = [c for c in event.victim_countries if c not in antecedent.attacker_countries]
    if LEVELS.index(antecedent.attribution) < LEVELS.index(event.attribution):
        event.attribution = antecedent.attribution


def _paragraph_index(text: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for number, paragraph in enumerate(re.split(r"\n\s*\n|\n", text)):
        for sentence in sentences(paragraph):
            index.setdefault(sentence, number)
    return index


def _evidence(article: Article, sentence: str) -> Evidence:
    return Evidence(article=article.id, sentence=sentence, outlet=article.outlet, published=article.published)


def _event_id(event: Event) -> str:
    return "ev-" + hashlib.sha256(event.key().encode()).hexdigest()[:12]


def same_operation_across(a: Event, b: Event) -> bool:
    """Whether two events from different articles are one operation reported twice: the same
    attacker (state, group or malware), a shared victim country, compatible types and dates."""
    if a.malware and b.malware and set(a.malware) & set(b.malware):
        # one malware, one operation, unless one report's attacker is the other's victim (a
        # misread role must not turn Stuxnet's victim into its attacker)
        return not _opposed(a, b)
    attackers_a = set(a.attacker_countries) or set(a.attacker_groups)
    attackers_b = set(b.attacker_countries) or set(b.attacker_groups)
    if not attackers_a or attackers_a != attackers_b:
        return False
    if not set(a.victim_countries) & set(b.victim_countries):
        return False
    types_a, types_b = set(a.types) - {GENERIC}, set(b.types) - {GENERIC}
    if types_a and types_b and not types_a & types_b:
        return False
    return overlaps(a.date, b.date) and _comparable_spans(a.date, b.date)


def _days(span: EventDate) -> int:
    return (date.fromisoformat(span.end) - date.fromisoformat(span.start)).days + 1


def _comparable_spans(a: EventDate | None, b: EventDate | None) -> bool:
    """A years-long activity ("has targeted US agencies since 2014") is not the one wave
    another outlet dates to a month: reported twice means spans of a like length."""
    if a is None or b is None or not (a.text and b.text):
        return True
    longer, shorter = max(_days(a), _days(b)), min(_days(a), _days(b))
    return not (longer > 400 and shorter <= 31)


def merge_reports(existing: Event, new: Event) -> bool:
    """Merge ``new`` into ``existing`` when they are the same operation (keeps every source)."""
    if existing.id == new.id or same_operation_across(existing, new):
        _merge_into(existing, new)
        return True
    return False


def known_country_code(name: str) -> str:
    """ISO code for a country name, demonym, agency, leader or threat-actor group; "" when
    the name is none of those."""
    table = lexicon().name_table
    for candidate in (name, name.strip(), name.title(), name.upper()):
        if candidate in table and table[candidate][1]:
            return table[candidate][1]
    actor = default_gazetteer().resolve(name)
    return actor.country if actor is not None and actor.country else ""


def country_code(name: str) -> str:
    """As ``known_country_code``, but the name upper-cased when unknown (so "US", "us",
    "United States" and "Cyber Command" agree)."""
    return known_country_code(name) or name.strip().upper()


_PRO_STATE = re.compile(r"\bpro-([A-Za-z]+)\b", re.IGNORECASE)
_AGENT_CUE_BEFORE = re.compile(
    r"(?:attribut(?:ed|es|ing) (?:\w+ ){0,3}to|accused|blamed|blames|blaming|by|by suspected|from|"
    r"affiliated with|associated with|"
    r"originated (?:in|from)|originating (?:in|from)|operating (?:from|out of)|launched from (?:\w+ ){0,2}in|"
    r"hackers in|groups? in|servers? in|computers in|linked to|tied to|backed by|on behalf of|sponsored by|"
    r"links? (?:\w+ ){0,3}to|traced (?:\w+ ){0,8}to|suspects?|suspected|makes?|made|involvement of|"
    r"Anonymous)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_AGENT_CUE_AFTER = re.compile(
    r"^[\s-]*(?:(?:government|state|military)[- ]?(?:backed|sponsored|linked)|state[- ]sponsored|"
    r"(?:state |government )?hackers?|hacker ?groups?|hacking|hacktivists?|"
    r"hack ?team|APT|group|(?:threat )?actors?|(?:state|government)[- ](?:supported|affiliated)|"
    r"cyber ?(?:army|unit|command|attackers?|warriors?|criminals?|spies)|"
    r"electronic ?army|(?:cyber)?attackers?|operatives|based|origin|involvement|suspected|responsible|"
    r"ransomware (?:group|gang|operators?)|was accused|is accused|accused|has been accused|"
    r"were accused|claimed|claims)\b",
    re.IGNORECASE,
)
_WEAK_AGENT_CUE_AFTER = re.compile(
    # "Russian military", "US intelligence": often the attacker, as often the victim ("Leak of
    # U.S. Military Personal Data"): ranked after the plain agent cues
    r"^[\s-]*(?:military|intelligence|army|spies|spy|agency)\b",
    re.IGNORECASE,
)


def initiator_candidates(text: str) -> list[str]:
    """Countries the text presents as behind an operation, most explicit first.

    For short incident descriptions that name the culprit without a full attacker-victim
    sentence: the attacker of an extracted operation; a country after "attributed to",
    "by", "from", "hackers in"; a country before "hackers", "state-sponsored", "military",
    "accused"; an agency, leader or threat-actor group; in "A vs. B" titles, A.
    """
    ranked: list[str] = []
    # A country in an agent's slot ("by Chinese hackers", "attributed to Russia") is the most
    # explicit, then one before "military" / "intelligence" / "agency"; an extracted operation's
    # attacker comes next (its sentence parse can take the victim's adjective, "Australian
    # networks breached by ..."); then groups and agencies.
    mentions = [m for m in _mentions(text) if m.country]
    weak: list[str] = []
    for mention in mentions:
        after = text[mention.end : mention.end + 40]
        if _AGENT_CUE_BEFORE.search(text[max(0, mention.start - 60) : mention.start]) or (
            _AGENT_CUE_AFTER.search(after) and not _in_victim_slot(text, mention)
        ):
            ranked.append(mention.country)
        elif _WEAK_AGENT_CUE_AFTER.search(after) and not _in_victim_slot(text, mention):
            weak.append(mention.country)
    ranked.extend(weak)
    ranked.extend(m.country for m in mentions if m.kind == "group")
    # "pro-Russian hackers", "pro-Kremlin group": aligned with that state, which is how incident
    # databases such as EuRepoC code the initiator.
    ranked.extend(known_country_code(aligned.group(1)) for aligned in _PRO_STATE.finditer(text))
    for event in _sentence_events(text):
        ranked.extend(event.attacker_countries)
        ranked.extend(default_gazetteer().sponsor_country(g) for g in event.attacker_groups)
    ranked.extend(m.country for m in mentions if m.kind in ("organisation", "person"))
    versus = re.match(r"^(.{2,60}?)\s+(?:vs\.?|versus|against)\s", text)
    if versus:
        ranked.extend(m.country for m in _mentions(versus.group(1)) if m.country)
    return [c for c in dict.fromkeys(ranked) if c]


_LOOSE_SLOT_WORDS = frozenset({"in", "of", "at", "into", "from"})
"""Prepositions that place a victim inside one sentence's operation but say nothing alone
("treatment of the Palestinian people", "interference in the US elections")."""


def _in_victim_slot(text: str, mention: Mention) -> bool:
    """Whether the mention reads as what was attacked: after "hacked", "against", "on" …, or
    before "was hit", or a headline's "… agency breached"."""
    before, after = _windows(text, mention)
    return _plainly_victim(before, after) or _strict_slot(_VICTIM_BEFORE.search(before))


def _loose_slot(text: str, mention: Mention) -> bool:
    """Whether the mention stands after "in" / "at" / "from" alone, a place rather than a target."""
    slot = _VICTIM_BEFORE.search(_windows(text, mention)[0])
    return slot is not None and slot.group(0).split()[0].lower() in ("in", "at", "from")


def _strict_slot(slot: re.Match[str] | None) -> bool:
    """A victim cue that says something alone ("hacked", "against"), not "in" or "of"."""
    return slot is not None and slot.group(0).split()[0].lower() not in _LOOSE_SLOT_WORDS


def victim_candidates(text: str) -> list[str]:
    """Countries the text presents as attacked, most explicit first: a country in a victim's
    slot ("hacked the Venezuelan intelligence database", "US election agency breached"), then
    the victims of the extracted operations."""
    ranked = [m.country for m in _mentions(text) if m.country and _in_victim_slot(text, m)]
    for event in _sentence_events(text):
        ranked.extend(event.victim_countries)
    return [c for c in dict.fromkeys(ranked) if c]


@lru_cache(maxsize=64)
def _sentence_events(text: str) -> tuple[Event, ...]:
    """Each sentence's operation in a short text, parsed once for both candidate lists (read,
    never changed, by their callers)."""
    parsed = (sentence_event(sentence, None, "") for sentence in sentences(text))
    return tuple(event for event in parsed if event is not None)
