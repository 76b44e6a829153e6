"""`seawall imap watch` against a real Dovecot (tests/support/dovecot.py): reports are judged
as they arrive, their reporters recorded, a restart rescans nothing, a server restart is survived."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from imapclient import IMAPClient

from seawall.config import load_settings
from seawall.intake.source import Origin, RawMessage
from seawall.service.imap import Account, ReportWatcher, reported_message
from seawall.store.database import Database
from seawall.store.reports import ReportRepository
from tests.conftest import REPO
from tests.support.dovecot import PASSWORD, USER, PrivateDovecot, available

PHISH = (REPO / "examples" / "agency-owa-password-expiry.eml").read_bytes()
needs_dovecot = pytest.mark.skipif(
    not available() or os.geteuid() != 0,
    reason="needs Debian's dovecot-imapd, run as root (.ci/run installs it)",
)


def report(reporter: str, suspect: bytes = PHISH, encoded: bool = False) -> bytes:
    """What a mail client's "report phishing" button sends: the suspect message attached, as
    message/rfc822 in 7bit (Outlook, Thunderbird) or, as some clients do, base64-encoded."""
    outer = EmailMessage()
    outer["From"] = reporter
    outer["To"] = "phish-reports@example-agency.gov"
    outer["Subject"] = "Reported phishing"
    outer.set_content("I think this is phishing.")
    if encoded:
        outer.add_attachment(suspect, maintype="message", subtype="rfc822")
    else:
        outer.add_attachment(BytesParser(policy=policy.default).parsebytes(suspect))
    return outer.as_bytes()


def append(server: PrivateDovecot, data: bytes) -> None:
    with IMAPClient("127.0.0.1", server.port, ssl=False) as client:
        client.login(USER, PASSWORD)
        client.append("INBOX", data)


def test_the_attached_message_is_the_one_judged_and_the_sender_its_reporter() -> None:
    for encoded in (False, True):
        suspect, reporter = reported_message(
            report("Robert Hughes <r.hughes@example-agency.gov>", encoded=encoded)
        )
        assert b"Password expiry notice" in suspect and b"I think this is phishing" not in suspect
        assert reporter == "r.hughes@example-agency.gov"
    plain = b"From: a@b.example\r\nSubject: journal copy\r\n\r\nhi\r\n"
    assert reported_message(plain) == (plain, "")


def test_a_report_forwarded_inline_is_judged_as_the_message_it_carries() -> None:
    inline = (
        b"From: Robert Hughes <r.hughes@example-agency.gov>\r\nSubject: Fw: Password expiry notice\r\n"
        b"\r\n-----Original Message-----\r\nFrom: IT Helpdesk <it@helpdesk-portal.example>\r\n"
        b"Sent: Monday\r\nSubject: Password expiry notice\r\n\r\nYour password expires today.\r\n"
    )
    suspect, reporter = reported_message(inline)
    assert b"it@helpdesk-portal.example" in suspect and b"Robert Hughes" not in suspect
    assert reporter == "r.hughes@example-agency.gov"
    # a journal mailbox's forwards are mail of their own
    assert reported_message(inline, inline_forwards=False) == (inline, "")


@pytest.fixture
def dovecot() -> Iterator[PrivateDovecot]:
    server = PrivateDovecot.create()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SEAWALL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SEAWALL_DATABASE_URL", raising=False)
    return load_settings(REPO / "examples" / "seawall.toml")


@needs_dovecot
def test_reports_are_judged_within_seconds_and_survive_restarts(dovecot: PrivateDovecot, settings) -> None:  # type: ignore[no-untyped-def]
    account = Account("127.0.0.1", dovecot.port, USER, PASSWORD, tls=False)
    watcher = ReportWatcher(settings, account, sweep_seconds=2.0)
    thread = threading.Thread(target=watcher.watch, daemon=True)
    thread.start()
    repository = ReportRepository(Database.from_settings(settings))
    sha = None
    try:
        time.sleep(1)
        append(dovecot, report("r.hughes@example-agency.gov"))
        append(dovecot, report("m.chen@example-agency.gov"))
        deadline = time.monotonic() + 30  # a wait for IDLE to bring them, not a timing measure
        while time.monotonic() < deadline:
            checkpoint = repository.checkpoint(account.key)
            if checkpoint and checkpoint[1] >= 2:
                break
            time.sleep(0.1)
        assert checkpoint and checkpoint[1] == 2
        sha = RawMessage.from_bytes(reported_message(report("x@y"))[0], Origin("x")).sha256
        assert sorted(repository.reporters(sha)) == [
            "m.chen@example-agency.gov",
            "r.hughes@example-agency.gov",
        ]
        # the server goes away and comes back: the watcher reconnects and reads what came meanwhile
        dovecot.stop()
        time.sleep(1)
        dovecot.start()
        append(dovecot, report("a.khan@example-agency.gov"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and repository.checkpoint(account.key)[1] < 3:  # type: ignore[index]
            time.sleep(0.2)
        assert repository.checkpoint(account.key)[1] == 3  # type: ignore[index]
    finally:
        watcher.stop()
        thread.join(timeout=10)
        assert watcher.closed
    # a restart of the watcher rescans nothing
    again = ReportWatcher(settings, account)
    with IMAPClient("127.0.0.1", dovecot.port, ssl=False) as client:
        client.login(USER, PASSWORD)
        assert again.sweep(client) == 0
        client.select_folder("INBOX")
        flags = client.get_flags(client.search(["ALL"]))
        assert all(b"$SeawallScanned" in f and b"\\Seen" in f for f in flags.values())
    again.close()
    assert len(repository.reporters(sha)) == 3
    repository.database.close()


def test_reports_reach_the_campaign_view_and_the_analyst_queue(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from seawall.cli import app
    from tests.test_campaigns import _wave_files

    runner = CliRunner()
    config = str(REPO / "examples" / "seawall.toml")
    files = _wave_files(tmp_path, 3, datetime(2019, 6, 20, 8, 0, tzinfo=UTC), "reported")
    assert runner.invoke(app, ["scan", "-c", config, "--format", "json", *map(str, files)]).exit_code == 0
    first, second = (RawMessage.from_bytes(f.read_bytes(), Origin(f.name)).sha256 for f in files[:2])
    repository = ReportRepository(Database.from_settings(settings))
    repository.report(first, "user0@example-agency.gov", "imap:test")
    repository.report(first, "user0@example-agency.gov", "imap:test")  # reported twice: one reporter
    repository.report(second, "user1@example-agency.gov", "imap:test")
    repository.database.close()

    shown = runner.invoke(app, ["campaigns", "show", "C-1", "-c", config])
    assert shown.exit_code == 0 and "reported by 2 people" in shown.output, shown.output
    queue = runner.invoke(app, ["imap", "reports", "-c", config], env={"COLUMNS": "200"})
    assert queue.exit_code == 0 and queue.output.count("to triage") == 2, queue.output
    assert first[:12] in queue.output and second[:12] in queue.output
    assert runner.invoke(app, ["label", first[:12], "phish", "-c", config]).exit_code == 0
    untriaged = runner.invoke(app, ["imap", "reports", "--untriaged", "-c", config], env={"COLUMNS": "200"})
    assert first[:12] not in untriaged.output and second[:12] in untriaged.output


@needs_dovecot
def test_the_cli_reads_a_journal_mailbox_once(dovecot: PrivateDovecot, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from seawall.cli import app

    append(dovecot, PHISH)  # a journal copy: no report around it, judged itself, no reporter
    secret = tmp_path / "imap-password"
    secret.write_text(PASSWORD + "\n")
    config = str(REPO / "examples" / "seawall.toml")
    arguments = ["imap", "watch", "--host", "127.0.0.1", "--port", str(dovecot.port), "--user", USER]
    arguments += ["--password-file", str(secret), "--no-tls", "--once", "-c", config]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    from seawall.store.repository import ScanRepository

    database = Database.from_settings(load_settings(REPO / "examples" / "seawall.toml"))
    # found by Message-ID: the server stores the message with CRLF line ends, other bytes
    record = ScanRepository(database).find_message("<20190617130205.11834@mail.example-agency-gov.com>")
    database.close()
    assert record is not None and record.label == "phishing"
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password")
    arguments[arguments.index(str(secret))] = str(wrong)
    refused = CliRunner().invoke(app, arguments)
    assert refused.exit_code == 1 and "IMAP 127.0.0.1" in refused.output, refused.output
