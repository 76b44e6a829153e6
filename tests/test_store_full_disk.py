"""A full disk during a scan: a clear error and exit 4, nothing already recorded lost, the
store consistent, and a rerun after freeing space records the rest once (issue 19, item 6).

The disk is real: a 4 MB tmpfs mounted in a private mount namespace (``unshare``), filled
by another file between two scans, as a log or a backup fills a server's disk."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def write_mail(folder: Path, count: int, prefix: str, body_bytes: int) -> list[str]:
    folder.mkdir()
    digests = []
    for number in range(count):
        filler = " ".join(f"{prefix}{number}w{word}" for word in range(body_bytes // 12))
        raw = (
            f"From: Payroll <payroll@hr-portal-update.com>\r\nTo: staff{number}@example.org\r\n"
            f"Subject: Action required: confirm your salary account {prefix}{number}\r\n"
            f"Date: Mon, 3 Jun 2019 10:{number % 60:02d}:00 +0000\r\n"
            f"Message-ID: <{prefix}{number}@hr-portal-update.com>\r\n\r\n"
            f"Sign in to keep your salary payments: http://hr-portal-update.com/login?u={number}\r\n"
            f"{filler}\r\n"
        ).encode()
        (folder / f"{number:04d}.eml").write_bytes(raw)
        digests.append(hashlib.sha256(raw).hexdigest())
    return digests


def run_in_small_disk(tmp_path: Path, first: Path, second: Path, leave: int, mode: str) -> dict:
    if shutil.which("unshare") is None:
        pytest.skip("util-linux unshare is needed to mount a small private file system")
    store = tmp_path / "store"
    store.mkdir()
    report = tmp_path / "report.json"
    script = (
        'mount -t tmpfs -o size=4m seawall-full-disk "$1" && py="$2" && shift 2'
        ' && exec "$py" -m tests.support.full_disk "$@"'
    )
    done = subprocess.run(
        [
            "unshare",
            "--mount",
            "--map-root-user",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
            str(store),
            sys.executable,
            str(store),
            str(first),
            str(second),
            str(report),
            str(leave),
            mode,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0 and "Operation not permitted" in done.stderr:
        pytest.skip(f"this machine refuses a private mount namespace: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return json.loads(report.read_text())


@pytest.mark.parametrize(
    ("leave", "moment"),
    [(512 * 1024, "were not recorded"), (0, "the store could not be opened")],
    ids=["full-mid-scan", "full-before-opening"],
)
def test_a_full_disk_stops_the_scan_clearly_and_loses_nothing_recorded(
    tmp_path: Path, leave: int, moment: str
) -> None:
    first = write_mail(tmp_path / "first", 200, "a", 2_000)
    second = write_mail(tmp_path / "second", 400, "b", 5_000)
    report = run_in_small_disk(tmp_path, tmp_path / "first", tmp_path / "second", leave, "scan")

    assert report["first"]["rc"] == 0, report["first"]["stderr"]
    full = report["full"]
    assert full["rc"] == 4
    assert "store error: the disk (or quota) is full" in full["stderr"]
    assert "Free space and run the same command again" in full["stderr"]
    assert moment in full["stderr"]
    assert "Traceback" not in full["stderr"]

    kept = report["after_full"]
    assert kept["integrity"] == "ok"
    assert kept["foreign_key_violations"] == 0
    assert kept["rule_hits_without_message"] == 0
    assert set(first) <= set(kept["keys"])  # the first scan survived the full disk

    rerun = report["rerun"]
    assert rerun["rc"] == 0, rerun["stderr"]
    after = report["after_rerun"]
    assert after["integrity"] == "ok"
    assert sorted(after["keys"]) == sorted(set(first) | set(second))  # each once


def write_articles(folder: Path, count: int, prefix: str) -> None:
    folder.mkdir()
    for number in range(count):
        story = (
            f"Iranian hackers targeted oil and gas companies in Saudi Arabia in June 2019, "
            f"researchers said in report {prefix}{number}. "
        )
        padding = " ".join(f"Background note {prefix}{number}-{word}." for word in range(1500))
        (folder / f"{prefix}{number:03d}.txt").write_text(f"Report {prefix}{number}\n\n{story}{padding}\n")


def test_a_full_disk_stops_an_osint_ingest_clearly_and_loses_no_article_recorded(tmp_path: Path) -> None:
    write_articles(tmp_path / "first", 20, "a")
    write_articles(tmp_path / "second", 60, "b")
    report = run_in_small_disk(tmp_path, tmp_path / "first", tmp_path / "second", 512 * 1024, "ingest")

    assert report["first"]["rc"] == 0, report["first"]["stderr"]
    full = report["full"]
    assert full["rc"] == 4, full["stderr"]
    assert "store error: the disk (or quota) is full" in full["stderr"]
    assert "articles were recorded and are kept" in full["stderr"]
    assert "Traceback" not in full["stderr"]
    kept = report["after_full"]
    assert kept["integrity"] == "ok"
    assert len(kept["keys"]) >= 20
    rerun = report["rerun"]
    assert rerun["rc"] == 0, rerun["stderr"]
    assert len(report["after_rerun"]["keys"]) == 80
