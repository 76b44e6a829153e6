"""Build ``src/seawall/osint/data/verb_forms.json``: the forms of the verbs the OSINT lexicon uses.

    python scripts/build_verb_forms.py

A verb written once in ``osint/data/lexicon.yml`` is matched in its other forms ("hacked" also
"hacks", "hacking"), and the role model reads the verb a phrase hangs on by its class
(``role_verbs``, by lemma). Both need English inflection, which lemminflect's dictionary gives;
it costs 130 MB and most of a second to load, so it is read here, once, and Seawall reads the
small table this writes. Run again after changing the lexicon's terms or role verbs
(``tests/osint/test_pipeline.py`` checks the table is current).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "seawall" / "osint" / "data"
AUXILIARIES = frozenset({"be", "have", "do"})
ALL_FORMS = ("VB", "VBP", "VBD", "VBN", "VBZ", "VBG")
FINITE_FORMS = ("VBD", "VBN", "VBZ", "VBG")
"""The forms a lexicon term is also matched in: not the base form, which is a noun as often
("compromise", "flood", "spy")."""


def _head_words(lexicon: dict[str, Any]) -> set[str]:
    heads: set[str] = set()
    for entry in lexicon["operation_types"].values():
        for key in ("terms", "weak_terms", "near_terms"):
            heads.update(term.partition(" ")[0].lower() for term in entry.get(key, []))
    return heads


def _last_words(lexicon: dict[str, Any]) -> set[str]:
    words: set[str] = set()
    for entry in lexicon["operation_types"].values():
        for key in ("terms", "weak_terms", "near_terms"):
            words.update(term.rpartition(" ")[2] for term in entry.get(key, []))
    return words


def plurals(lexicon: dict[str, Any]) -> dict[str, list[str]]:
    """A singular noun that ends a lexicon term -> its plurals: "defacement" also
    "defacements", "break-in" also "break-ins"."""
    import lemminflect

    found: dict[str, list[str]] = {}
    for word in sorted(_last_words(lexicon)):
        lower = word.lower()
        if lemminflect.getAllLemmas(lower).get("NOUN") != (lower,):
            continue  # not a noun, or already a plural ("attacks" is not its own lemma)
        forms = [f for f in lemminflect.getInflection(lower, tag="NNS") if f != lower]
        found[lower] = forms or [_regular_plural(lower)]  # its dictionary lacks "defacements"
    return found


def _regular_plural(noun: str) -> str:
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def build(lexicon: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """``lemmas``: every form of a verb -> its lemmas; ``forms``: a lemma -> its forms but the
    base one; ``plurals``: a noun ending a term -> its plurals."""
    import lemminflect

    wanted: set[str] = {lemma for lemmas in lexicon["role_verbs"].values() for lemma in lemmas}
    for head in _head_words(lexicon):
        wanted.update(lemminflect.getAllLemmas(head).get("VERB", ()))
    wanted -= AUXILIARIES
    forms: dict[str, list[str]] = {}
    lemmas: dict[str, set[str]] = {}
    for lemma in sorted(wanted):
        every: list[str] = []
        for tag in ALL_FORMS:
            for form in lemminflect.getInflection(lemma, tag=tag):
                if form not in every:
                    every.append(form)
                if tag in FINITE_FORMS and form not in forms.setdefault(lemma, []):
                    forms[lemma].append(form)
        for form in every:
            lemmas.setdefault(form, set()).add(lemma)
    return {
        "forms": forms,
        "lemmas": {form: sorted(found) for form, found in sorted(lemmas.items())},
        "plurals": plurals(lexicon),
    }


def main() -> None:
    lexicon = yaml.safe_load((DATA / "lexicon.yml").read_text("utf-8"))
    table = build(lexicon)
    (DATA / "verb_forms.json").write_text(json.dumps(table, sort_keys=True, indent=0) + "\n", "utf-8")
    print(f"{len(table['forms'])} verbs, {len(table['lemmas'])} forms written to {DATA / 'verb_forms.json'}")


if __name__ == "__main__":
    main()
