"""Quality of the OSINT event extractor on CASIE and EuRepoC.

    python bench/osint.py [--osint ../shared/osint]

CASIE (800 annotated news articles): document-level event detection for Phishing, Databreach
and Ransom (an article reports the type when any of its sentences does), and the Attacker and
Victim arguments of the events of those types (a gold argument is found when an extracted
attacker / victim phrase of the same type shares a content word with it). Detection is scored
twice. First as CASIE defines an event: every mention, whether it happened, is generic,
hypothetical or denied ("attackers could steal more data", "no data was taken"), but not what a
flaw would let someone do ("a bug that could let an attacker steal passwords"), which CASIE files
as the Capabilities of a vulnerability event; this is the target figure, and it is scored on
`operation_mention`, which finds the operation wording, whether the sentence says it happened
and whether it is a flaw's capability. Then with only what happened: the mentions Seawall
reads as actual (the only ones it records as events) against the events CASIE marks as having
happened (realis "Actual"). Arguments come from the recorded events. Articles are split by
file number: the first 560 were used while writing the lexicon ("dev"), the last 240 were not
looked at ("held-out"); both are printed.

EuRepoC (1,643 coded incidents): from ``name`` + ``description`` predict the initiator country,
receiver country, receiver category and incident type; accuracy per field on the rows where the
field is coded. The initiator is also scored on the rows whose text names or clearly implies it
(the country, its demonym or capital, or a threat-actor alias sponsored by it appears). It is
split by ID parity: the odd IDs were read while writing the initiator cues (stop 10) and the
victim-role rules and operation wording (stop 11); the even IDs were not looked at. Both
halves are printed.
"""

from __future__ import annotations

import argparse
import ast
import csv
import glob
import json
import re
import sys
from collections import Counter
from pathlib import Path

from seawall.osint.articles import Article
from seawall.osint.extract import (
    _clause_event,
    _mentions,
    country_code,
    extract_events,
    initiator_candidates,
    lexicon,
    operation_mention,
    sentences,
    victim_candidates,
)

CASIE_TYPES = {"Phishing": "phishing", "Databreach": "data theft", "Ransom": "ransomware"}
STOP = frozenset(
    {
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "its",
        "their",
        "his",
        "her",
        "by",
        "from",
        "with",
        "at",
        "as",
        "this",
        "that",
        "these",
        "those",
    }
)


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 2}


