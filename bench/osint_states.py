"""Does the state named, or the way the sentence is built, decide the role it gets? Every
ordered pair of ten states, in 22 plain sentence forms, through the product's own
extraction.

    python bench/osint_states.py [--show N]

An invariance check (as CheckList's): "Israel launched a cyberattack against Iran" must read
as "Iran launched a cyberattack against Israel" does, with the sides swapped. A role model that
learned which states a coded dataset's incidents are usually against reads the same sentence
one way for one state and the other way for another. The forms are the common ways English
tells who attacked whom (subject and object, passive agent, "by" after an operation noun,
possessive, "hackers from", accusation, attribution, responsibility): a form read wrong for
every pair is a construction the product does not read, whichever states fill it. The
sentences are this script's own, written to cover constructions, not taken from any corpus,
and several forms were added as the construction they test was made to read right: the figure
is a regression check of syntax against names, not an estimate on unseen reporting;
the figure is the share read right: one event, the attacking state its only attacker, the
other state among its victims and the attacker's not.
"""

from __future__ import annotations

import argparse
from collections import Counter
from itertools import permutations

from seawall.osint.articles import Article
from seawall.osint.events import analyse_batch
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
    "{a} was behind a cyberattack against {b}.",
    "{a} is responsible for the cyberattack on {b}'s power grid.",
    "Government networks in {b} were hacked by {a}.",
    "{b} was targeted by hackers linked to {a}.",
    "{b} accused {a} of hacking its ministries.",
    "{b} blamed {a} for the cyberattack on its banks.",
    "The cyberattack on {b}'s banks was attributed to {a}.",
    "{a}'s hackers defaced {b}'s government websites.",
    "Hackers from {a} stole data from {b}'s defence ministry.",
    "{a} responded by hacking {b}'s government websites.",
    "{a}-backed hackers breached networks in {b}.",
    "A phishing campaign by {a} targeted diplomats in {b}.",
    "{a} used malware to spy on officials in {b}.",
    "Officials in {b} said {a} hacked their networks.",
    "{a} attacked {b} with ransomware.",
    "{b}'s foreign ministry was hit by a cyberattack from {a}.",
    "{a} accused of cyberattack on {b}'s banks.",
    "{a} blamed for hacking {b}'s ministries.",
    "{a} has increased its cyberattack activity targeting {b}'s ministries.",
    "{b} said {a} is behind the hacking of its ministries.",
    "The cyberattacks on {b}'s banks were traced back to {a}.",
    "Attacks originating from {a} hit government websites in {b}.",
    "Investigators traced the intrusion into {b}'s ministries to {a}.",
    "Hackers from {a} claimed responsibility for the DDoS attacks on {b}'s government websites.",
    "Officials said {a}'s leader authorized a cyberattack against {b}'s military systems.",
    "{a} was blamed for the intrusion into {b}'s ministries.",
    "The hacks of {b}'s ministries were blamed on {a}.",
    "A hacking campaign launched from {a} hit {b}'s ministries.",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, help="list N sentences read wrong")
    args = parser.parse_args()
    cases = [(form, a, b) for a, b in permutations(STATES, 2) for form in FORMS]
    articles = []
    for n, (form, a, b) in enumerate(cases):
        text = form.format(a=a, b=b)
        articles.append(Article(id=str(n), published="2020-01-01", text=text[0].upper() + text[1:]))
    right_by_form: Counter[str] = Counter()
    wrong_by_state: Counter[str] = Counter()
    shown = 0
    for (form, a, b), article, events in zip(cases, articles, analyse_batch(articles), strict=True):
        events = events or []
        attacker, victim = country_code(a.removeprefix("the ")), country_code(b.removeprefix("the "))
        right = (
            len(events) == 1
            and events[0].attacker_countries == [attacker]
            and victim in events[0].victim_countries
            and attacker not in events[0].victim_countries
        )
        if right:
            right_by_form[form] += 1
            continue
        wrong_by_state[a] += 1
        if shown < args.show:
            shown += 1
            print(f"  {article.text} -> {[(e.attacker_countries, e.victim_countries) for e in events]}")
    pairs = len(cases) // len(FORMS)
    print(f"read right, by form (of {pairs} ordered pairs each):")
    for form in FORMS:
        print(f"  {right_by_form[form]:3d}  {form}")
    print(f"read right: {sum(right_by_form.values())} / {len(cases)}")
    print(
        "wrong, by the attacking state named: "
        + (", ".join(f"{s} {n}" for s, n in wrong_by_state.most_common()) or "none")
    )


if __name__ == "__main__":
    main()
