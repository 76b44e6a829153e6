"""Article text into sentences, split once for every later stage.

A rule-based splitter, written by hand because a dependency parse of every sentence of an
article costs more than the rest of ingest (the parser reads only sentences that tell an
operation, ``syntax.py``): sentences end at ., ! or ? before a capital, not after "U.S." or
"Mr."; every paragraph and line ends one; a run longer than ``MAX_SENTENCE_CHARS`` is cut at a
space so that no later stage sees unbounded text.
"""

from __future__ import annotations

import re

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


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (a line of scraped text is one)."""
    return re.split(r"\n\s*\n|\n", text)


def paragraph_of(text: str) -> dict[str, int]:
    """Sentence -> the number of the paragraph it opens first in (later stages look back within
    a paragraph for whom "the group" means); the number indexes ``paragraphs(text)``."""
    index: dict[str, int] = {}
    for number, paragraph in enumerate(paragraphs(text)):
        for sentence in sentences(paragraph):
            index.setdefault(sentence, number)
    return index
