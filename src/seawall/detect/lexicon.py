"""Phrase matching for tradecraft language (urgency, credential requests, BEC...).

The phrases live in ``data/lexicon.yml``; this module only compiles and runs them. Matching is
done on words, not with one regular expression per phrase: hundreds of alternations over a
long body cost milliseconds in ``re``, while a first-word index over the tokens costs tens of
microseconds (a hand-written word-level Aho-Corasick would be faster still, but this is enough).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import product

import yaml

# Underscores join too: "perf_urgent_for_v6" is an identifier (a git tag), not the word "urgent".
_WORD = re.compile(r"[a-z0-9]+(?:['’/_-][a-z0-9]+)*")
MAX_EXPANSIONS = 5000
_NEAR = re.compile(r"\s+~(\d+)\s+")


@lru_cache(maxsize=16)
def _normalised(text: str) -> tuple[str, ...]:
    return tuple(_normalise_words(text))


def normalise_words(text: str) -> list[str]:
    """Lower-case, accent-free ASCII words ("Atualização" -> "atualizacao", "ß" -> "ss").

    Cached for the last few texts: features and the model read the same body."""
    return list(_normalised(text))


def _normalise_words(text: str) -> list[str]:
    """Lower-case, accent-free ASCII words ("Atualização" -> "atualizacao", "ß" -> "ss")."""
    lowered = text.lower().replace("ß", "ss").replace("’", "'")
    if not lowered.isascii():
        # NFKD also folds styled letters ("𝐈𝐦𝐩𝐨𝐫𝐭𝐚𝐧𝐭", Unicode's mathematical alphabets, which
        # have no lower case of their own) to plain ones: lower-case again after it
        lowered = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii").lower()
    # (Words joined by underscores, "_You_have_won_an_iPhone_", stay one token: split, the
    # identifiers of kernel stack traces on technical lists read as "urgent" and the like.)
    return _WORD.findall(lowered)


def _parse_slots(phrase: str) -> list[list[tuple[str, ...]]]:
    """Split a phrase into slots; each slot is the list of word sequences it accepts."""
    slots: list[list[tuple[str, ...]]] = []
    position = 0
    text = phrase.strip()
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
            continue
        if char == "(":
            end = text.find(")", position)
            if end < 0:
                raise ValueError(f"unbalanced parenthesis in phrase {phrase!r}")
            options = [tuple(normalise_words(o)) for o in text[position + 1 : end].split("|")]
            position = end + 1
        else:
            end = position
            while end < len(text) and not text[end].isspace():
                end += 1
            token = text[position:end]
            position = end
            optional = token.endswith("?")
            token = token.rstrip("?")
            options = [("*",)] if token == "*" else [tuple(normalise_words(o)) for o in token.split("|")]
            if optional:
                options.append(())
            slots.append(options)
            continue
        if position < len(text) and text[position] == "?":
            options.append(())
            position += 1
        slots.append(options)
    return slots


def expand_phrase(phrase: str) -> list[tuple[str, ...]]:
    """Every word sequence a phrase accepts."""
    slots = _parse_slots(phrase)
    count = 1
    for slot in slots:
        count *= len(slot)
    if count > MAX_EXPANSIONS:
        raise ValueError(f"phrase {phrase!r} expands to {count} sequences (max {MAX_EXPANSIONS})")
    sequences = set()
    for combination in product(*slots):
        words = tuple(word for part in combination for word in part)
        if words and words[0] != "*":
            sequences.add(words)
    return sorted(sequences)


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    category: str
    language: str
    phrase: str
    text: str
    position: int


class Lexicon:
    """Compiled phrases: a map from first word to the sequences that start with it."""

    def __init__(
        self,
        categories: dict[str, dict[str, list[str]]],
        it_roles: list[str],
        stopwords: dict[str, list[str]],
    ) -> None:
        self.categories = sorted(categories)
        # Sequences are indexed by their first two words (or the single word): most words of
        # a text start no phrase at all, so each position costs one or two dict lookups.
        self._single: dict[str, list[tuple[str, str, str]]] = {}
        self._pairs: dict[tuple[str, str], list[tuple[list[str], str, str, str]]] = {}
        # "A ~N B": B within N words after A (a request verb and what it asks for, whatever
        # words a writer puts between them: "verify the ownership of your account").
        self._near: dict[str, list[tuple[tuple[str, ...], list[tuple[str, ...]], int, str, str, str]]] = {}
        for category, languages in categories.items():
            for language, phrases in languages.items():
                for phrase in phrases:
                    near = _NEAR.split(phrase)
                    if len(near) == 3:
                        left, window, right = near
                        targets = expand_phrase(right)
                        for words in expand_phrase(left):
                            self._near.setdefault(words[0], []).append(
                                (words, targets, int(window), category, language, phrase)
                            )
                        continue
                    for words in expand_phrase(phrase):
                        if "*" in words:
                            raise ValueError(f"wildcards are not supported in lexicon phrases: {phrase!r}")
                        if len(words) == 1:
                            self._single.setdefault(words[0], []).append((category, language, phrase))
                        else:
                            self._pairs.setdefault((words[0], words[1]), []).append(
                                (list(words), category, language, phrase)
                            )
        for entries in self._pairs.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        self._first_words = (
            frozenset(self._single) | frozenset(first for first, _ in self._pairs) | frozenset(self._near)
        )
        self._roles: dict[str, list[tuple[str, ...]]] = {}
        for phrase in it_roles:
            for words in expand_phrase(phrase):
                self._roles.setdefault(words[0], []).append(words)
        self._stopwords = {lang: frozenset(words) for lang, words in stopwords.items()}
        self._stopword_language: dict[str, list[str]] = {}
        for language, stopword_list in stopwords.items():
            for stopword in stopword_list:
                self._stopword_language.setdefault(stopword, []).append(language)

    def find(self, words: list[str]) -> list[PhraseMatch]:
        """Every phrase occurrence (the longest at each position, no overlap per category)."""
        found: list[PhraseMatch] = []
        single = self._single
        pairs = self._pairs
        count = len(words)
        covered: dict[str, int] = {}
        starts = self._first_words
        for position in [i for i, w in enumerate(words) if w in starts]:
            word = words[position]
            if position + 1 < count:
                entries = pairs.get((word, words[position + 1]))
                if entries:
                    for sequence, category, language, phrase in entries:
                        end = position + len(sequence)
                        if (
                            end <= count
                            and covered.get(category, 0) <= position
                            and words[position:end] == sequence
                        ):
                            found.append(
                                PhraseMatch(category, language, phrase, " ".join(sequence), position)
                            )
                            covered[category] = end
            for start, targets, window, category, language, phrase in self._near.get(word, ()):
                if covered.get(category, 0) > position:
                    continue
                after = position + len(start)
                if tuple(words[position:after]) != start:
                    continue
                end = _near_end(words, after, targets, window)
                if end:
                    found.append(
                        PhraseMatch(category, language, phrase, " ".join(words[position:end]), position)
                    )
                    covered[category] = end
            singles = single.get(word)
            if singles:
                for category, language, phrase in singles:
                    if covered.get(category, 0) <= position:
                        found.append(PhraseMatch(category, language, phrase, word, position))
                        covered[category] = position + 1
        return found

    def it_role(self, words: list[str]) -> str:
        """The IT/mail-system role a display name claims, or ``""``."""
        for position, word in enumerate(words):
            for sequence in self._roles.get(word, ()):
                if tuple(words[position : position + len(sequence)]) == sequence:
                    return " ".join(sequence)
        return ""

    def language(self, words: list[str], sample: int = 200) -> str:
        """The most likely language by stop-word counts, or ``"unknown"``."""
        scores: dict[str, int] = {}
        lookup = self._stopword_language
        for word in words[:sample]:
            languages = lookup.get(word)
            if languages:
                for language in languages:
                    scores[language] = scores.get(language, 0) + 1
        if not scores:
            return "unknown"
        best, score = max(scores.items(), key=lambda item: item[1])
        return best if score >= 3 else "unknown"


def _near_end(words: list[str], after: int, targets: list[tuple[str, ...]], window: int) -> int:
    """The end of the first target sequence starting within ``window`` words of ``after``."""
    for offset in range(after, min(after + window + 1, len(words))):
        for target in targets:
            if tuple(words[offset : offset + len(target)]) == target:
                return offset + len(target)
    return 0


@cache
def default_lexicon() -> Lexicon:
    text = resources.files("seawall.detect").joinpath("data/lexicon.yml").read_text("utf-8")
    data = yaml.safe_load(text)
    return Lexicon(
        data["categories"],
        data.get("it_roles", []),
        data.get("stopwords", {}),
    )
