"""SIGKILL during a scan or an OSINT ingest, again and again: the store must stay consistent and
the next run must complete it.

    python bench/kill_store.py [FOLDER] [--runs 20] [--database-url URL] [--seed 1]
    python bench/kill_store.py --ingest [FOLDER] [--runs 20] [--database-url URL]

Each run starts `seawall scan FOLDER` on one shared store and kills it with SIGKILL at a random
moment; after every kill the store is checked (``check``): SQLite's integrity check (or a
query per table on PostgreSQL), no origin or rule hit without its message, no campaign member
without its campaign. A last run without a kill must then record every message of the folder.

With ``--ingest`` (default folder: the CASIE source articles) each run is ``seawall osint
ingest``; after the last run the store must hold every article once and the same events as one
uninterrupted ingest into a fresh store.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = ROOT.parent / "shared" / "corpora" / "modern" / "phishing_pot"
DEFAULT_ARTICLES = ROOT.parent / "shared" / "osint" / "casie" / "source"


def scan(folder: Path, home: Path, database_url: str, ingest: bool = False) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SEAWALL_HOME": str(home)}
    if database_url:
        env["SEAWALL_DATABASE_URL"] = database_url
    else:
        env.pop("SEAWALL_DATABASE_URL", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "seawall",
            *(["osint", "ingest"] if ingest else ["scan", "--format", "json"]),
            str(folder),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def check(url: str) -> list[str]:
    """What is wrong with the store (empty when it is consistent)."""
    problems: list[str] = []
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    if "messages" not in tables:
        # killed before the store was created: migrations are all-or-nothing (one transaction)
        engine.dispose()
        return [f"half-migrated store: {sorted(tables)}"] if "alembic_version" in tables else []
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            result = connection.execute(text("PRAGMA integrity_check")).scalar()
            if result != "ok":
                problems.append(f"integrity_check: {result}")
        orphans = {
            "origins without their message": "SELECT count(*) FROM origins o "
            "LEFT JOIN messages m ON m.id = o.message_pk WHERE m.id IS NULL",
            "rule hits without their message": "SELECT count(*) FROM rule_hits r "
            "LEFT JOIN messages m ON m.id = r.message_pk WHERE m.id IS NULL",
            "campaign members without their campaign": "SELECT count(*) FROM campaign_messages c "
            "LEFT JOIN campaigns k ON k.id = c.campaign_id WHERE k.id IS NULL",
        }
        for name, query in orphans.items():
            count = connection.execute(text(query)).scalar()
            if count:
                problems.append(f"{count} {name}")
    engine.dispose()
    return problems


def count_messages(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = int(connection.execute(text("SELECT count(*) FROM messages")).scalar() or 0)
    engine.dispose()
    return found


def run(folder: Path, runs: int, database_url: str, seed: int, home: Path) -> dict[str, object]:
    rng = random.Random(seed)
    url = database_url or f"sqlite:///{home / 'seawall.db'}"
    failures: list[str] = []
    for number in range(runs):
        process = scan(folder, home, database_url)
        time.sleep(rng.uniform(0.5, 4.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        problems = check(url) if (home / "seawall.db").exists() or database_url else []
        failures.extend(f"run {number + 1}: {p}" for p in problems)
    final = scan(folder, home, database_url)
    final.wait()
    engine = create_engine(url)
    with engine.connect() as connection:
        unclustered = connection.execute(
            text(
                "SELECT count(*) FROM messages m LEFT JOIN campaign_messages c ON c.sha256 = m.sha256 "
                "WHERE m.label IN ('suspicious', 'phishing') AND c.id IS NULL"
            )
        ).scalar()
    engine.dispose()
    return {
        "runs killed": runs,
        "suspicious or phishing messages without their campaign after the last run": unclustered,
        "inconsistent after a kill": failures,
        "problems after the last run": check(url),
        "messages recorded": count_messages(url),
    }


def stored_osint(url: str) -> tuple[int, set[tuple[str, str, str]]]:
    """Articles recorded, and each event as (attackers, victims, start date)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        articles = int(connection.execute(text("SELECT count(*) FROM osint_articles")).scalar() or 0)
        events = {
            (str(a), str(v), str(d))
            for a, v, d in connection.execute(text("SELECT attackers, victims, date_start FROM osint_events"))
        }
    engine.dispose()
    return articles, events


def run_ingest(folder: Path, runs: int, database_url: str, seed: int, home: Path) -> dict[str, object]:
    reference_home = home / "reference"
    reference_home.mkdir()
    scan(folder, reference_home, "", ingest=True).wait()
    reference_articles, reference_events = stored_osint(f"sqlite:///{reference_home / 'seawall.db'}")
    rng = random.Random(seed)
    url = database_url or f"sqlite:///{home / 'seawall.db'}"
    failures: list[str] = []
    for number in range(runs):
        process = scan(folder, home, database_url, ingest=True)
        time.sleep(rng.uniform(1.0, 6.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if (home / "seawall.db").exists() or database_url:
            engine = create_engine(url)
            with engine.connect() as connection:
                if engine.dialect.name == "sqlite":
                    result = connection.execute(text("PRAGMA integrity_check")).scalar()
                    if result != "ok":
                        failures.append(f"run {number + 1}: integrity_check: {result}")
            engine.dispose()
    scan(folder, home, database_url, ingest=True).wait()
    articles, events = stored_osint(url)
    return {
        "runs killed": runs,
        "inconsistent after a kill": failures,
        "articles recorded (uninterrupted ingest)": f"{articles} ({reference_articles})",
        "events (uninterrupted ingest)": f"{len(events)} ({len(reference_events)})",
        "events missing after the kills": len(reference_events - events),
        "events only after the kills": len(events - reference_events),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="")
    parser.add_argument("--ingest", action="store_true", help="Kill OSINT ingests instead of scans.")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.folder or (DEFAULT_ARTICLES if args.ingest else DEFAULT_FOLDER))
        how = run_ingest if args.ingest else run
        for name, value in how(folder, args.runs, args.database_url, args.seed, Path(tmp)).items():
            print(f"{name}: {value}")


if __name__ == "__main__":
    main()
