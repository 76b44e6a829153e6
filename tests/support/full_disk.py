"""Run inside a private mount namespace whose store directory is a small tmpfs: fill the disk
between two scans and report what the store kept (``tests/test_store_full_disk.py``).

Usage: ``python -m tests.support.full_disk STORE FIRST SECOND REPORT LEAVE MODE`` where STORE is the
mounted tmpfs, FIRST and SECOND folders of mail, REPORT a JSON file outside the mount,
LEAVE the bytes left free when the disk is filled, MODE ``scan`` (mail) or ``ingest``
(OSINT articles).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

COMMANDS = {"scan": ["scan", "--format", "json"], "ingest": ["osint", "ingest"]}
KEYS = {"scan": "SELECT sha256 FROM messages", "ingest": "SELECT id FROM osint_articles"}


def run(mode: str, store: Path, *folders: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "seawall", *COMMANDS[mode], *map(str, folders)],
        env={**os.environ, "SEAWALL_HOME": str(store)},
        capture_output=True,
        text=True,
        check=False,
    )
    return {"rc": done.returncode, "stderr": done.stderr, "printed": len(done.stdout.splitlines())}


def fill(path: Path, leave: int) -> None:
    """Fill the file system but ``leave`` bytes, so the store opens and then runs out
    mid-scan (with nothing left at all, SQLite cannot even open: ``leave=0`` tests that)."""
    with path.open("wb", buffering=0) as filler:
        try:
            while shutil.disk_usage(path.parent).free > leave:
                filler.write(b"\0" * 65536)
        except OSError:
            pass


def contents(mode: str, store: Path) -> dict[str, object]:
    connection = sqlite3.connect(store / "seawall.db")
    try:
        return {
            "integrity": connection.execute("PRAGMA integrity_check").fetchone()[0],
            "foreign_key_violations": len(connection.execute("PRAGMA foreign_key_check").fetchall()),
            "keys": [row[0] for row in connection.execute(KEYS[mode])],
            "rule_hits_without_message": connection.execute(
                "SELECT count(*) FROM rule_hits WHERE message_pk NOT IN (SELECT id FROM messages)"
            ).fetchone()[0],
        }
    finally:
        connection.close()


def main() -> None:
    store, first, second, report_path = (Path(arg) for arg in sys.argv[1:5])
    mode = sys.argv[6]
    report: dict[str, object] = {"first": run(mode, store, first)}
    filler = store / "filler"
    fill(filler, leave=int(sys.argv[5]))
    report["full"] = run(mode, store, second)
    filler.unlink()  # SQLite cannot even open a WAL file's index on a full disk
    report["after_full"] = contents(mode, store)
    # The operator makes room: the file system grows (as a volume is extended).
    subprocess.run(["mount", "-o", "remount,size=64m", str(store)], check=True)
    report["rerun"] = run(mode, store, first, second)
    report["after_rerun"] = contents(mode, store)
    report_path.write_text(json.dumps(report))


if __name__ == "__main__":
    main()
