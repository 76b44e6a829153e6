"""Who did it, said in a sentence of its own."""

from __future__ import annotations

from seawall.osint.articles import Article
from seawall.osint.attribution import attribution
from seawall.osint.events import extract_events


def test_the_first_state_or_group_after_the_cue_is_the_author() -> None:
    said = attribution("U.S. officials accused Russia of interfering in the U.S. election campaign.")
    assert said is not None and said.countries() == ["RU"]
    said = attribution("Researchers later linked the campaign to the Russian group APT28.")
    assert said is not None and said.countries() == ["RU"]


def test_the_accused_of_a_passive_is_named_before_the_cue() -> None:
    # an active accusation names its object after the cue ("accused Russia of"); a passive
    # names the accused first, and whoever is named after the cue told it
    said = attribution("China accused of attack on the Pentagon, according to what US officials said.")
    assert said is not None and said.countries() == ["CN"]
    said = attribution("Russia was blamed for the attack by officials in Washington.")
    assert said is not None and said.countries() == ["RU"]


def test_holding_someone_responsible_names_them_before_the_cue() -> None:
    said = attribution("The government holds China responsible.")
    assert said is not None and said.countries() == ["CN"]
    said = attribution("Officials in Kyiv pointed the finger at Moscow.")
    assert said is not None and said.countries() == ["RU"]
    said = attribution("Investigators traced the attack to North Korea.")
    assert said is not None and said.countries() == ["KP"]
    # responsible for something that is no attack, with no state before it
    assert attribution("The ministry responsible for energy in Germany met today.") is None


def test_an_unplaced_victim_is_not_placed_in_the_country_that_attacked() -> None:
    # the only state the article names is its attacker: the victim stays unplaced rather than
    # being put where the attack came from
    for blame in (
        "The government holds China responsible.",
        "The government said China was behind the intrusion.",
    ):
        text = f"Hackers breached the networks of the Ministry of Finance.\n\n{blame}"
        events = extract_events(Article(id="a", published="2020-10-13", text=text))
        assert events
        assert all("CN" not in e.victim_countries for e in events)
        assert any(e.attacker_countries == ["CN"] for e in events)


def test_blaming_a_state_is_about_an_operation_by_itself() -> None:
    # "linked to" may be about anything; an accusation names who did it
    said = attribution("Georgia accused Russia, but its involvement was contested at that time.")
    assert said is not None and said.countries() == ["RU"]
    assert attribution("The prosecutor accused the mayor of corruption.") is None


def test_a_denial_or_a_sentence_about_no_attack_attributes_nothing() -> None:
    assert attribution("Moscow denied being linked to the attack.") is None
    assert attribution("The retailer, a company in California, is associated with a Florida firm.") is None


def test_an_operation_without_an_author_takes_the_one_the_article_names_elsewhere() -> None:
    text = (
        "Hackers breached the networks of the Norwegian parliament in August and stole e-mails.\n\n"
        "The Norwegian government said the attackers were linked to Russia."
    )
    (event,) = extract_events(Article(id="a", published="2020-10-13", text=text))
    assert event.attacker_countries == ["RU"] and "NO" in event.victim_countries
    assert any("linked to Russia" in e.sentence for e in event.evidence)


def test_articles_naming_different_states_as_authors_choose_none() -> None:
    text = (
        "Hackers breached the networks of the Norwegian parliament in August and stole e-mails.\n\n"
        "Some officials said the attackers were linked to Russia. Others blamed intruders working for China."
    )
    (event,) = extract_events(Article(id="a", published="2020-10-13", text=text))
    assert event.attacker_countries == []


def test_a_flood_of_attribution_sentences_stays_bounded() -> None:
    from seawall.osint.events import ATTRIBUTION_EVIDENCE

    text = "Hackers stole the e-mails of Norwegian officials.\n\n" + (
        "Officials said the attackers were linked to Russia. " * 800
    )
    (event,) = extract_events(Article(id="a", published="2020-10-13", text=text))
    assert event.attacker_countries == ["RU"]
    assert len(event.evidence) <= 1 + ATTRIBUTION_EVIDENCE


def test_a_group_named_in_the_title_or_the_operations_paragraph_is_its_author() -> None:
    article = Article(
        id="g",
        title="Gaza Cybergang aka Molerats",
        published="2017-05-01",
        text="Hackers breached the networks of the Egyptian foreign ministry and stole e-mails.",
    )
    (event,) = extract_events(article)
    assert event.attacker_countries == ["PS"] and event.attacker_groups and event.victim_countries == ["EG"]
    # a group another paragraph names to compare is not the author
    compared = Article(
        id="h",
        published="2017-05-01",
        text=(
            "Hackers breached the networks of the Egyptian foreign ministry and stole e-mails.\n\n"
            "Its tools resemble those once used by Molerats."
        ),
    )
    (event,) = extract_events(compared)
    assert not event.attacker_countries and event.victim_countries == ["EG"]


def test_an_attacker_the_operations_paragraph_calls_by_its_state_is_its_author() -> None:
    article = Article(
        id="s",
        published="2019-03-01",
        text=(
            "The servers of the remote access tool Citrix were hacked, and passwords were stolen. "
            "The perpetrator is still unclear, but might have been an Iranian state hacker group."
        ),
    )
    (event,) = extract_events(article)
    assert event.attacker_countries == ["IR"] and not event.attacker_groups
    assert "Iranian state hacker" in event.attacker_text
    # a state's adjective on anyone else names no author
    denied = Article(
        id="t",
        published="2019-03-01",
        text=(
            "The servers of the remote access tool Citrix were hacked, and passwords were stolen. "
            "The perpetrator is still unclear, but Iranian officials deny any role."
        ),
    )
    (event,) = extract_events(denied)
    assert not event.attacker_countries


def test_who_was_behind_an_operation_did_it() -> None:
    for sentence in (
        "Iran was behind the attack.",
        "Officials said Iran was behind the attack.",
        # the first cue ("believed to be") names nobody after it; the next names Iran before it
        "Iran is believed to be behind the attack.",
        "Iran is suspected of being behind the attack.",
    ):
        said = attribution(sentence)
        assert said is not None and said.countries() == ["IR"], sentence
    assert attribution("The hackers left behind a note in Farsi after the attack on Iran.") is None


def test_a_sentence_is_read_for_its_first_cues_only() -> None:
    from seawall.osint.attribution import CUES_TRIED

    # a hostile headline of thousands of cues costs the square of its length when every cue
    # looks through every name; the first few cues are read, as real sentences need
    def sentence(cues: int) -> str:
        # "responsible" looks for its author before itself and finds none
        return "Hackers " + "responsible, " * cues + "and Iran was behind the attack."

    said = attribution(sentence(CUES_TRIED - 1))
    assert said is not None and said.countries() == ["IR"]
    assert attribution(sentence(CUES_TRIED)) is None
