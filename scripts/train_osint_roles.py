"""Train the OSINT role model (``src/seawall/osint/data/roles.json``) on annotated reporting.

    python scripts/train_osint_roles.py [--osint ../shared/osint] [--output src/seawall/osint/data/roles.json]
    python scripts/train_osint_roles.py --cv 5      # cross-validation over whole documents
    python scripts/train_osint_roles.py --cross     # trained on one corpus, read on the other

Two sources of (noun phrase, operation word, role) examples, development halves only (the
held-out halves of ``bench/osint.py`` are never read here):

* CASIE (the first 560 articles by file number): every Attack event (Databreach, Phishing,
  Ransom) gives its trigger (the annotated nugget) and its Attacker / Victim argument spans; every
  noun phrase of the trigger's sentence is an example, labelled by the argument its head lies in,
  or none;
* EuRepoC (odd IDs): every sentence of an incident's description that tells an operation gives
  its first operation word as trigger; a phrase that names a country is labelled attacker when
  the incident's coded initiator is that country and its receiver is not, victim in the opposite
  case, none when it is neither (a reporter, a bystander); phrases without a country are not
  labelled (the coding does not say).

The model is reproduced exactly by this command (liblinear is not used; lbfgs is
deterministic on the same data).
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import sys
from collections import Counter
from pathlib import Path

from seawall.osint.gazetteer import country_code
from seawall.osint.mentions import find_mentions
from seawall.osint.operations import operation_mention
from seawall.osint.roles import MODEL_FILE, RoleModel, train
from seawall.osint.sentences import sentences
from seawall.osint.syntax import nearest_trigger, pair_features, parse, phrases, token_at

ROOT = Path(__file__).resolve().parents[1]
CASIE_DEV = 560
ATTACK_SUBTYPES = frozenset({"Databreach", "Phishing", "Ransom"})

Example = tuple[dict[str, float], str, str]
"""(features, role, the document it came from: folds keep a document together)"""


def casie_files(osint: Path) -> list[Path]:
    return sorted((osint / "casie" / "annotation").glob("*.json"), key=lambda p: int(p.stem))


def _sentence_spans(text: str) -> list[tuple[int, str]]:
    spans = []
    position = 0
    for sentence in sentences(text):
        start = text.find(sentence, position)
        if start < 0:
            continue
        spans.append((start, sentence))
        position = start + len(sentence)
    return spans


def casie_examples(files: list[Path]) -> list[Example]:
    jobs: list[tuple[str, int, list[tuple[int, int, str]], str]] = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        content: str = data["content"]
        events = [
            event
            for hopper in data.get("cyberevent", {}).get("hopper", [])
            for event in hopper.get("events", [])
            if event.get("type") == "Attack" and event.get("subtype") in ATTACK_SUBTYPES
        ]
        for start, sentence in _sentence_spans(content):
            end = start + len(sentence)
            for event in events:
                nugget = event["nugget"]["startOffset"]
                if not start <= nugget < end:
                    continue
                arguments = [
                    (a["startOffset"] - start, a["endOffset"] - start, a["role"]["type"].lower())
                    for a in event.get("argument", [])
                    if a["role"]["type"] in ("Attacker", "Victim") and start <= a["startOffset"] < end
                ]
                jobs.append((sentence, nugget - start, arguments, path.stem))
    trees = parse([job[0] for job in jobs])
    examples: list[Example] = []
    for (sentence, trigger_at, arguments, article), tree in zip(jobs, trees, strict=True):
        trigger = token_at(tree, trigger_at)
        for phrase in phrases(tree, find_mentions(sentence)):
            role = "none"
            for arg_start, arg_end, arg_role in arguments:
                if arg_start <= tree.start[phrase.head] < arg_end:
                    role = arg_role
            examples.append((pair_features(tree, phrase, trigger), role, f"casie-{article}"))
    return examples


def _countries(value: str) -> set[str]:
    try:
        names = ast.literal_eval(value) if value.startswith("[") else [value]
    except (ValueError, SyntaxError):
        names = [value]
    return {country_code(str(n)) for n in names if n and str(n) not in ("Unknown", "Not available")}


def eurepoc_rows(osint: Path) -> list[dict[str, str]]:
    with (osint / "eurepoc" / "EuRepoC_Global_Database_1.1.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


ATTACKER_KINDS = frozenset({"group", "aligned"})
"""Kinds of phrase that name those who attack (``syntax.Phrase.kind``): EuRepoC's coded receiver
country never makes one of them a victim."""


def eurepoc_examples(rows: list[dict[str, str]]) -> list[Example]:
    jobs: list[tuple[str, list[int], set[str], set[str], str]] = []
    for row in rows:
        initiators, receivers = _countries(row["initiator_country"]), _countries(row["receiver_country"])
        if not initiators and not receivers:
            continue
        for sentence in sentences(f"{row['name']}.\n{row['description']}"):
            operation = operation_mention(sentence)
            if operation is not None:
                jobs.append(
                    (sentence, operation.triggers or [operation.first], initiators, receivers, row["ID"])
                )
    trees = parse([job[0] for job in jobs])
    examples: list[Example] = []
    for (sentence, offsets, initiators, receivers, incident), tree in zip(jobs, trees, strict=True):
        triggers = [token_at(tree, offset) for offset in offsets]
        for phrase in phrases(tree, find_mentions(sentence)):
            trigger = nearest_trigger(tree, phrase, triggers)
            codes = {m.country for m in phrase.mentions if m.country}
            if not codes:
                continue
            attacker, victim = bool(codes & initiators), bool(codes & receivers)
            if attacker and victim:
                continue
            if victim and phrase.kind in ATTACKER_KINDS:
                # "Anonymous Russia", "the Saudi branch of Anonymous": a group named after the
                # country it strikes shares the receiver's country, not its role
                continue
            role = "attacker" if attacker else "victim" if victim else "none"
            examples.append((pair_features(tree, phrase, trigger), role, f"eurepoc-{incident}"))
    return examples


EUREPOC_WEIGHT = 4.0
"""EuRepoC's examples count four times: they are the only ones about states attacking states,
and CASIE's 28,000 phrases of criminal breaches would drown their 1,600."""


