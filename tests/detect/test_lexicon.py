"""The phrase lexicon: words, optional slots, and "A ~N B" proximity, on real-looking text."""

from __future__ import annotations

from seawall.detect.lexicon import Lexicon, default_lexicon, normalise_words


def categories(lexicon: Lexicon, text: str) -> dict[str, str]:
    return {m.category: m.text for m in lexicon.find(normalise_words(text))}


def test_a_request_and_its_object_match_across_the_words_between_them() -> None:
    lexicon = Lexicon({"ask": {"en": ["verify|confirm ~4 account|wallet"]}}, [], {})
    assert categories(lexicon, "Please verify the ownership of your account today") == {
        "ask": "verify the ownership of your account"
    }
    # six words apart is beyond the window; the order matters
    assert categories(lexicon, "verify that the patch builds on the account") == {}
    assert categories(lexicon, "your account was used to verify the build") == {}


def test_the_shipped_lexicon_reads_requests_in_several_languages() -> None:
    lexicon = default_lexicon()
    found = categories(lexicon, "Bitte Ihr Konto umgehend bestätigen.")
    assert found["credential_request"] == "konto umgehend bestatigen"
    found = categories(lexicon, "Clique aqui para desbloquear o acesso à sua conta")
    assert "credential_request" in found
    # a newsletter's subscription confirmation is no credential request
    assert "credential_request" not in categories(lexicon, "Confirm your subscription to our newsletter")


def test_styled_letters_are_read_as_the_words_they_show() -> None:
    # Spam writes subjects in Unicode's mathematical bold letters to slip past word filters;
    # a reader sees the words, so the lexicon reads them too (capitals included).
    assert normalise_words("𝐈𝐦𝐩𝐨𝐫𝐭𝐚𝐧𝐭 𝐌𝐞𝐬𝐬𝐚𝐠𝐞 𝐅𝐨𝐫 𝐘𝐨𝐮") == ["important", "message", "for", "you"]
    found = default_lexicon().find(normalise_words("𝐘𝐨𝐮 𝐡𝐚𝐯𝐞 𝐰𝐨𝐧 𝐚𝐧 𝐢𝐏𝐡𝐨𝐧𝐞"))
    assert [match.category for match in found] == ["prize_lure"]


def test_asking_whether_the_reader_is_available_is_not_saying_something_is() -> None:
    lexicon = default_lexicon()
    found = categories(lexicon, "¿Estás disponible? Necesito que hagas algo por mí.")
    assert found["secrecy"] == "estas disponible"
    assert "secrecy" in categories(lexicon, "¿Está usted disponible esta tarde?")
    assert "secrecy" not in categories(lexicon, "Tu extracto de junio ya está disponible")


def test_a_written_request_in_the_infinitive_is_still_a_request() -> None:
    # French and Spanish letters ask politely with an infinitive: "Veuillez mettre à jour ..."
    lexicon = default_lexicon()
    letter = "Veuillez mettre à jour vos coordonnées bancaires pour recevoir votre remboursement."
    assert "credential_request" in categories(lexicon, letter)
    assert "credential_request" in categories(lexicon, "Es necesario actualizar tus datos bancarios hoy.")
    # telling the reader what was done asks nothing
    assert "credential_request" not in categories(lexicon, "Vos coordonnées bancaires ont été enregistrées.")
