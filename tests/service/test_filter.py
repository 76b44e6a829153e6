"""`seawall filter` in the mail flow, with Debian's Postfix as a private instance on loopback and
smtp-sink as the final destination (tests/support/postfix.py); no mock of either."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import smtplib
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seawall.cli import app
from seawall.service.filter import Address, Reinjector, add_headers, strip_seawall_headers
from tests.conftest import REPO
from tests.support.postfix import (
    PrivatePostfix,
    available,
    free_ports,
    message_as_sent,
    start_service,
    stop_service,
    wait_for_line,
    wait_for_port,
)

EXAMPLES = REPO / "examples"
PHISH = (EXAMPLES / "agency-owa-password-expiry.eml").read_bytes()
CLEAN = (EXAMPLES / "legit-internal-meeting.eml").read_bytes()
RCPT = "r.hughes@example-agency.gov"

needs_postfix = pytest.mark.skipif(
    not available() or os.geteuid() != 0,
    reason="needs Debian's postfix and smtp-sink, run as root (.ci/run installs them)",
)


def start_filter(
    listen: int, reinject: int, home: Path, config: Path | None = None, database_url: str = ""
) -> subprocess.Popen[bytes]:
    arguments = ["filter", "--listen", f"127.0.0.1:{listen}", "--reinject", f"127.0.0.1:{reinject}"]
    if config is not None:
        arguments += ["-c", str(config)]
    return start_service(arguments, listen, home, database_url)


stop = stop_service


def send(port: int, data: bytes, rcpt: str = RCPT) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("sender@example.net", [rcpt], data)


@pytest.fixture
def postfix() -> Iterator[PrivatePostfix]:
    # Not under pytest's tmp_path: Postfix's daemons run as the postfix user, who cannot enter
    # pytest's private (0700) folder.
    root = Path(tempfile.mkdtemp(prefix="seawall-postfix-"))
    root.chmod(0o755)
    instance = PrivatePostfix.create(root)
    instance.start()
    yield instance
    instance.stop()
    shutil.rmtree(root, ignore_errors=True)


def test_forged_verdict_headers_go_and_ours_come_first() -> None:
    forged = (
        b"X-Seawall-Verdict: clean\r\nX-SEAWALL-Score: 0\r\n\tfolded\r\n"
        b"Subject: x\r\n\r\nX-Seawall-Verdict: body\r\n"
    )
    assert strip_seawall_headers(forged) == b"Subject: x\r\n\r\nX-Seawall-Verdict: body\r\n"
    # the last header forged: no blank line is added to the body
    assert strip_seawall_headers(b"Subject: x\nX-Seawall-Score: 0\n\nbody\n") == b"Subject: x\n\nbody\n"
    assert add_headers(b"Subject: x\r\n\r\nbody\r\n", [("X-Seawall-Verdict", "clean")]).startswith(
        b"X-Seawall-Verdict: clean\r\nSubject: x\r\n"
    )


def test_a_filter_that_cannot_hand_the_message_back_answers_451(tmp_path: Path) -> None:
    listen, closed = free_ports(2)  # nothing listens on the re-injection port
    process = start_filter(listen, closed, tmp_path / "home")
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(listen, CLEAN)
        assert refused.value.smtp_code == 451  # Postfix keeps it queued and retries; never 5xx
    finally:
        stop(process)


@needs_postfix
def test_phish_is_tagged_and_clean_mail_arrives_unchanged_but_for_the_added_headers(
    postfix: PrivatePostfix, tmp_path: Path
) -> None:
    process = start_filter(postfix.filter, postfix.reinject, tmp_path / "home", EXAMPLES / "seawall.toml")
    try:
        forged = b"X-Seawall-Verdict: clean\r\nX-Seawall-Score: 0\r\n" + PHISH
        send(postfix.smtp, forged)
        send(postfix.smtp, CLEAN)
        delivered = [message_as_sent(m) for m in postfix.wait_delivered(2)]
    finally:
        stop(process)
    assert len(delivered) == 2
    phish = next(m for m in delivered if b"Password expiry" in m)
    clean = next(m for m in delivered if b"Incident review" in m)
    assert phish.startswith(b"X-Seawall-Verdict: phishing\n")
    assert phish.count(b"X-Seawall-Verdict") == 1 and b"X-Seawall-Rules: " in phish
    assert clean.startswith(b"X-Seawall-Verdict: clean\nX-Seawall-Score: ")
    # after Seawall's headers, the Received header Postfix's first smtpd wrote, then the
    # message exactly as it was sent
    after_ours = clean.partition(b"\nX-Seawall-Score: ")[2].split(b"\n", 1)[1]
    original = CLEAN.replace(b"\r\n", b"\n")
    postfix_received, rest = after_ours.split(b"\n\t", 1)[0], after_ours.split(b"\n", 3)[3]
    assert postfix_received.startswith(b"Received: from ") and b"seawall-test.localdomain" in after_ours[:300]
    # Postfix drops Return-Path on receipt (message_drop_headers); everything else is as sent
    sent = original.split(b"\n", 1)[1] if original.startswith(b"Return-Path:") else original
    assert rest.rstrip(b"\n") == sent.rstrip(b"\n")


@needs_postfix
def test_one_reinjection_connection_carries_many_messages_and_survives_a_postfix_restart(
    postfix: PrivatePostfix,
) -> None:
    reinjector = Reinjector(Address("127.0.0.1", postfix.reinject), timeout=30)
    reinjector.IDLE_CHECK_SECONDS = 0.0  # check the connection before every message
    try:
        for _ in range(3):
            reinjector.send("sender@example.net", [RCPT], CLEAN)
        assert len(postfix.wait_delivered(3)) == 3
        postfix_command = ["postfix", "-c", str(postfix.config)]
        subprocess.run([*postfix_command, "stop"], check=True, capture_output=True)
        subprocess.run([*postfix_command, "start"], check=True, capture_output=True)
        wait_for_port(postfix.reinject)
        reinjector.send("sender@example.net", [RCPT], CLEAN)  # Postfix closed the old connection
        assert len(postfix.wait_delivered(4)) == 4
    finally:
        reinjector.close()
    # three messages on one connection, then one new connection after the restart; counted
    # per smtpd process, as another smtpd's lines (a readiness probe's connection) may come
    # between them in the log
    per_connection: list[int] = []
    current: dict[str, int] = {}
    for line in postfix.maillog.read_text(errors="replace").splitlines():
        process = re.search(r"postfix/smtpd\[(\d+)\]", line)
        if process is None:
            continue
        if " connect from " in line:
            current[process[1]] = len(per_connection)
            per_connection.append(0)
        elif ": client=" in line and process[1] in current:
            per_connection[current[process[1]]] += 1
    assert [n for n in per_connection if n] == [3, 1]


@needs_postfix
def test_quarantined_phish_is_held_and_delivered_on_release(
    postfix: PrivatePostfix, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "seawall.toml"
    config.write_text((EXAMPLES / "seawall.toml").read_text() + '\n[mailflow]\nphishing = "quarantine"\n')
    home = tmp_path / "home"
    process = start_filter(postfix.filter, postfix.reinject, home, config)
    try:
        send(postfix.smtp, PHISH)
        send(postfix.smtp, CLEAN)
        assert len(postfix.wait_delivered(1)) == 1
        time.sleep(1)
    finally:
        stop(process)
    assert len(postfix.delivered()) == 1  # the phish is held, not delivered
    runner = CliRunner(env={"SEAWALL_HOME": str(home)})
    listed = runner.invoke(app, ["quarantine", "list", "-c", str(config)])
    assert "Password expiry" in listed.stdout and "phishing" in listed.stdout
    released = runner.invoke(
        app,
        [
            "quarantine",
            "release",
            "1",
            "--reinject",
            f"127.0.0.1:{postfix.reinject}",
            "--false-positive",
            "-c",
            str(config),
        ],
    )
    assert released.exit_code == 0, released.output
    delivered = [message_as_sent(m) for m in postfix.wait_delivered(2)]
    assert any(b"X-Seawall-Released: from quarantine 1" in m and b"Password expiry" in m for m in delivered)
    assert (
        "released" in runner.invoke(app, ["quarantine", "list", "--status", "all", "-c", str(config)]).stdout
    )
    # a release as a false positive is an analyst's correction the next training reads: the
    # label, and the held bytes where `seawall train` looks for a labelled message
    from seawall.config import load_settings
    from seawall.store.blobs import BlobStore
    from seawall.store.database import Database
    from seawall.store.repository import ScanRepository

    monkeypatch.setenv("SEAWALL_HOME", str(home))
    database = Database.from_settings(load_settings(config))
    (sha256, label), *_ = ScanRepository(database).labels()
    record = ScanRepository(database).find_message(sha256)
    database.close()
    assert label == "ham" and record is not None and record.raw_stored
    assert b"Password expiry" in (BlobStore(home / "raw").get(sha256) or b"")


def _message_ids(delivered: list[bytes]) -> list[bytes]:
    return [
        line.split(b": ", 1)[1].strip()
        for m in delivered
        for line in m.splitlines()
        if line.startswith(b"Message-ID: ")
    ]


@needs_postfix
def test_a_killed_filter_loses_nothing_and_delivers_a_retried_message_once(
    postfix: PrivatePostfix, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    process = start_filter(postfix.filter, postfix.reinject, home)
    sent = []
    for number in range(30):
        if number == 10:
            process.send_signal(signal.SIGKILL)  # mid-stream, without warning
            process.wait()
        if number == 20:
            process = start_filter(postfix.filter, postfix.reinject, home)
        message_id = f"<kill-{number}@example.net>".encode()
        send(postfix.smtp, CLEAN.replace(b"Message-ID:", b"Message-ID: " + message_id + b"\r\nX-Old-ID:", 1))
        sent.append(message_id)
    try:
        # wait for every message, not for 30 files: a duplicate would make 30 before the last
        deadline = time.monotonic() + 60
        while not set(sent) <= set(ids := _message_ids(postfix.delivered())) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop(process)
    assert set(ids) == set(sent)  # none lost
    # A message Postfix re-queued from Seawall is recorded (its delivery key committed) within
    # about a millisecond; a kill inside that window makes Postfix retry it and deliver it
    # twice (docs/deployment.md). One kill can cost at most that one message.
    assert len(ids) - len(set(ids)) <= 1


def test_purge_expires_only_what_was_held_longer_than_the_retention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from seawall.config import Settings
    from seawall.store.database import Database
    from seawall.store.models import QuarantineRecord
    from seawall.store.quarantine import QuarantineRepository

    monkeypatch.setenv("SEAWALL_HOME", str(tmp_path))
    config = tmp_path / "seawall.toml"
    config.write_text("[mailflow]\nquarantine_keep_days = 10\n")
    database = Database.from_settings(Settings())
    repository = QuarantineRepository(database)
    for age in (40, 11, 2):  # days held
        subject = f"held {age} days"
        held = repository.hold(PHISH, f"{age:064d}", "a@example.net", [RCPT], "phishing", 99.0, subject)
        with database.session() as session, session.begin():
            since = datetime.now(UTC) - timedelta(days=age)
            session.execute(update(QuarantineRecord).where(QuarantineRecord.id == held).values(held_at=since))
    database.close()
    runner = CliRunner(env={"SEAWALL_HOME": str(tmp_path)})
    purged = runner.invoke(app, ["quarantine", "purge", "-c", str(config)])  # the configured 10 days
    assert purged.exit_code == 0, purged.output
    assert "2 held messages older than 10 days expired" in purged.output
    database = Database.from_settings(Settings())
    repository = QuarantineRepository(database)
    assert [h.subject for h in repository.held("expired")] == ["held 40 days", "held 11 days"]
    assert [h.subject for h in repository.held("held")] == ["held 2 days"]
    assert all(repository.get(h.id)[1] == b"" for h in repository.held("expired"))  # type: ignore[index]
    database.close()
    # a held message's bytes for a sandbox, as they arrived; an expired one has none left
    (kept,) = [h.id for h in QuarantineRepository(Database.from_settings(Settings())).held("held")]
    shown = runner.invoke(app, ["quarantine", "show", str(kept), "--raw", "-c", str(config)])
    assert shown.exit_code == 0 and shown.stdout_bytes == PHISH
    gone = runner.invoke(app, ["quarantine", "show", "1", "--raw", "-c", str(config)])
    assert gone.exit_code == 2 and "expired" in gone.output
    # an explicit retention overrides the configured one
    purged = runner.invoke(app, ["quarantine", "purge", "--older-than", "1", "-c", str(config)])
    assert "1 held messages older than 1 days expired" in purged.output
    # and scripts read the list as JSON lines
    arguments = ["quarantine", "list", "--status", "all", "--format", "json", "-c", str(config)]
    listed = runner.invoke(app, arguments)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["subject"], r["status"]) for r in rows] == [
        ("held 40 days", "expired"),
        ("held 11 days", "expired"),
        ("held 2 days", "expired"),
    ]
    assert rows[0]["recipients"] == [RCPT] and rows[0]["label"] == "phishing"
    held_at = datetime.fromisoformat(rows[0]["held_at"])
    held_at = held_at if held_at.tzinfo else held_at.replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - held_at - timedelta(days=40)) < timedelta(hours=1)


def _another(message: bytes, number: int) -> bytes:
    """The same message with its own Message-ID (the delivery ledger knows a resent one)."""
    return message.replace(b"\nSubject: ", f"\nX-Test-Copy: {number}\nSubject: ".encode(), 1)


@needs_postfix
def test_sighup_reloads_the_configuration_and_a_broken_one_keeps_the_old(
    postfix: PrivatePostfix, tmp_path: Path
) -> None:
    config = tmp_path / "seawall.toml"
    example = (EXAMPLES / "seawall.toml").read_text()
    config.write_text(example + '\n[mailflow]\nphishing = "tag"\n')
    home = tmp_path / "home"
    process = start_filter(postfix.filter, postfix.reinject, home, config)
    log = tmp_path / f"seawall-filter-{postfix.filter}.log"
    try:
        send(postfix.smtp, _another(PHISH, 1))
        assert b"X-Seawall-Verdict: phishing" in postfix.wait_delivered(1)[0]
        config.write_text(example + '\n[mailflow]\nphishing = "quarantine"\n')
        process.send_signal(signal.SIGHUP)
        wait_for_line(log, "configuration reloaded")
        send(postfix.smtp, _another(PHISH, 2))  # now held
        config.write_text('[mailflow]\nphishing = "bounce"\n')  # not an action
        process.send_signal(signal.SIGHUP)
        wait_for_line(log, "reload failed")
        send(postfix.smtp, _another(PHISH, 3))  # still held: the last good configuration
        send(postfix.smtp, _another(CLEAN, 4))
        assert len(postfix.wait_delivered(2)) == 2
        time.sleep(1)
        assert process.poll() is None  # running through all of it
    finally:
        stop(process)
    delivered = postfix.delivered()
    copies = [line for m in delivered for line in m.splitlines() if line.startswith(b"X-Test-Copy: ")]
    assert sorted(copies) == [b"X-Test-Copy: 1", b"X-Test-Copy: 4"]
    config.write_text(example)
    runner = CliRunner(env={"SEAWALL_HOME": str(home)})
    listed = runner.invoke(app, ["quarantine", "list", "-c", str(config)])
    assert listed.stdout.count("phishing") == 2, listed.output