def weight_of(example: Example) -> float:
    return EUREPOC_WEIGHT if example[2].startswith("eurepoc") else 1.0


def cross_validate(casie: list[Example], eurepoc: list[Example], folds: int, c: float) -> None:
    """Precision, recall and F1 of each role on held-out folds of whole documents."""
    from sklearn.model_selection import GroupKFold

    examples = casie + eurepoc
    groups = [document for _, _, document in examples]
    predicted: list[str] = [""] * len(examples)
    for train_index, test_index in GroupKFold(n_splits=folds).split(examples, groups=groups):
        model = train(
            [(examples[i][0], examples[i][1]) for i in train_index],
            c=c,
            sample_weights=[weight_of(examples[i]) for i in train_index],
        )
        for i in test_index:
            probabilities = model.probabilities(examples[i][0])
            predicted[i] = max(probabilities, key=probabilities.__getitem__)
    for name, start, end in (("CASIE", 0, len(casie)), ("EuRepoC", len(casie), len(examples))):
        for role in ("attacker", "victim"):
            truth = [examples[i][1] == role for i in range(start, end)]
            guess = [predicted[i] == role for i in range(start, end)]
            hits = sum(t and g for t, g in zip(truth, guess, strict=True))
            precision = hits / max(1, sum(guess))
            recall = hits / max(1, sum(truth))
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            print(f"{name} {role}: P {precision:.3f} R {recall:.3f} F1 {f1:.3f} ({sum(truth)} gold)")
        inverted = sum({examples[i][1], predicted[i]} == {"attacker", "victim"} for i in range(start, end))
        print(f"{name} inverted (attacker read as victim or victim as attacker): {inverted}")


def _role_scores(model: RoleModel, examples: list[Example]) -> str:
    hits, gold, guessed, inverted = Counter[str](), Counter[str](), Counter[str](), 0
    for features, role, _ in examples:
        probabilities = model.probabilities(features)
        guess = max(probabilities, key=probabilities.__getitem__)
        gold[role] += 1
        guessed[guess] += 1
        hits[role] += guess == role
        inverted += {role, guess} == {"attacker", "victim"}
    f1 = {r: 2 * hits[r] / max(1, gold[r] + guessed[r]) for r in ("attacker", "victim")}
    return f"attacker F1 {f1['attacker']:.3f}, victim F1 {f1['victim']:.3f}, inverted {inverted}"


def cross_corpus(casie: list[Example], eurepoc: list[Example], c: float) -> None:
    """A whole corpus left out: trained on one, read on the other (what a source never seen gets)."""
    pairs = (("CASIE", casie, "EuRepoC", eurepoc), ("EuRepoC", eurepoc, "CASIE", casie))
    for name, training, other, test in pairs:
        model = train([(features, role) for features, role, _ in training], c=c)
        print(f"trained on {name}, read on {other}: {_role_scores(model, test)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--osint", default=str(ROOT.parent / "shared" / "osint"))
    parser.add_argument("--output", default=str(ROOT / "src" / "seawall" / "osint" / "data" / MODEL_FILE))
    parser.add_argument("-C", type=float, default=2.0, help="inverse regularisation strength")
    parser.add_argument(
        "--cv", type=int, default=0, help="only print K-fold cross-validation on the development halves"
    )
    parser.add_argument(
        "--cross", action="store_true", help="only print scores with one corpus trained on, the other read"
    )
    args = parser.parse_args()
    osint = Path(args.osint)
    casie = casie_examples(casie_files(osint)[:CASIE_DEV])
    eurepoc = eurepoc_examples([row for row in eurepoc_rows(osint) if int(row["ID"]) % 2 == 1])
    counts = {
        "casie": dict(Counter(r for _, r, _ in casie)),
        "eurepoc": dict(Counter(r for _, r, _ in eurepoc)),
    }
    print(f"examples: {counts}", file=sys.stderr)
    if args.cv:
        cross_validate(casie, eurepoc, args.cv, args.C)
        return
    if args.cross:
        cross_corpus(casie, eurepoc, args.C)
        return
    model = train(
        [(features, role) for features, role, _ in casie + eurepoc],
        sample_weights=[weight_of(example) for example in casie + eurepoc],
        c=args.C,
        metadata={
            "trained_on": "CASIE articles 1-560 (Attack events), EuRepoC odd IDs (coded countries)",
            "examples": counts,
            "C": args.C,
        },
    )
    model.save(Path(args.output))
    print(f"{len(model.weights)} features written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
