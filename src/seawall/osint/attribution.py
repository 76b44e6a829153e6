"""Who did it, when an article says so in a sentence of its own.

Reporting often tells an operation in one sentence and its author in another, without an
operation word: "Recorded Future later linked this campaign to the Chinese group Red Alpha",
"Dark Pink is operated by a Chinese group", "the intrusion set is tied to Iran". Such a sentence
names the attacker of the article's operations whose own sentences name none
(``events.py``). The cue words are data (``attribution_cues``, ``accusation_cues`` and
``accusation_cues_author_before`` in ``data/lexicon.yml``); the attributed is the first state or
group named after the cue, so that the one who blames ("U.S. officials blamed Russia") is not
taken for the one blamed, nor the victim named later ("accused Russia of interfering in the
U.S. election") for a second author — or the last named before it, for a passive ("Russia was
blamed for") and for a cue that follows the accused ("the government holds China
responsible"). The sentence must be about an attacker or an operation (a group, "hackers", "the
campaign") or blame someone ("Georgia accused Russia"): "a company based in California" and
"associated with a Florida company" attribute nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from seawall.osint.gazetteer import _words, lexicon, lexicon_data
from seawall.osint.mentions import STATE_KINDS, Mention, find_mentions
from seawall.osint.operations import attack_words

_AUTHOR_KINDS = STATE_KINDS | {"group", "aligned"}


@dataclass(frozen=True)
class Attribution:
    """A sentence that names the author of an operation told elsewhere."""

    sentence: str
    authors: tuple[Mention, ...]

    def countries(self) -> list[str]:
        return sorted({m.country for m in self.authors if m.country})

    def groups(self) -> list[str]:
        return sorted({m.name for m in self.authors if m.kind == "group"})


CUES_TRIED = 8
"""A sentence says who did it with one cue or two; past this many cues it is read no further.
Each cue looks through the sentence's names, and a headline is not cut into sentences: a
hostile title of 20,000 cues and 20,000 names took 16 s before this bound, and grows with the
square of its length."""

_PASSIVE_ACCUSATION = re.compile(r"\s+(?:of|for)\b", re.IGNORECASE)


@cache
def _cues() -> re.Pattern[str]:
    data = lexicon_data()
    return re.compile(
        _words([*data["attribution_cues"], *data["accusation_cues"], *data["accusation_cues_author_before"]]),
        re.IGNORECASE,
    )


@cache
def _accusations() -> frozenset[str]:
    data = lexicon_data()
    words = [*data["accusation_cues"], *data["accusation_cues_author_before"]]
    return frozenset(word.lower() for word in words)


@cache
def _author_before() -> frozenset[str]:
    return frozenset(word.lower() for word in lexicon_data()["accusation_cues_author_before"])


def attribution(sentence: str) -> Attribution | None:
    """The state or group a sentence names as an operation's author, or None.

    A denial or a doubt ("Moscow denied", "did not accuse") attributes nothing, as it makes
    no operation happen (``not_an_event``)."""
    cue = _cues().search(sentence)
    if cue is None or lexicon().not_event.search(sentence):
        return None
    mentions = find_mentions(sentence)  # after the cheap tests: most sentences have no cue
    about_an_attack = (
        cue.group(0).lower() in _accusations()
        or any(m.kind in ("group", "generic", "malware") for m in mentions)
        or bool(attack_words().search(sentence))
    )
    if not about_an_attack:
        return None
    named = [m for m in mentions if m.kind in _AUTHOR_KINDS and (m.country or m.kind == "group")]
    # each cue in turn, overlapping ones too, until one names its author: in "Iran is believed
    # to be behind the attack" the first ("believed to be") looks for it after itself and finds
    # none, the second ("be behind") before itself
    position = 0
    for _ in range(CUES_TRIED):
        cue = _cues().search(sentence, position)
        if cue is None:
            break
        position = cue.start() + 1
        word = cue.group(0).lower()
        passive = bool(_PASSIVE_ACCUSATION.match(sentence, cue.end())) and word in _accusations()
        if passive or word in _author_before():
            # "China (was) accused of the attack", "Russia is blamed for": an active accusation
            # names its object first ("accused Russia of"), so a cue followed by its "of" or
            # "for" is a passive, and the accused is the one named before it, as for
            # "responsible" ("holds China responsible")
            author = next((m for m in reversed(named) if m.end <= cue.start()), None)
        else:
            author = next((m for m in named if m.start >= cue.end()), None)
        if author is not None:
            return Attribution(sentence, (author,))
    return None
