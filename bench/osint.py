"""What `seawall osint ingest` records, scored against CASIE and EuRepoC.

    python bench/osint.py [--osint ../shared/osint] [--held-out]

Everything is measured on the product's own output: the articles go through `seawall osint
ingest` into a fresh store and the events come back from `seawall osint events --format json`,
exactly as an analyst gets them (cross-article merging included). An event belongs to the
articles its evidence cites.

* CASIE (800 annotated news articles, read from their tagged text files): per article, the
  event types recorded (phishing -> Phishing; data theft, hack and leak -> Databreach;
  ransomware -> Ransom) against the types of the article's annotated Attack events, micro
  P / R / F1; and the Attacker and Victim arguments of those events against the recorded
  events' attacker and victim phrases (a gold argument is found when a recorded phrase of the
  same role shares a content word with it; a recorded phrase is right when it shares one with
  a gold argument of its role).
* EuRepoC (1,643 coded incidents): each row's name and description is ingested as a short
  article dated by its start date; from the row's recorded events, the initiator country (the
  attacker country most events name), the receiver country (any recorded victim country
  coded; and, the other way round, the share of recorded victim countries that are coded), the
  receiver category (from the victim sectors) and the incident type are scored against the
  coding, on the rows where the field is coded; the initiator also on the rows whose text
  names or implies it (a country, demonym, agency or threat-actor group of that country). No
  event means no answer.

Development halves: CASIE's first 560 articles, EuRepoC's odd IDs (the role model is trained
on them, ``scripts/train_osint_roles.py``). The held-out halves (CASIE's last 240, EuRepoC's
even IDs) are printed only with ``--held-out``; docs/benchmarks.md counts those prints.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from seawall.osint.articles import read_articles
from seawall.osint.gazetteer import country_code
from seawall.osint.mentions import find_mentions

ROOT = Path(__file__).resolve().parents[1]
CASIE_DEV = 560
CASIE_TYPES = {
    "Phishing": {"phishing"},
    "Databreach": {"data theft", "hack and leak"},
    "Ransom": {"ransomware"},
}
STOP = frozenset(
    [
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
        "has",
        "have",
        "had",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
    ]
)


def _seawall(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEAWALL_HOME": str(home)}
    env.pop("SEAWALL_DATABASE_URL", None)
    command = [sys.executable, "-m", "seawall", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def ingest(folder: Path, home: Path) -> tuple[list[dict[str, Any]], float]:
    """(events as `seawall osint events --format json` prints them, seconds the ingest took)."""
    started = time.perf_counter()
    done = _seawall("osint", "ingest", str(folder), home=home)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 2):
        raise RuntimeError(f"ingest failed: {done.stderr[-2000:]}")
    listed = _seawall("osint", "events", "--format", "json", home=home)
    return [json.loads(line) for line in listed.stdout.splitlines() if line.strip()], seconds


def by_article(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        for article in {e["article"] for e in event.get("evidence", [])}:
            found.setdefault(article, []).append(event)
    return found


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP and len(w) > 2}


def _prf(label: str, tp: int, fp: int, fn: int) -> str:
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return f"| {label} | {precision:.3f} | {recall:.3f} | **{f1:.3f}** | {tp} / {fp} / {fn} |"


def score_casie_article(
    annotation: dict[str, Any],
    mine: list[dict[str, Any]],
    types: Counter[str],
    roles: dict[str, Counter[str]],
) -> None:
    """Add one article's recorded events (as `events --format json` prints them), scored
    against its annotated Attack events, to the type and argument counts."""
    gold_types: set[str] = set()
    gold_args: dict[str, list[set[str]]] = {"Attacker": [], "Victim": []}
    for hopper in annotation.get("cyberevent", {}).get("hopper", []):
        for event in hopper.get("events", []):
            if event.get("subtype") not in CASIE_TYPES:
                continue
            gold_types.add(event["subtype"])
            for argument in event.get("argument", []):
                role = argument["role"]["type"]
                if role in gold_args and _content(argument["text"]):
                    gold_args[role].append(_content(argument["text"]))
    predicted = {name for name, ours in CASIE_TYPES.items() for e in mine if ours & set(e.get("types", []))}
    types["tp"] += len(predicted & gold_types)
    types["fp"] += len(predicted - gold_types)
    types["fn"] += len(gold_types - predicted)
    for role, field in (("Attacker", "attacker_text"), ("Victim", "victim_text")):
        phrases = list(dict.fromkeys(p for e in mine for p in e.get(field, [])))
        words = [_content(p) for p in phrases if _content(p)]
        gold = gold_args[role]
        roles[role]["tp"] += sum(any(g & w for w in words) for g in gold)
        roles[role]["fn"] += sum(not any(g & w for w in words) for g in gold)
        roles[role]["fp"] += sum(not any(g & w for g in gold) for w in words)


def casie(osint: Path, held_out: bool) -> None:
    sources = sorted((osint / "casie" / "source").glob("*.txt"), key=lambda p: int(p.stem))
    with tempfile.TemporaryDirectory() as tmp:
        events, seconds = ingest(osint / "casie" / "source", Path(tmp))
    print(f"\nCASIE: {len(sources)} articles ingested in {seconds:.1f} s, {len(events)} events recorded\n")
    recorded = by_article(events)
    splits = {"dev (1-560)": sources[:CASIE_DEV]}
    if held_out:
        splits["held-out (561-800)"] = sources[CASIE_DEV:]
    for split, files in splits.items():
        types = Counter[str]()
        roles = {role: Counter[str]() for role in ("Attacker", "Victim")}
        for path in files:
            annotation = json.loads((osint / "casie" / "annotation" / f"{path.stem}.json").read_text("utf-8"))
            score_casie_article(annotation, recorded.get(read_articles(path)[0].id, []), types, roles)
        print(f"CASIE {split}, recorded events:\n")
        print("| | precision | recall | F1 | tp / fp / fn |\n|---|---:|---:|---:|---:|")
        print(_prf("event type (micro)", types["tp"], types["fp"], types["fn"]))
        for role, counts in roles.items():
            print(_prf(f"{role} argument", counts["tp"], counts["fp"], counts["fn"]))
        print()


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
    "intrusion": "Hijacking",
}


_EUREPOC_REGIONS = {"East Asia": {"EASTERN ASIA"}, "Middle East": {"MIDDLE EAST", "MENA REGION"}}
"""Our region names that EuRepoC spells otherwise (the rest match upper-cased)."""


def _coded(value: str) -> list[str]:
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


def _most(values: list[str]) -> str:
    return Counter(values).most_common(1)[0][0] if values else ""


def write_row(folder: Path, row: dict[str, str]) -> Path:
    """An incident as a short article: its name, a blank line, its description; dated by the
    file name from its start date."""
    date = row["start_date"][:10] if re.match(r"\d{4}-\d{2}-\d{2}", row["start_date"]) else ""
    path = folder / f"{row['ID']}-{date}.txt"
    path.write_text(f"{row['name']}\n\n{row['description']}\n", encoding="utf-8")
    return path


def score_eurepoc_row(
    row: dict[str, str], mine: list[dict[str, Any]], scores: Counter[str], totals: Counter[str]
) -> None:
    """Add one incident's recorded events (as `events --format json` prints them), scored
    against its coding, to the counts."""
    initiator = _most([c for e in mine for c in e.get("attacker_countries", [])])
    receivers = {c for e in mine for c in e.get("victim_countries", [])}
    # a world region the event records stands for the region EuRepoC codes ("Europe (region)")
    regions = {
        code
        for e in mine
        for r in e.get("victim_regions", [])
        for code in _EUREPOC_REGIONS.get(r, {r.upper()})
    }
    categories = {_CATEGORY[s] for e in mine for s in e.get("victim_sectors", []) if s in _CATEGORY}
    kinds = {_TYPE[t] for e in mine for t in e.get("types", []) if t in _TYPE}
    if "Hijacking" in kinds:  # EuRepoC tells hijacking with and without misuse apart
        kinds |= {"Hijacking with Misuse", "Hijacking without Misuse"}
    gold_initiators = {_code(c) for c in _coded(row["initiator_country"])}
    gold_receivers = {_code(c) for c in _coded(row["receiver_country"])}
    gold_categories = set(_coded(row["receiver_category"]))
    gold_types = {t.strip() for t in row["incident_type"].split(";") if t.strip()}
    text = f"{row['name']}. {row['description']}"
    if gold_initiators:
        totals["initiator country"] += 1
        scores["initiator country"] += initiator in gold_initiators
        mentions = find_mentions(text)
        if any(m.country in gold_initiators for m in mentions):
            totals["initiator (named or implied)"] += 1
            scores["initiator (named or implied)"] += initiator in gold_initiators
            # the trivial answers on the same rows, to read the figure above against
            first = next((m.country for m in mentions if m.country), "")
            for baseline, answer in (("always China", "CN"), ("the first country named", first)):
                totals[f"baseline, {baseline} (named or implied)"] += 1
                scores[f"baseline, {baseline} (named or implied)"] += answer in gold_initiators
        if initiator:
            totals["initiator, when one is recorded"] += 1
            scores["initiator, when one is recorded"] += initiator in gold_initiators
            if gold_receivers:
                # the coded victim read as the attacker: an inverted event
                totals["inverted (the receiver recorded as initiator)"] += 1
                scores["inverted (the receiver recorded as initiator)"] += (
                    initiator in gold_receivers and initiator not in gold_initiators
                )
    else:
        # the coding knows no initiator ("Unknown"): a state recorded as the attacker is one the
        # text does not support (lower is better)
        totals["no known initiator: a state recorded as attacker"] += 1
        scores["no known initiator: a state recorded as attacker"] += bool(initiator)
    if gold_receivers:
        totals["receiver country"] += 1
        scores["receiver country"] += bool((receivers | regions) & gold_receivers)
        # and the other way round: of the victim countries recorded, how many the coding has
        # (a row counts right with one coded receiver among several recorded)
        totals["victim countries recorded that are coded receivers"] += len(receivers)
        scores["victim countries recorded that are coded receivers"] += len(receivers & gold_receivers)
    if gold_categories:
        totals["receiver category"] += 1
        scores["receiver category"] += any(g.startswith(c) for g in gold_categories for c in categories)
    if gold_types:
        totals["incident type"] += 1
        scores["incident type"] += bool(kinds & gold_types)
    totals["incidents"] += 1
    scores["incidents"] += bool(mine)


def eurepoc(osint: Path, held_out: bool) -> None:
    with (osint / "eurepoc" / "EuRepoC_Global_Database_1.1.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["ID"].isdigit()]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "rows"
        folder.mkdir()
        paths = {}
        for row in rows:
            paths[row["ID"]] = write_row(folder, row)
        articles = {row_id: read_articles(path) for row_id, path in paths.items()}
        events, seconds = ingest(folder, Path(tmp) / "home")
    recorded = by_article(events)
    print(f"\nEuRepoC: {len(rows)} incidents ingested in {seconds:.1f} s, {len(events)} events recorded\n")
    halves = [("odd IDs (dev)", 1)] + ([("even IDs (held-out)", 0)] if held_out else [])
    for half, parity in halves:
        scores, totals = Counter[str](), Counter[str]()
        for row in rows:
            if int(row["ID"]) % 2 != parity or not articles[row["ID"]]:
                continue
            score_eurepoc_row(row, recorded.get(articles[row["ID"]][0].id, []), scores, totals)
        print(f"EuRepoC {half}, recorded events:\n\n| field | right | of |\n|---|---:|---:|")
        for field in (
            "initiator country",
            "initiator (named or implied)",
            "baseline, always China (named or implied)",
            "baseline, the first country named (named or implied)",
            "initiator, when one is recorded",
            "inverted (the receiver recorded as initiator)",
            "no known initiator: a state recorded as attacker",
            "receiver country",
            "victim countries recorded that are coded receivers",
            "receiver category",
            "incident type",
            "incidents",
        ):
            label = "incidents with an event" if field == "incidents" else field
            share = scores[field] / max(totals[field], 1)
            print(f"| {label} | **{share:.3f}** | {scores[field]} / {totals[field]} |")
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--osint", default=str(ROOT.parent / "shared" / "osint"))
    parser.add_argument("--held-out", action="store_true", help="also print the held-out halves")
    parser.add_argument("--only", choices=("casie", "eurepoc"), default=None)
    parser.add_argument(
        "--roles-from",
        choices=("casie", "eurepoc"),
        default=None,
        help="read the other corpus with a role model trained on this one's development half only",
    )
    args = parser.parse_args()
    osint = Path(args.osint)
    if args.roles_from:
        # A whole corpus left out: what ingest records on reporting whose kind of annotation
        # the role model never saw.
        sys.path.insert(0, str(ROOT / "scripts"))
        import train_osint_roles as trainer

        from seawall.osint.roles import ROLE_MODEL_ENV, train

        if args.roles_from == "casie":
            examples = trainer.casie_examples(trainer.casie_files(osint)[: trainer.CASIE_DEV])
        else:
            rows = [row for row in trainer.eurepoc_rows(osint) if int(row["ID"]) % 2 == 1]
            examples = trainer.eurepoc_examples(rows)
        model_file = Path(tempfile.mkdtemp()) / "roles.json"
        train([(features, role) for features, role, _ in examples], c=2.0).save(model_file)
        os.environ[ROLE_MODEL_ENV] = str(model_file)
        args.only = "eurepoc" if args.roles_from == "casie" else "casie"
        print(f"role model trained on {args.roles_from} (development half) only")
    if args.only in (None, "casie"):
        casie(osint, args.held_out)
    if args.only in (None, "eurepoc"):
        eurepoc(osint, args.held_out)


if __name__ == "__main__":
    main()
