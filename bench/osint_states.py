"""Does the state named decide the role it gets? Every ordered pair of ten states, in three
plain sentence forms, through the product's own extraction.

    python bench/osint_states.py [--show N]

An invariance check (as CheckList's): "Israel launched a cyberattack against Iran" must read
as "Iran launched a cyberattack against Israel" does, with the sides swapped. A role model that
learned which states a coded dataset's incidents are usually against reads the same sentence
one way for one state and the other way for another. The sentences are this script's own; the
figure is the share read right: one event, the subject's state its only attacker, the other
state among its victims and the attacker's not.
"""

from __future__ import annotations

import argparse
from itertools import permutations

from seawall.osint.articles import Article
from seawall.osint.events import extract_events
from seawall.osint.gazetteer import country_code

STATES = (
    "Russia",
    "China",
    "Iran",
    "North Korea",
    "the United States",
    "Israel",
    "Ukraine",
    "Vietnam",
    "Pakistan",
    "India",
)
FORMS = (
    "{a} launched a cyberattack against {b}.",
    "{a} hacked government networks in {b}.",
    "Hackers working for {a} targeted {b}'s energy companies.",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, help="list N sentences read wrong")
    args = parser.parse_args()
    wrong: dict[str, int] = {}
    shown = total = 0
    for a, b in permutations(STATES, 2):
        for form in FORMS:
            text = form.format(a=a, b=b)
            text = text[0].upper() + text[1:]
            events = extract_events(Article(id="s", published="2020-01-01", text=text))
            attacker, victim = country_code(a.removeprefix("the ")), country_code(b.removeprefix("the "))
            right = (
                len(events) == 1
                and events[0].attacker_countries == [attacker]
                and victim in events[0].victim_countries
                and attacker not in events[0].victim_countries
            )
            total += 1
            if not right:
                wrong[a] = wrong.get(a, 0) + 1
                if shown < args.show:
                    shown += 1
                    print(f"  {text} -> {[(e.attacker_countries, e.victim_countries) for e in events]}")
    print(f"read right: {total - sum(wrong.values())} / {total}")
    print(
        "wrong, by the attacking state named: " + (", ".join(f"{s} {n}" for s, n in wrong.items()) or "none")
    )


if __name__ == "__main__":
    main()
