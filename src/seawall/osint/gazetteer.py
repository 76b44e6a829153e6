"""The names and words the OSINT pipeline knows, loaded from data files.

Countries with their demonyms and metonyms (``data/countries.json``, built by
``scripts/build_country_gazetteer.py``), agencies, institutions, companies, people, hacktivist
groups and known targets (``data/actors_extra.yml``), threat-actor groups and their aliases from
the intel gazetteer, malware, and the operation wording, sectors, reporting sources and
attribution language of ``data/lexicon.yml``. Nothing here decides a role: the name table says
what a name is (a country, a group, a company) and whose it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from seawall.intel.actors import default_gazetteer


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
    narrows: tuple[str, ...] = ()
    """Types this one is a kind of: a hack and leak is a data theft made public, so a sentence
    that reads as both is the narrower one."""

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
    type_words: re.Pattern[str]
    """Any word any operation type is written with (its terms, weak and near terms, in all
    their forms): a sentence without one is of no type, without asking each type's patterns."""
    not_event: re.Pattern[str]
    vulnerability: re.Pattern[str]
    sectors: list[tuple[str, re.Pattern[str]]]
    sources: list[tuple[str, str]]
    source_pattern: re.Pattern[str]
    attribution: list[tuple[str, re.Pattern[str]]]
    names: re.Pattern[str]
    name_table: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """matched text -> (kind, country, canonical name)."""


def alternation(terms: Iterable[str]) -> str:
    """A regular expression matching any of the terms, the longest where several match at one
    place, shaped as a trie ("hack(?:ed|ing)?" rather than "hacking|hacked|hack").

    Written here because Python's ``re`` tries a flat alternation of thousands of literals one
    by one at every position of the text (no prefix optimisation behind a look-behind): the
    5,200 names of the gazetteer cost 50 times more that way. The trie needs no library."""
    trie: dict[str, Any] = {}
    for term in {t for t in terms if t}:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        # a longer continuation is tried before ending here: the longest term wins, as in a
        # flat alternation ordered longest first
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return f"(?:{pattern(trie)})" if trie else "(?!)"


# A term joined to the word before it by a hyphen is still the term ("Website-defacements",
# "Espionage-Hacks"), unless that word turns it around ("anti-phishing", "counter-espionage").
_NOT_AFTER = "".join(rf"(?<!{prefix}-)" for prefix in ("anti", "non", "counter", "post", "pre"))


def _words(terms: Iterable[str]) -> str:
    return r"(?<!\w)" + _NOT_AFTER + alternation(terms) + r"(?![\w-])"


def _inflected(terms: Iterable[str], written_elsewhere: frozenset[str] = frozenset()) -> list[str]:
    """The terms, a term ending in a noun with its plural ("defacements"), and each
    verb-headed term with its head verb in its other forms but the base one: "hacked" stands for
    "hacks" ("Anonymous hacks ManTech", as trackers write) and "hacking"; "broke into" for
    "breaks into" (``data/verb_forms.json``, built from lemminflect's dictionary by
    ``scripts/build_verb_forms.py``; a word it does not know is left as written)."""
    table = verb_forms()
    found = list(terms)
    for term in terms:
        # a noun ending a term in its plural too: "defacements", "computer break-ins"
        before, space, last = term.rpartition(" ")
        for plural in table.get("plurals", {}).get(last.lower(), ()):
            if f"{before}{space}{plural}".lower() not in written_elsewhere:
                found.append(f"{before}{space}{plural}")
        head, _, rest = term.partition(" ")
        for lemma in table["lemmas"].get(head.lower(), ()):
            for form in table["forms"].get(lemma, ()):
                variant = f"{form} {rest}" if rest else form
                # a form another type writes out is that type's ("hacking" is a generic
                # attack word, "hacked" an intrusion)
                if variant.lower() not in written_elsewhere:
                    found.append(variant)
    return found


@cache
def verb_forms() -> dict[str, dict[str, list[str]]]:
    """``lemmas``: a verb form -> its lemmas; ``forms``: a lemma -> its forms but the base one;
    ``plurals``: a noun that ends a lexicon term -> its plurals."""
    table: dict[str, dict[str, list[str]]] = json.loads(_data("verb_forms.json"))
    return table


def _verbs(terms: Iterable[str], written_elsewhere: frozenset[str]) -> re.Pattern[str]:
    return re.compile(_words(_inflected(terms, written_elsewhere)), re.IGNORECASE)


def _written(entry: dict[str, Any]) -> set[str]:
    return {t.lower() for key in ("terms", "weak_terms", "near_terms") for t in entry.get(key, [])}


def _data(name: str) -> Any:
    return resources.files("seawall.osint").joinpath(f"data/{name}").read_text("utf-8")


def _objects(entry: dict[str, Any]) -> re.Pattern[str] | None:
    """What a weak term needs beside it: the listed words, and raw patterns for what words cannot
    say ("$81 million")."""
    parts = [_words(entry["objects"])] if entry.get("objects") else []
    parts += list(entry.get("objects_regex", []))
    return re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE) if parts else None


# A demonym's ending ("Iranian", "Mexican", "Chinese", "Turkish", "Israeli", "Czech"), and the demonyms that
# are everyday words in lower case.
_DEMONYM_ENDING = re.compile(r"(?:ans?|ese|ish|i|is|ch)$")
_DEMONYM_WORDS = frozenset(
    # words in their own right, a language, and places that only look like demonyms
    {"polish", "danish", "swiss", "french", "dutch", "english", "taipei", "mississippi", "missouri"}
)