def casie(folder: Path, dev_only: bool = False) -> None:
    files = sorted(glob.glob(str(folder / "annotation" / "*.json")), key=lambda f: int(Path(f).stem))
    splits = {"dev": files[:560]} if dev_only else {"dev": files[:560], "held-out": files[560:]}
    for split, names in splits.items():
        detection = {k: [0, 0, 0] for k in CASIE_TYPES}
        actual_detection = {k: [0, 0, 0] for k in CASIE_TYPES}
        arguments = {(k, r): [0, 0, 0] for k in CASIE_TYPES for r in ("Attacker", "Victim")}
        for name in names:
            data = json.loads(Path(name).read_text(encoding="utf-8"))
            gold_types = set()
            actual_types = set()
            gold_args: dict[tuple[str, str], list[str]] = {}
            for hopper in data.get("cyberevent", {}).get("hopper", []):
                for event in hopper["events"]:
                    gold_types.add(event["subtype"])
                    if event.get("realis") == "Actual":
                        actual_types.add(event["subtype"])
                    for argument in event.get("argument", []):
                        role = argument["role"]["type"]
                        if role in ("Attacker", "Victim"):
                            gold_args.setdefault((event["subtype"], role), []).append(argument["text"])
            predicted_types: set[str] = set()
            predicted_actual: set[str] = set()
            predicted_args: dict[tuple[str, str], list[str]] = {}
            for sentence in sentences(data["content"]):
                operation = operation_mention(sentence)
                if operation is None or operation.capability:
                    continue
                for casie_type, ours in CASIE_TYPES.items():
                    if ours in operation.types:
                        predicted_types.add(casie_type)
                        if operation.actual:
                            predicted_actual.add(casie_type)
                event = _clause_event(sentence, None, "")
                if event is None:
                    continue
                for casie_type, ours in CASIE_TYPES.items():
                    if ours in event.types:
                        attackers = event.attacker_text + [country for country in event.attacker_countries]
                        predicted_args.setdefault((casie_type, "Attacker"), []).extend(attackers)
                        predicted_args.setdefault((casie_type, "Victim"), []).extend(event.victim_text)
            for casie_type in CASIE_TYPES:
                for table, predicted, gold_set in (
                    (detection, predicted_types, gold_types),
                    (actual_detection, predicted_actual, actual_types),
                ):
                    p, g = casie_type in predicted, casie_type in gold_set
                    counts = table[casie_type]
                    counts[0] += p and g
                    counts[1] += p and not g
                    counts[2] += g and not p
            for key, counts in arguments.items():
                gold = [_content(t) for t in gold_args.get(key, [])]
                predicted = [_content(t) for t in predicted_args.get(key, [])]
                gold = [g for g in gold if g]
                predicted = [p for p in predicted if p]
                counts[0] += sum(1 for g in gold if any(g & p for p in predicted))
                counts[2] += sum(1 for g in gold if not any(g & p for p in predicted))
                counts[1] += sum(1 for p in predicted if not any(g & p for g in gold))
        print(f"CASIE {split} ({len(names)} articles): event type (document level)")
        for casie_type, (tp, fp, fn) in detection.items():
            print("   ", _prf(casie_type, tp, fp, fn))
        print("   ", _averages(detection))
        print(
            f"CASIE {split}: event type, counting only events CASIE marks as having happened (realis Actual)"
        )
        for casie_type, (tp, fp, fn) in actual_detection.items():
            print("   ", _prf(casie_type, tp, fp, fn))
        print(f"CASIE {split}: arguments of those events")
        for (casie_type, role), (tp, fp, fn) in arguments.items():
            print("   ", _prf(f"{casie_type}/{role}", tp, fp, fn))


def _averages(table: dict[str, list[int]]) -> str:
    """Micro-averaged F1 (all types' decisions pooled, the usual event-type classification
    figure) and macro-averaged F1 (the mean of the per-type F1)."""
    tp, fp, fn = (sum(counts[i] for counts in table.values()) for i in range(3))
    micro = 2 * tp / max(2 * tp + fp + fn, 1)
    macro = sum(2 * c[0] / max(2 * c[0] + c[1] + c[2], 1) for c in table.values()) / len(table)
    return f"{'all three types':<22} micro F1 {micro:.3f}  macro F1 {macro:.3f}"


def _prf(label: str, tp: int, fp: int, fn: int) -> str:
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return f"{label:<22} P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}  (tp {tp}, fp {fp}, fn {fn})"


# -- EuRepoC ------------------------------------------------------------------------------------
_CATEGORY = {
    "government": "State institutions / political system",
    "military": "State institutions / political system",
    "intelligence": "State institutions / political system",
    "energy": "Critical infrastructure",
    "oil-and-gas": "Critical infrastructure",
    "nuclear": "Critical infrastructure",
    "financial": "Critical infrastructure",
    "healthcare": "Critical infrastructure",
    "telecommunications": "Critical infrastructure",
    "transportation": "Critical infrastructure",
    "media": "Media",
    "education": "Social groups",
    "civil society": "Social groups",
    "research": "Science",
    "international organisation": "International / supranational organization",
    "technology": "Corporate Targets",
    "business": "Corporate Targets",
}
_TYPE = {
    "hack and leak": "Data theft & Doxing",
    "data theft": "Data theft",
    "espionage": "Data theft",
    "phishing": "Hijacking with Misuse",
    "malware": "Hijacking with Misuse",
    "sabotage": "Disruption",
    "denial of service": "Disruption",
    "defacement": "Disruption",
    "ransomware": "Ransomware",
    "influence": "Data theft & Doxing",
    "cyberattack": "Disruption",
}


def _codes(value: str) -> list[str]:
    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return []
    flat: list[str] = []
    for item in parsed if isinstance(parsed, list) else [parsed]:
        flat.extend(item if isinstance(item, list) else [item])
    return [str(v) for v in flat if str(v) not in ("Unknown", "Not available", "")]


def _code(name: str) -> str:
    return country_code(re.sub(r"\s*\(region\)", "", name))


