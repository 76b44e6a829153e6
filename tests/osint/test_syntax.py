"""The parse's constructions that make a phrase the attacker, whichever state it names."""

from __future__ import annotations

import pytest

from seawall.osint.mentions import find_mentions
from seawall.osint.operations import operation_mention
from seawall.osint.syntax import attacks_by_construction, parse, phrases, token_at


def _attacks(sentence: str, phrase_text: str) -> bool:
    operation = operation_mention(sentence)
    assert operation is not None and operation.triggers
    tree = parse([sentence])[0]
    triggers = [token_at(tree, offset) for offset in operation.triggers]
    mentions = operation.mentions if operation.mentions is not None else find_mentions(sentence)
    (phrase,) = [p for p in phrases(tree, mentions) if p.text == phrase_text]
    return attacks_by_construction(tree, phrase, triggers)


@pytest.mark.parametrize(
    ("sentence", "phrase", "attacks"),
    [
        # the parser hangs the subject on the first of two coordinated verbs; the operation
        # verb after "and" has it too
        (
            "Vietnamese hackers deleted the archives and stole files from Peru's foreign ministry.",
            "Vietnamese hackers",
            True,
        ),
        # not when the second verb has a subject of its own
        (
            "Vietnamese officials closed the office, and then the hackers stole files from Peru's ministry.",
            "Vietnamese officials",
            False,
        ),
    ],
)
def test_coordinated_verbs_share_their_subject(sentence: str, phrase: str, attacks: bool) -> None:
    assert _attacks(sentence, phrase) is attacks


@pytest.mark.parametrize(
    ("sentence", "phrase", "attacks"),
    [
        # the gerund of "by" is how the subject did what its verb says
        (
            "Portuguese hackers responded to the ruling by defacing the website of Peru's foreign ministry.",
            "Portuguese hackers",
            True,
        ),
        # an open complement's subject is left unsaid because it is the verb's subject
        (
            "Portuguese hackers tried to hack the website of Peru's foreign ministry.",
            "Portuguese hackers",
            True,
        ),
        # not the subject of a verb whose "by" is no deed of its own
        ("Peru's ministry was embarrassed by hackers defacing its website.", "Peru's ministry", False),
    ],
)
def test_a_complement_and_the_gerund_of_by_share_the_subject(
    sentence: str, phrase: str, attacks: bool
) -> None:
    assert _attacks(sentence, phrase) is attacks
