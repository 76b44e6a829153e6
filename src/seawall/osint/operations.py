"""Whether a sentence tells a cyber operation, of which types, and whether it happened.

The wording is data (``data/lexicon.yml``: each type's terms, the weak terms that need what was
taken beside them, the words of what did not, might or could happen, the words of a flaw); this
module only runs it. A drone shot down by a missile uses no cyber-operation wording and is no
event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from seawall.osint.events_model import GENERIC
from seawall.osint.gazetteer import _words, lexicon, lexicon_data
from seawall.osint.mentions import Mention, find_mentions


@dataclass
class OperationMention:
    """The operation wording of a sentence, whether or not the operation happened. CASIE and
    similar corpora annotate every mention ("attackers could steal more data", "no data was
    taken"); Seawall records as events only the ones the text says happened (``actual``)."""

    types: list[str]
    techniques: list[str]
    first: int
    """Character offset of the first operation word: the trigger the role model reads from."""
    actual: bool
    """False when the sentence says it did not, might, could or would happen."""
    capability: bool = False
    """What a flaw would let someone do ("a bug that could let an attacker steal passwords"):
    CASIE files it under the vulnerability, not as an attack."""
    mentions: list[Mention] | None = None
    """The sentence's names, when finding the operation needed them."""
    triggers: list[int] | None = None
    """Character offsets of every operation word of the sentence (the role model relates each
    phrase to the one nearest in the parse)."""


@cache
def _trigger_words() -> re.Pattern[str]:
    return re.compile(_words(lexicon_data()["trigger_words"]), re.IGNORECASE)


@cache
def attack_words() -> re.Pattern[str]:
    """Words that make a named attacker or malware an operation ("the NotPetya attack",
    "a threat actor targeted"; ``malware_operation_words`` in the lexicon)."""
    return re.compile(_words(lexicon_data()["malware_operation_words"]), re.IGNORECASE)


def operation_mention(sentence: str) -> OperationMention | None:
    """The operation types a sentence mentions, or None when it mentions none."""
    lex = lexicon()
    matched = (
        [(operation, match) for operation in lex.types if (match := operation.search(sentence))]
        if lex.type_words.search(sentence)
        else []
    )
    if len(matched) > 1:
        # the generic wording ("attack", "hackers") gives way to a type it does not narrow down
        matched = [(operation, match) for operation, match in matched if operation.name != GENERIC]
        narrowed = {name for operation, _ in matched for name in operation.narrows}
        matched = [(operation, match) for operation, match in matched if operation.name not in narrowed]
    types = [operation.name for operation, _ in matched]
    techniques = {technique for operation, _ in matched for technique in operation.attack}
    first = min((match.start() for _, match in matched), default=-1)
    found: list[Mention] | None = None
    if not types:
        word = attack_words().search(sentence)
        if word is None:
            return None
        # "the NotPetya attack", "Lazarus was behind five attacks": a known malware or group named
        # with an attack word is an operation by what it is
        found = find_mentions(sentence)
        known = [m for m in found if m.kind == "malware"]
        if known:
            malware = next(t for t in lex.types if t.name == "malware")
            types, techniques, first = ["malware"], set(malware.attack), word.start()
        elif any(m.kind in ("group", "aligned", "generic") for m in found):
            types, first = [GENERIC], word.start()
        else:
            return None
    actual = not lex.not_event.search(sentence)
    capability = not actual and bool(lex.vulnerability.search(sentence))
    triggers = sorted(
        {first}
        | {m.start() for operation, _ in matched for m in operation.terms.finditer(sentence)}
        | {m.start() for m in _trigger_words().finditer(sentence)}
    )
    return OperationMention(types, sorted(techniques), first, actual, capability, found, triggers)
