"""A retro-hunt on Dask against a plain scan of the same archive: wall time, whether every
message gets the same verdict, and how many campaigns each finds.

    python bench/hunt.py [--corpus ../shared/corpora] [--workers 2] [--no-store]

Both run as a user runs them (``seawall scan --format json`` and ``seawall hunt --format json``,
each with a fresh data directory), one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(command: list[str], home: Path) -> tuple[float, dict[str, tuple[str, float]]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "seawall", *command],
        env={**os.environ, "SEAWALL_HOME": str(home)},
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):  # 3: some input unreadable, reported per message
        raise RuntimeError(done.stderr.decode()[-2000:])
    verdicts = {}
    for line in done.stdout.splitlines():
        record = json.loads(line)
        verdicts[record["origin"]] = (
            record.get("label", record["status"]),
            round(record.get("score", 0.0), 3),
        )
    return seconds, verdicts


def campaigns(home: Path) -> int:
    code = (
        "from seawall.config import load_settings; from seawall.store.database import Database; "
        "from seawall.store.campaigns import CampaignRepository; "
        "print(len(CampaignRepository(Database.from_settings(load_settings(None))).campaigns(10**7)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "SEAWALL_HOME": str(home)},
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip() or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-store", action="store_true")
    args = parser.parse_args()
    store = ["--no-store"] if args.no_store else []
    homes = [Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())]
    scan_seconds, scanned = run(["scan", "--format", "json", *store, args.corpus], homes[0])
    hunt_seconds, hunted = run(
        ["hunt", "--format", "json", "--workers", str(args.workers), *store, args.corpus], homes[1]
    )
    same = sum(hunted.get(origin) == verdict for origin, verdict in scanned.items())
    print(f"archive: {args.corpus}, {len(scanned)} messages; {os.cpu_count()} cores")
    print(f"seawall scan:             {scan_seconds:6.1f} s  ({len(scanned) / scan_seconds:5.0f} msg/s)")
    rate = len(hunted) / hunt_seconds
    print(
        f"seawall hunt, {args.workers} workers: {hunt_seconds:6.1f} s  ({rate:5.0f} msg/s), "
        f"x{scan_seconds / hunt_seconds:.2f}"
    )
    print(f"same verdict and score: {same} of {len(scanned)} (hunt reported {len(hunted)})")
    if not args.no_store:
        print(f"campaigns: scan {campaigns(homes[0])}, hunt {campaigns(homes[1])}")


if __name__ == "__main__":
    main()