@cache
def lexicon_data() -> dict[str, Any]:
    """lexicon.yml, read once for every stage that takes its words from it (with libyaml's
    loader: PyYAML's pure-Python one took half a second for each of five readings)."""
    data: dict[str, Any] = _yaml(_data("lexicon.yml"))
    return data


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def regions() -> dict[str, list[str]]:
    """World regions (``data/regions.yml``): name -> [STIX region, other spellings ...]."""
    return {str(k): [str(v) for v in values] for k, values in _yaml(_data("regions.yml"))["regions"].items()}


@cache
def lexicon() -> Lexicon:
    data = lexicon_data()
    written = {name: _written(entry) for name, entry in data["operation_types"].items()}
    elsewhere = {
        name: frozenset(t for other, terms in written.items() if other != name for t in terms) - written[name]
        for name in written
    }
    types = [
        OperationType(
            name,
            _verbs(entry["terms"], elsewhere[name]),
            list(entry.get("attack", [])),
            _verbs(entry["weak_terms"], elsewhere[name]) if entry.get("weak_terms") else None,
            _objects(entry),
            _verbs(entry["near_terms"], elsewhere[name]) if entry.get("near_terms") else None,
            re.compile(_words(entry["near_objects"]), re.IGNORECASE) if entry.get("near_objects") else None,
            tuple(entry.get("narrows", ())),
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
            for variant in (joined_variant(name), *hyphened_variants(name)):
                if variant:
                    table.setdefault(variant, ("country", country["code"], country["name"]))
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
    extra = _yaml(_data("actors_extra.yml"))
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
    # a world region places a victim no country places ("ministries in Europe"); the table's
    # own names go first ("European Union" is an institution, not the region)
    for region, (_stix, *spellings) in regions().items():
        for spelling in (region, *spellings):
            table.setdefault(spelling, ("region", "", region))
    # a city places what is attacked in it ("the city of Baltimore", "Atlanta's systems"); never
    # a name the table already holds (a capital standing for its state, an outlet, a group)
    for name, code in json.loads(_data("cities.json"))["cities"].items():
        table.setdefault(name, ("place", code, name))
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
                spellings = (_news_spelling(alias), *spacing_variants(alias), joined_variant(alias))
                for spelled in (*spellings, split_variant(alias)):
                    if spelled and spelled not in table:
                        table[spelled] = ("group", actor.country, actor.name)
    names = re.compile(
        r"(?<![\w-])(?:"
        + alternation(table)
        # "Russia-linked", "Iran-backed": the name before an alignment suffix is still the name
        + r")(?!\w)(?!-(?!(?:linked|backed|sponsored|based|affiliated|aligned|supported|nexus|"
        # "Chinese-government backed hackers"
        + r"(?:government|state)[- ](?:linked|backed|sponsored))\b))"
    )
    every_term = [
        term
        for entry in data["operation_types"].values()
        for key in ("terms", "weak_terms", "near_terms")
        for term in _inflected(entry.get(key) or [])
    ]
    return Lexicon(
        types=types,
        type_words=re.compile(_words(every_term), re.IGNORECASE),
        not_event=re.compile(_words(data["not_an_event"]), re.IGNORECASE),
        vulnerability=re.compile(_words(data["vulnerability"]), re.IGNORECASE),
        sectors=sectors,
        sources=sources,
        source_pattern=re.compile(_words(n for n, _ in sources)),
        attribution=attribution,
        names=names,
        name_table=table,
    )


_LETTERS_THEN_NUMBER = re.compile(r"^([A-Za-z]{2,})[ -]?(\d{1,4})$")


def spacing_variants(alias: str) -> list[str]:
    """How reporting spaces a numbered name: "APT40", "APT 40" and "APT-40" are one group."""
    match = _LETTERS_THEN_NUMBER.match(alias)
    if not match:
        return []
    letters, number = match.groups()
    return [f"{letters}{number}", f"{letters} {number}", f"{letters}-{number}"]


def split_variant(name: str) -> str:
    """A name written as two or three capitalised words run together, spaced as news often
    writes it ("MuddyWater" -> "Muddy Water", "TheDarkOverlord" -> "The Dark Overlord"); ""
    for any other name. The mirror of ``joined_variant``; matched with its capitals."""
    words = _CAPITALISED_WORD.findall(name)
    if not 2 <= len(words) <= 3 or "".join(words) != name:
        return ""
    return " ".join(words)


_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]+")


def joined_variant(name: str) -> str:
    """A name of two or three capitalised words written as one, as quick notes and incident
    trackers do ("NorthKorea", "SouthKorea", "LazarusGroup"); "" for any other name. Written
    with its capitals, so that it never reads an everyday word."""
    words = name.split()
    capitalised = all(w.isalpha() and w[:1].isupper() and w[1:].islower() for w in words)
    if not 2 <= len(words) <= 3 or not capitalised:
        return ""
    return "".join(words)


def hyphened_variants(name: str) -> tuple[str, ...]:
    """A name of two capitalised words joined by a hyphen, as incident notes write them
    ("North-Korean hackers", "north-Korean APT", "Hong-Kong"); none for any other name."""
    words = name.split()
    if len(words) != 2 or not all(w.isalpha() and w[:1].isupper() for w in words):
        return ()
    hyphened = "-".join(words)
    return (hyphened, hyphened[0].lower() + hyphened[1:])


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