def predict_incident(text: str) -> tuple[str, str, str, str]:
    """(initiator code, receiver code, receiver category, incident type) from free text."""
    article = Article(id="x", text=text)
    events = extract_events(article)
    initiator = receiver = category = kind = ""
    if events:
        event = events[0]
        initiator = event.attacker_countries[0] if event.attacker_countries else ""
        receiver = event.victim_countries[0] if event.victim_countries else ""
        category = next((_CATEGORY[s] for s in event.victim_sectors if s in _CATEGORY), "")
        kind = next((_TYPE[t] for t in event.types if t in _TYPE), "")
    mentions = [m for m in _mentions(text) if m.country]
    countries = list(dict.fromkeys(m.country for m in mentions))
    candidates = initiator_candidates(text)
    if not initiator:
        initiator = candidates[0] if candidates else ""
    if not receiver:
        slotted = victim_candidates(text)
        others = [c for c in slotted if c != initiator]
        others = others or [c for c in countries if c != initiator and c not in candidates]
        others = others or [c for c in countries if c != initiator]
        others = others or slotted  # an operation at home: the state against its own people
        receiver = others[0] if others else ""
    if not category:
        for name, pattern in lexicon().sectors:
            if pattern.search(text) and name in _CATEGORY:
                category = _CATEGORY[name]
                break
        category = category or "State institutions / political system"
    if not kind:
        for operation in lexicon().types:
            if operation.search(text) and operation.name in _TYPE:
                kind = _TYPE[operation.name]
                break
    return initiator, receiver, category, kind or "Disruption"


def _implied(text: str, code: str) -> bool:
    return any(m.country == code for m in _mentions(text))


def eurepoc(folder: Path, dev_only: bool = False) -> None:
    rows = list(csv.DictReader((folder / "EuRepoC_Global_Database_1.1.csv").open(encoding="utf-8")))
    halves = (("odd IDs", 1),) if dev_only else (("odd IDs", 1), ("even IDs", 0))
    for half, parity in halves:
        scores: Counter[str] = Counter()
        totals: Counter[str] = Counter()
        for row in rows:
            try:
                if int(row["ID"]) % 2 != parity:
                    continue
            except ValueError:
                continue
            text = f"{row['name']}. {row['description']}"
            initiator, receiver, category, kind = predict_incident(text)
            gold_initiators = {_code(c) for c in _codes(row["initiator_country"])}
            gold_receivers = {_code(c) for c in _codes(row["receiver_country"])}
            gold_categories = set(_codes(row["receiver_category"]))
            gold_types = {t.strip() for t in row["incident_type"].split(";") if t.strip()}
            if gold_initiators:
                totals["initiator country"] += 1
                scores["initiator country"] += initiator in gold_initiators
                if any(_implied(text, c) for c in gold_initiators):
                    totals["initiator (named or implied)"] += 1
                    scores["initiator (named or implied)"] += initiator in gold_initiators
            if gold_receivers:
                totals["receiver country"] += 1
                scores["receiver country"] += receiver in gold_receivers
            if gold_categories:
                totals["receiver category"] += 1
                scores["receiver category"] += any(
                    category and g.startswith(category) for g in gold_categories
                )
            if gold_types:
                totals["incident type"] += 1
                scores["incident type"] += kind in gold_types
        print(f"EuRepoC {half}:")
        for field in (
            "initiator country",
            "initiator (named or implied)",
            "receiver country",
            "receiver category",
            "incident type",
        ):
            print(
                f"    {field:<30} {scores[field] / max(totals[field], 1):.3f}  "
                f"({scores[field]}/{totals[field]})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--osint", default=str(Path(__file__).resolve().parents[2] / "shared" / "osint"))
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="only the development halves (CASIE's first 560 articles, EuRepoC's odd IDs), "
        "for working on the extractor without looking at the held-out halves",
    )
    args = parser.parse_args()
    root = Path(args.osint)
    if not (root / "casie").is_dir():
        sys.exit(f"no OSINT data at {root}")
    casie(root / "casie", args.dev_only)
    eurepoc(root / "eurepoc", args.dev_only)


if __name__ == "__main__":
    main()
