"""A store holding the bundled examples and one hostile message, held in quarantine too; an
SMTP sink standing in for Postfix's re-injection port; the app served over real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from seawall.api.app import create_app
from seawall.config import Settings, load_settings
from seawall.intake.files import iter_messages
from seawall.intake.source import Origin, RawMessage
from seawall.osint.articles import Article
from seawall.osint.events import extract_events
from seawall.pipeline import Scanner
from seawall.service.filter import Address
from seawall.store.database import Database
from seawall.store.osint import OsintRepository
from seawall.store.quarantine import QuarantineRepository
from seawall.store.reports import ReportRepository
from tests.conftest import REPO

HOSTILE_SUBJECT = "<script>alert('subject')</script><img src=x onerror=alert('img')>Urgent: verify"
BIDI_SUBJECT = "Invoice \u202egpj.exe & remittance"
"""Shown as "Invoice exe.jpg" by a page that obeys the right-to-left override."""
REPORTERS = ["alan@example-agency.gov", "mei@example-agency.gov"]
HOSTILE = (
    "From: \"<b onmouseover=alert('name')>IT Desk</b>\" <it-desk@examp1e-agency.gov>\r\n"
    "To: staff@example-agency.gov\r\n"
    f"Subject: {HOSTILE_SUBJECT}\r\n"
    "Date: Thu, 20 Jun 2019 09:00:00 +0000\r\n"
    "Message-ID: <hostile-1@examp1e-agency.gov>\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<html><body><script>alert('body')</script><p>Your mailbox is full. "
    '<a href="http://examp1e-agency.gov.verify-login.top/owa">Sign in here</a> to keep it.</p>'
    '<img src="http://tracker.invalid/pixel.gif"></body></html>\r\n'
).encode()


ARTICLES = [
    Article(
        id="a" * 64,
        published="2019-06-24",
        title="US strikes back <script>alert('title')</script>",
        text="US Cyber Command launched cyberattacks against Iranian missile control systems on 20 June 2019",
    ),
    Article(
        id="b" * 64,
        published="2019-06-22",
        title="Iranian phishing",
        text="Iranian hackers targeted US government agencies with phishing emails in June 2019.",
    ),
]


@dataclass
class Store:
    settings: Settings
    hostile_sha256: str
    held_id: int


@pytest.fixture
def store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The examples and the hostile message scanned into a fresh store (SQLite, then
    PostgreSQL); the hostile one held."""
    monkeypatch.setenv("SEAWALL_DATABASE_URL", database_url)
    settings = load_settings(REPO / "examples" / "seawall.toml")  # the store: $SEAWALL_DATABASE_URL
    scanner = Scanner(settings, record=True, keep_raw=False)
    for raw in iter_messages([str(REPO / "examples")]):
        assert isinstance(raw, RawMessage)
        scanner.scan_and_record(raw)
    hostile = RawMessage.from_bytes(HOSTILE, Origin("smtp:127.0.0.1", "smtp"))
    result = scanner.scan_and_record(hostile)
    bidi = HOSTILE.replace(HOSTILE_SUBJECT.encode(), BIDI_SUBJECT.encode()).replace(b"hostile-1", b"bidi-1")
    scanner.scan_and_record(RawMessage.from_bytes(bidi, Origin("smtp:127.0.0.1", "smtp")))
    scanner.close()
    database = Database.from_settings(settings)
    for reporter in REPORTERS:  # the report-phish button, twice
        ReportRepository(database).report(hostile.sha256, reporter, "imap:phish-reports")
    reporting = OsintRepository(database)
    for article in ARTICLES:
        reporting.add(article, extract_events(article))
    held = QuarantineRepository(database).hold(
        HOSTILE,
        hostile.sha256,
        "it-desk@examp1e-agency.gov",
        ["staff@example-agency.gov"],
        result.label or "phishing",
        result.score,
        HOSTILE_SUBJECT,
        "it-desk@examp1e-agency.gov",
    )
    database.close()
    return Store(settings, hostile.sha256, held)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Sink:
    """An SMTP server on loopback that keeps what it is sent (Postfix's re-injection smtpd)."""

    port: int
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 OK"


@pytest.fixture
def sink() -> Iterator[Sink]:
    found = Sink(free_port())
    controller = Controller(found, hostname="127.0.0.1", port=found.port, decode_data=False)
    controller.start()
    yield found
    controller.stop()


@pytest.fixture
def app(store: Store, sink: Sink) -> FastAPI:
    return create_app(store.settings, Address("127.0.0.1", sink.port))


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    """The app on a loopback port, over real HTTP, for clients that are not in-process."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the console did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
