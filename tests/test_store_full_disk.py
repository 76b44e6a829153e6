"""A full disk during a scan: a clear error and exit 4, nothing already recorded lost, the
store consistent, and a rerun after freeing space records the rest once (issue 19, item 6).

The disk is real: a 4 MB tmpfs mounted in a private mount namespace (``unshare``), filled
by another file between two scans, as a log or a backup fills a server's disk; for PostgreSQL,
a tablespace on a small tmpfs."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
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


def scan_into(database_url: str, home: Path, *folders: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seawall", "scan", "--no-keep-raw", "--format", "json", *map(str, folders)],
        env={**os.environ, "SEAWALL_HOME": str(home), "SEAWALL_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def stored_digests(database_url: str) -> list[str]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        return [row[0] for row in connection.execute("SELECT sha256 FROM messages")]


def test_postgresql_out_of_disk_stops_the_scan_clearly_and_loses_nothing(
    postgres_server: str, tmp_path: Path
) -> None:
    """The database's files on an 8 MB tmpfs (a tablespace), filled between two scans: the
    server answers SQLSTATE 53100 "could not extend file", the scan stops with exit 4."""
    import psycopg

    if os.geteuid() != 0:
        pytest.skip("mounting a small file system for a PostgreSQL tablespace needs root")
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        data_directory = Path(str(connection.execute("SHOW data_directory").fetchone()[0]))
    if not data_directory.exists():
        pytest.skip("the PostgreSQL server runs elsewhere: its tablespace cannot be put on a disk here")
    # Under /tmp, not tmp_path: the server's own user must reach the folder.
    location = Path(tempfile.mkdtemp(prefix="seawall-pg-full-"))
    name = f"seawall_full_{uuid.uuid4().hex[:10]}"
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "seawall-pg-full", str(location)], check=True)
    try:
        os.chown(location, data_directory.stat().st_uid, data_directory.stat().st_gid)
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            connection.execute(f"CREATE TABLESPACE {name} LOCATION '{location}'")
            connection.execute(f"CREATE DATABASE {name} TABLESPACE {name}")
        url = f"{postgres_server.rsplit('/', 1)[0]}/{name}"
        first = write_mail(tmp_path / "first", 100, "a", 2_000)
        second = write_mail(tmp_path / "second", 400, "b", 2_000)
        home = tmp_path / "home"
        assert scan_into(url, home, tmp_path / "first").returncode == 0

        filler = location / "filler"
        with filler.open("wb", buffering=0) as out, contextlib.suppress(OSError):
            while shutil.disk_usage(location).free > 200 * 1024:
                out.write(b"\0" * 65536)
        full = scan_into(url, home, tmp_path / "second")
        assert full.returncode == 4, full.stderr
        assert "store error: the disk (or quota) is full" in full.stderr
        assert "No space left on device" in full.stderr
        assert "Traceback" not in full.stderr
        assert set(first) <= set(stored_digests(url))

        filler.unlink()
        rerun = scan_into(url, home, tmp_path / "first", tmp_path / "second")
        assert rerun.returncode == 0, rerun.stderr
        assert sorted(stored_digests(url)) == sorted(set(first) | set(second))
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.execute(f"DROP TABLESPACE IF EXISTS {name}")
        subprocess.run(["umount", str(location)], check=False)
        location.rmdir()
