"""An article into cyber-operation events, stage by stage.

text (``articles.py``: clean, titled, dated) -> sentences (``sentences.py``, split once) ->
operations (``operations.py``: which sentences tell one, of what type, whether it happened) ->
names (``mentions.py``: states, agencies, groups, malware, organisations, unnamed attackers) ->
syntax (``syntax.py``: a dependency parse of the operation sentences, their noun phrases) ->
roles (``roles.py``: a trained model says which phrase attacks and which is attacked) -> events
(here: countries, groups, sectors, date, sources, attribution of each operation; an operation
whose sentence names no author takes the one the article names in a sentence of its own,
``attribution.py``) -> de-duplication (``merge.py``).

An operation is recorded when the text says it happened and names its attacker or its victim,
also when the attacker is unnamed ("hackers stole the records of 3,000 patients").
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import traceback
from dataclasses import dataclass, replace
from functools import lru_cache

from seawall.intel.actors import default_gazetteer
from seawall.osint.articles import Article, parse_published
from seawall.osint.attribution import Attribution, attribution
from seawall.osint.dates import publication_date, resolve
from seawall.osint.events_model import GENERIC, UNSPECIFIC, Event, Evidence, Source
from seawall.osint.gazetteer import _COMMON_WORDS, lexicon, lexicon_data
from seawall.osint.mentions import STATE_KINDS, Mention, describes_the_actor, find_mentions
from seawall.osint.merge import merge_within
from seawall.osint.operations import OperationMention, operation_mention
from seawall.osint.roles import role_model
from seawall.osint.sentences import paragraph_of, paragraphs, sentences
from seawall.osint.syntax import (
    REFERRING_PRONOUNS,
    Phrase,
    SyntaxUnavailableError,
    Tree,
    attacks_by_construction,
    describes,
    given_as_reason,
    misread_verb,
    nearest_trigger,
    pair_features,
    parse,
    phrases,
    receives_it,
    reports_it,
    split_at,
    strikes_a_website,
    token_at,
)

log = logging.getLogger(__name__)

ATTACKER_THRESHOLD = 0.4
VICTIM_THRESHOLD = 0.5
"""A phrase takes a role when the model gives it more than this probability (the victim's is
higher: an operation sentence has many phrases the model half believes attacked). Chosen on
``bench/osint_cv.py`` (documents each fold's model never saw), from 0.3-0.5 and 0.4-0.7."""
FALLBACK_VICTIM = 0.15
"""When the attacker is named and no phrase passes ``VICTIM_THRESHOLD``, the likeliest victim
phrase is taken if the model gives it at least this."""
# Kinds of names that are the victim's country when the victim phrase holds them.
_VICTIM_PLACED = STATE_KINDS | {"institution", "company", "target", "place"}
# A phrase that refers back to an attacker named before ("the group", "they", "the hackers").
_REFERS_BACK = re.compile(
    r"^(?:the\s+(?:group|hackers|attackers|actors?|gang|crew)|it|"
    + "|".join(sorted(REFERRING_PRONOUNS))
    + ")$",
    re.IGNORECASE,
)


@dataclass
class _Told:
    """One operation sentence on its way to an event."""

    index: int
    sentence: str
    operation: OperationMention
    mentions: list[Mention]
    headline: bool = False


def _sources(sentence: str) -> list[Source]:
    """The vendors and outlets the lexicon knows, named in the sentence."""
    lex = lexicon()
    kinds = dict(lex.sources)
    return list(
        dict.fromkeys(
            Source(m.group(0), kinds.get(m.group(0), "")) for m in lex.source_pattern.finditer(sentence)
        )
    )


def _attribution(sentence: str) -> str:
    for level, pattern in lexicon().attribution:
        if pattern.search(sentence):
            return level
    return "reported"


def _sectors(text: str) -> list[str]:
    return [name for name, pattern in lexicon().sectors if pattern.search(text)]


def _headline(article: Article) -> list[str]:
    """The title, when the text does not already open with it: headlines tell the whole story
    in one line ("FBI blames North Korea for Sony Pictures hack")."""
    title = article.title.strip()
    if not title or article.text.lstrip().startswith(title[:60]):
        return []
    return [title]


def _names_someone(phrase: Phrase) -> bool:
    return any(
        m.kind not in ("generic", "malware", "place", "region") for m in phrase.mentions + phrase.nested
    )


def _trigger_tokens(told: _Told, tree: Tree) -> list[int]:
    offsets = told.operation.triggers or [told.operation.first]
    return list(dict.fromkeys(token_at(tree, offset) for offset in offsets))


def _roles(told: _Told, tree: Tree, triggers: list[int]) -> tuple[Phrase | None, list[Phrase], list[Mention]]:
    """The attacker phrase (the likeliest, if any) and the victim phrases of one sentence
    (``triggers``: the tokens of its operation words), and the names of those who tell of the
    operation or received what it took, who take no part in it."""
    model = role_model()
    attacker: tuple[tuple[bool, float], Phrase] | None = None
    likeliest: tuple[float, Phrase] | None = None
    victims: list[Phrase] = []
    tellers: list[Mention] = []
    read_as_attackers: list[Phrase] = []
    for phrase in phrases(tree, told.mentions):
        if reports_it(tree, phrase) or receives_it(tree, phrase):
            tellers.extend(phrase.mentions + phrase.nested)
            continue  # who tells of it or received what it took, not a participant
        if phrase.kind == "malware":
            continue  # a tool, not a participant
        trigger = nearest_trigger(tree, phrase, triggers)
        probabilities = model.probabilities(pair_features(tree, phrase, trigger))
        if phrase.clause == "subject" or attacks_by_construction(tree, phrase, triggers):
            probabilities = {"none": 0.0, "attacker": 1.0, "victim": 0.0}
        elif phrase.clause == "object":
            probabilities = {"none": 0.0, "attacker": 0.0, "victim": 1.0}
        role = max(probabilities, key=probabilities.__getitem__)
        if likeliest is None or probabilities["victim"] > likeliest[0]:
            likeliest = (probabilities["victim"], phrase)
        if role == "attacker" and probabilities[role] > ATTACKER_THRESHOLD:
            read_as_attackers.append(phrase)
            # a named attacker before an unnamed one ("state" of "state-backed", "hackers")
            rank = (_names_someone(phrase), probabilities[role])
            if attacker is None or rank > attacker[0]:
                attacker = (rank, phrase)
        elif (
            role == "victim"
            and probabilities[role] > VICTIM_THRESHOLD
            and not given_as_reason(tree, phrase, trigger)  # what it answered, not whom it struck
        ):
            victims.append(phrase)
    chosen = first_choice = attacker[1] if attacker else None
    reporters = {id(m) for m in tellers}
    if reporters:
        # nor do its names place a victim or an attacker the parse hangs it under ("Russian
        # actors, who ... leaked the data to American media")
        victims = [replace(v, nested=_own(v.nested, reporters)) for v in victims]
        if chosen is not None:
            chosen = replace(chosen, nested=_own(chosen.nested, reporters))
    if chosen is not None:
        chosen, done_to = _split_at_the_deed(tree, chosen, triggers)
        if done_to is not None:
            victims.append(done_to)
    if chosen is not None and not victims and likeliest is not None and likeliest[0] >= FALLBACK_VICTIM:
        # an operation has a target: with its attacker named, the likeliest victim phrase is it
        victims = [likeliest[1]]
    if chosen is None:
        return None, victims, tellers
    # the attacker's own description ("Russia's hackers", "hackers from Russia") and its own
    # words ("Malaysian" of "Indonesian and Malaysian hackers") are not attacked, unless the
    # parser made one phrase of a whole clause ("Hacker X leaked Emails of Y": an operation
    # word inside). Not the rest of its subtree: a misattached "on the website of ..." is there.
    whole_clause = any(chosen.start <= t < chosen.end for t in triggers)
    # nor are the words of a phrase below it that is read as attacking too ("Malaysian" of
    # "Indonesian and Malaysian hackers" when "A group of Indonesian and Malaysian hackers" is
    # chosen), when no operation word stands between the two
    others = [
        p for p in read_as_attackers if p is not first_choice and _below(tree, p, chosen.head, triggers)
    ]
    attacked = [
        v
        for v in victims
        if (v.start, v.end) != (chosen.start, chosen.end)
        and (whole_clause or not chosen.start <= v.start < v.end <= chosen.end)
        and not describes(tree, v, chosen)
        and not any(p.start <= v.start < v.end <= p.end for p in others)
    ]
    return chosen, attacked, tellers


def _below(tree: Tree, phrase: Phrase, head: int, triggers: list[int]) -> bool:
    """Whether a phrase hangs below the token ``head`` with no operation word in between."""
    chain = tree.ancestors(phrase.head)
    if head not in chain[1:]:
        return False
    return not any(t in triggers for t in chain[: chain.index(head)])


def _own(nested: tuple[Mention, ...], others: set[int]) -> tuple[Mention, ...]:
    """The names right of a phrase's head that are not another role's own words."""
    return tuple(m for m in nested if id(m) not in others)


def _split_at_the_deed(tree: Tree, chosen: Phrase, triggers: list[int]) -> tuple[Phrase, Phrase | None]:
    """An attacker phrase that holds an operation verb between a name and more words ("Russian
    APTs hack Czech MFAI", a headline the parser read as one noun phrase) is a clause: the words
    before the verb attack, those after it are attacked when they name someone."""
    verb = misread_verb(tree, chosen.start, chosen.end - 1, chosen.mentions, base_forms=True)
    if verb is None or verb not in triggers or verb == chosen.end - 1:
        return chosen, None
    doer, done_to = split_at(tree, chosen, verb)
    if done_to is None or not any(m.kind in _VICTIM_PLACED for m in done_to.mentions):
        return doer, None
    return doer, done_to


def _event(told: _Told, attacker: Phrase | None, victims: list[Phrase], article: Article) -> Event:
    anchor, precision = parse_published(article.published)
    event = Event(types=list(told.operation.types), techniques=list(told.operation.techniques))
    if attacker is not None:
        event.attacker_text = [attacker.text]
        # a name of a phrase read in the other role places that one, not this one, whatever the
        # parse hangs it under: "Sofacy -- for hacks of ... the Czech Republic", "a casino hacked
        # by Iranians"
        victim_names = {id(m) for v in victims for m in v.mentions}
        for mention in attacker.mentions + _own(attacker.nested, victim_names):
            if mention.kind == "aligned":
                event.aligned_countries.append(mention.country)
                event.attacker_countries.append(mention.country)
            elif mention.kind == "group":
                event.attacker_groups.append(mention.name)
                if mention.country:
                    event.attacker_countries.append(mention.country)
            elif mention.kind in STATE_KINDS and mention.country:
                event.attacker_countries.append(mention.country)
    attacker_names = {id(m) for m in attacker.mentions} if attacker is not None else set()
    for victim in victims:
        event.victim_text.append(victim.text)
        placing = victim.mentions + _own(victim.nested, attacker_names)
        event.victim_countries.extend(m.country for m in placing if m.kind in _VICTIM_PLACED and m.country)
        event.victim_regions.extend(m.name for m in placing if m.kind == "region")
        event.victim_sectors.extend(_sectors(victim.text))
    event.attacker_countries = sorted(set(event.attacker_countries))
    event.aligned_countries = sorted(set(event.aligned_countries))
    event.attacker_groups = sorted(set(event.attacker_groups))
    event.victim_countries = sorted(set(event.victim_countries))
    # a region only where no country of it is named: "Ukraine and other Eastern European states"
    event.victim_regions = sorted(set(event.victim_regions)) if not event.victim_countries else []
    event.victim_sectors = sorted(set(event.victim_sectors))
    event.malware = sorted({m.name for m in told.mentions if m.kind == "malware"})
    event.date = resolve(told.sentence, anchor, precision)
    event.sources = _sources(told.sentence)
    event.attribution = _attribution(told.sentence)
    event.evidence = [
        Evidence(
            article=article.id, sentence=told.sentence, outlet=article.outlet, published=article.published
        )
    ]
    return event


def _named(event: Event) -> bool:
    return bool(event.attacker_countries or event.attacker_groups)


MAX_OPERATION_SENTENCES = 1000
"""A long vendor report tells of tens of operations in a few hundred sentences; past this many
operation sentences an article is read no further, so that a hostile "article" of millions of
sentences costs seconds, not hours of parsing."""


_Found = tuple[list[_Told], list[Attribution]]
"""An article's operation sentences, and the sentences that only say who did one."""


def _operations(article: Article) -> _Found:
    """The sentences that tell an operation, and those that only say who did one."""
    told: list[_Told] = []
    attributions: list[Attribution] = []
    headline = _headline(article)
    for index, sentence in enumerate(headline + sentences(article.text)):
        operation = operation_mention(sentence)
        if operation is None or not operation.actual or operation.capability:
            if operation is None and len(attributions) < MAX_OPERATION_SENTENCES:
                said = attribution(sentence)
                if said is not None:
                    attributions.append(said)
            continue
        mentions = operation.mentions if operation.mentions is not None else find_mentions(sentence)
        told.append(_Told(index, sentence, operation, mentions, headline=bool(headline) and index == 0))
        if len(told) >= MAX_OPERATION_SENTENCES:
            break
    return told, attributions


def extract_events(article: Article) -> list[Event]:
    """The cyber operations an article reports, merged within the article."""
    (events,) = analyse_batch([article])
    if events is None:
        raise RuntimeError(f"could not analyse article {article.id[:12]} (see the log)")
    return events


def analyse_batch(articles: list[Article]) -> list[list[Event] | None]:
    """Each article's events, their operation sentences parsed in one batch; None for an
    article that could not be analysed."""
    found: list[_Found | None] = []
    for article in articles:
        try:
            found.append(_operations(article))
        except Exception:
            log.error("could not read the operations of %s: %s", article.id[:12], traceback.format_exc())
            found.append(None)
    jobs = [[t.sentence for t in item[0]] if item else [] for item in found]
    try:
        trees: list[list[Tree] | None] = _split(parse([s for job in jobs for s in job]), jobs)
    except SyntaxUnavailableError:
        raise
    except Exception:  # one article's text broke the batch: each alone
        log.error("batch parse failed, parsing article by article: %s", traceback.format_exc())
        trees = [_parse_alone(job) for job in jobs]
    results: list[list[Event] | None] = []
    for article, item, parsed in zip(articles, found, trees, strict=True):
        events: list[Event] | None = None
        if item is not None and parsed is not None:
            told, attributions = item
            try:
                events = _article_events(article, list(zip(told, parsed, strict=True)), attributions)
            except Exception:
                log.error("could not analyse %s: %s", article.id[:12], traceback.format_exc())
        results.append(events)
    return results


def _split(trees: list[Tree], jobs: list[list[str]]) -> list[list[Tree] | None]:
    it = iter(trees)
    return [[next(it) for _ in job] for job in jobs]


def _parse_alone(sentences: list[str]) -> list[Tree] | None:
    try:
        return parse(sentences)
    except SyntaxUnavailableError:
        raise
    except Exception:
        log.error("could not parse: %s", traceback.format_exc())
        return None


def _article_events(
    article: Article, parsed: list[tuple[_Told, Tree]], attributions: list[Attribution]
) -> list[Event]:
    numbers = paragraph_of(article.text)
    events: list[Event] = []
    told_by: list[tuple[str, Mention]] = []  # the names of reporters and receivers, by sentence
    last_named: tuple[int, Event] | None = None
    for item, tree in parsed:
        triggers = _trigger_tokens(item, tree)
        attacker, victims, tellers = _roles(item, tree, triggers)
        told_by.extend((item.sentence, m) for m in tellers)
        event = _event(item, attacker, victims, article)
        if set(event.types) <= UNSPECIFIC and strikes_a_website(tree, triggers):
            event.types, event.techniques = ["defacement"], _defacement_techniques()
        paragraph = numbers.get(item.sentence, -1)
        if (
            attacker is not None
            and not attacker.mentions
            and _REFERS_BACK.match(attacker.text)
            and last_named is not None
            and paragraph - last_named[0] <= 1
        ):
            # "The group also deployed a wiper against ...": the attacker named just before
            earlier = last_named[1]
            event.attacker_countries = list(earlier.attacker_countries)
            event.aligned_countries = list(earlier.aligned_countries)
            event.attacker_groups = list(earlier.attacker_groups)
            if attacker.text.lower() in REFERRING_PRONOUNS:
                event.attacker_text = list(earlier.attacker_text)  # "They", shown as whom it means
        if not (event.attacker_text or event.victim_text):
            continue
        if item.headline and not (_named(event) and event.victim_countries):
            # a headline sums the story up ("US, Iran engage in tit-for-tat cyber attacks"):
            # it is an operation of its own only when it names both sides
            continue
        if _named(event):
            last_named = (paragraph, event)
        events.append(event)
    if not events and attributions:
        # "Reaqta links the campaign to Iran": the article tells its operation in words we do
        # not read as one, and says who did it; the operation is recorded with its author
        events.append(Event(types=[GENERIC]))
    _attribute(events, attributions, article)
    _attribute_to_the_named_group(events, article)
    events = [e for e in events if e.attacker_text or e.victim_text]
    anchor, precision = parse_published(article.published)
    fallback = publication_date(anchor, precision)
    publisher = [Source(article.outlet, "publisher")] if article.outlet else []
    merged = merge_within(events)
    _type_from_article(merged, [item for item, _ in parsed])
    _type_from_attacker(merged)
    # after merging: a country read from elsewhere in the article is no evidence that two
    # of its operations are one
    _place_the_country(merged, article)
    _place_by_headline(merged, article)
    _place_victims(merged, article, told_by)
    for event in merged:
        if event.date is None:
            event.date = fallback
        event.sources = list(dict.fromkeys([*event.sources, *publisher]))
        event.id = event_id(event)
    return merged


def _defacement_techniques() -> list[str]:
    return next(list(t.attack) for t in lexicon().types if t.name == "defacement")


def _type_from_article(events: list[Event], told: list[_Told]) -> None:
    """An operation told only as an attack or a break-in ("Chinese hackers accessed the network
    of Alcoa") takes the kinds the same article names in its title or in operation sentences that
    became no event of their own ("BKA Doxxing"; "the goal was espionage"): a story often tells
    what was done in one sentence and who did it to whom in another. A kind another event
    already carries is that event's. Decided on ``bench/osint_cv.py``."""
    recorded = {t for event in events for t in event.types}
    told_types = (t for item in told for t in item.operation.types if t not in UNSPECIFIC)
    unplaced = [t for t in dict.fromkeys(told_types) if t not in recorded]
    if not unplaced:
        return
    for event in events:
        if set(event.types) <= UNSPECIFIC:
            event.types = [*event.types, *unplaced]


def _type_from_attacker(events: list[Event]) -> None:
    """An operation still told only as an attack or a break-in takes the kinds of operation its
    named group is known for (``actor_incident_types`` in the lexicon; most known groups are
    known for espionage), when the group's record gives any."""
    kinds: dict[str, str] = lexicon_data()["actor_incident_types"]
    gazetteer = default_gazetteer()
    for event in events:
        if not event.attacker_groups or not set(event.types) <= UNSPECIFIC:
            continue
        known = (gazetteer.resolve(group) for group in event.attacker_groups)
        told = [kinds[i] for actor in known if actor is not None for i in actor.incidents if i in kinds]
        event.types = [*event.types, *(t for t in dict.fromkeys(told) if t not in event.types)]


_THE_COUNTRY = re.compile(r"^the (?:country|nation)\b", re.IGNORECASE)


def _place_the_country(events: list[Event], article: Article) -> None:
    """A victim told as "the country" or "the country's passport system" is in the country
    named last before it, the attacker's own words left aside: English refers back so
    ("A Belarusian group hacked the country's passport system" after a title on Belarus)."""
    for event in events:
        if event.victim_countries or not any(_THE_COUNTRY.match(t) for t in event.victim_text):
            continue
        phrase = next(t for t in event.victim_text if _THE_COUNTRY.match(t))
        sentence = next((e.sentence for e in event.evidence if phrase in e.sentence), "")
        if not sentence:
            continue
        full = f"{article.title}\n{article.text}"
        at = full.find(sentence)
        if at < 0:
            continue
        told = at + sentence.find(phrase)
        attacker_spans = [
            (at + i, at + i + len(t)) for t in event.attacker_text if (i := sentence.find(t)) >= 0
        ]
        earlier = [
            m
            for m in find_mentions(full[:told])
            if m.kind in STATE_KINDS
            and m.country
            and not any(start <= m.start < end for start, end in attacker_spans)
        ]
        if earlier:
            event.victim_countries = [earlier[-1].country]


@lru_cache(maxsize=1)
def _opposition() -> re.Pattern[str]:
    words = sorted(lexicon_data()["opposition_words"], key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in words)
    # searched, not matched between two ".+?" groups: that backtracked over long runs of spaces
    return re.compile(rf"\s(?:{alternatives})(?!\w)", re.IGNORECASE)


def _place_by_headline(events: list[Event], article: Article) -> None:
    """A headline that sets two sides against each other ("Fancy Bear vs. Denmark", "China vs.
    Vietnam hackers") says who acts and who undergoes: an event whose victim the text does not
    place is on the second side, one whose attacker it does not place on the first, unless that
    is the side the event already records in the other role."""
    title = article.title
    word = _opposition().search(title)
    if word is None:
        return
    actors = [m for m in find_mentions(title[: word.start()]) if m.kind != "place"]
    acting = {m.country for m in actors if m.country}
    groups = sorted({m.name for m in actors if m.kind == "group"})
    undergoing = {
        m.country for m in find_mentions(title[word.end() :]) if m.country and m.kind in _VICTIM_PLACED
    }
    if acting & undergoing:
        return  # "Russia vs. Russia": no side to tell
    for event in events:
        unplaced = not event.victim_countries and not event.victim_regions
        if undergoing and unplaced and not undergoing & set(event.attacker_countries):
            event.victim_countries = sorted(undergoing)
        if _named(event) or acting & set(event.victim_countries):
            continue
        event.attacker_countries = sorted(acting)
        event.attacker_groups = groups


def _place_victims(events: list[Event], article: Article, told_by: list[tuple[str, Mention]]) -> None:
    """A victim the text does not place ("opposition websites suffered DDoS attacks") is in the
    one country the article names apart from its attackers' and those of who told of it ("as
    reported by Russian IT security company Kaspersky"), if it names just one."""
    unplaced = [e for e in events if e.victim_text and not e.victim_countries and not e.victim_regions]
    if not unplaced:
        return
    full = f"{article.title}\n{article.text}"
    tellers = set()
    for sentence, mention in told_by:
        at = full.find(sentence)
        if at >= 0:
            tellers.add((at + mention.start, at + mention.end))
    named = {
        m.country
        for m in find_mentions(full)
        if m.kind in _VICTIM_PLACED and m.country and (m.start, m.end) not in tellers
    }
    # Any attacker the article names is no place of a victim it leaves unplaced: "Hackers
    # breached the ministry's networks. The government said Iran was behind the intrusion."
    # tells two operation sentences, one with its victim, one with its author.
    attackers = {c for e in events for c in [*e.attacker_countries, *e.aligned_countries]}
    for event in unplaced:
        left = named - attackers
        if len(left) == 1:
            event.victim_countries = sorted(left)


ATTRIBUTION_EVIDENCE = 3
"""Attribution sentences kept as an event's evidence: enough for an analyst to check the
source; a hostile article of a thousand of them does not copy a thousand into every event."""


def _attribute(events: list[Event], attributions: list[Attribution], article: Article) -> None:
    """Name the author of the operations whose sentences name none, from the article's
    sentences that say who did it; when those sentences disagree on the state, the article
    tells of several authors and none is chosen."""
    if not attributions:
        return
    states = {tuple(a.countries()) for a in attributions if a.countries()}
    if len(states) > 1:
        return
    countries = sorted({code for a in attributions for code in a.countries()})
    groups = sorted({name for a in attributions for name in a.groups()})
    texts = list(dict.fromkeys(m.text for a in attributions for m in a.authors))[:ATTRIBUTION_EVIDENCE]
    cited = attributions[:ATTRIBUTION_EVIDENCE]
    sources = list(dict.fromkeys(source for a in cited for source in _sources(a.sentence)))
    evidence = [
        Evidence(article=article.id, sentence=a.sentence, outlet=article.outlet, published=article.published)
        for a in cited
    ]
    for event in events:
        if _named(event) or event.aligned_countries:
            continue
        event.attacker_countries = list(countries)
        event.attacker_groups = list(groups)
        event.attacker_text = list(dict.fromkeys([*event.attacker_text, *texts]))
        event.attribution = _attribution(cited[0].sentence)
        event.sources = list(dict.fromkeys([*event.sources, *sources]))
        event.evidence = [*event.evidence, *evidence]


def _attribute_to_the_named_group(events: list[Event], article: Article) -> None:
    """Name the author of an operation still without one after the group of threat actors
    named in the article's title or in the operation's own paragraph, when all the groups named
    there are of one state: a story names a threat-actor group beside an operation because the
    group did it ("Gaza Cybergang aka Molerats" over "a new spike of activity ... targeting
    government entities"); groups are attackers by what they are. Where no group is named
    there, the attacker the title or that paragraph calls by its state ("might have been an
    Iranian state hacker group"), when all such are of one state. Not from elsewhere in a long
    article, which names other groups to compare. Decided on ``bench/osint_cv.py``."""
    unnamed = [e for e in events if not _named(e) and not e.aligned_countries]
    if not unnamed:
        return
    texts = paragraphs(article.text)
    numbers = paragraph_of(article.text)
    in_title = _groups_named(article.title)
    for event in unnamed:
        told = event.evidence[0].sentence if event.evidence else ""
        number = numbers.get(told, -1)
        paragraph = texts[number] if 0 <= number < len(texts) else told
        groups = in_title + _groups_named(paragraph)
        if not groups:
            groups = _actors_of_a_state(article.title) + _actors_of_a_state(paragraph)
        if len({m.country for m in groups}) != 1:
            continue
        first = groups[0]
        event.attacker_countries = [first.country]
        event.attacker_groups = sorted({m.name for m in groups if m.kind == "group"})
        event.attacker_text = list(dict.fromkeys([*event.attacker_text, first.text]))


@lru_cache(maxsize=64)
def _actors_of_a_state(text: str) -> tuple[Mention, ...]:
    """The state adjectives of a text that describe an unnamed attacker ("Chinese hackers",
    "an Iranian state hacker group"): whoever else the text names, the attacker it calls by
    its state is of that state."""
    mentions = _mentions_of(text)
    return tuple(
        Mention(state.start, actor.end, text[state.start : actor.end], state.kind, state.country, state.name)
        for state, actor in itertools.pairwise(mentions)
        if actor.kind == "generic" and describes_the_actor(text, state, actor)
    )


@lru_cache(maxsize=64)
def _groups_named(text: str) -> tuple[Mention, ...]:
    """The threat-actor groups with a known state a text names (one paragraph is asked for
    each of its unattributed operations)."""
    return tuple(m for m in _mentions_of(text) if m.kind == "group" and m.country)


@lru_cache(maxsize=16)
def _mentions_of(text: str) -> tuple[Mention, ...]:
    """A title's or paragraph's names, found once for both questions asked of it above."""
    return tuple(find_mentions(text))


def event_id(event: Event) -> str:
    return "ev-" + hashlib.sha256(event.key().encode()).hexdigest()[:12]


def victim_phrases(event: Event, limit: int = 2) -> list[str]:
    """The victim in the text's own words, for a view: without bare country names (the view
    shows the country already) and without a phrase that a longer one contains."""
    table = lexicon().name_table
    phrases_ = [t for t in event.victim_text if table.get(t, ("",))[0] != "country"]
    kept = [t for t in phrases_ if not any(t != o and t.lower() in o.lower() for o in phrases_)]
    return kept[:limit]


_NAME_CONNECTORS = frozenset({"of", "for", "and", "the", "&", "de", "du", "des", "la", "le", "und"})


def victim_organisations(event: Event) -> list[str]:
    """The victims the text calls by a proper name ("Saudi Aramco", "Democratic National
    Committee"), for export as organisations; described groups ("US government agencies") and
    lists of countries are not organisations."""
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
