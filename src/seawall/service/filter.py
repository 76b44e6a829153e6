"""``seawall filter``: an after-queue content filter for Postfix that never loses a message.

Postfix hands every message to this SMTP server (Postfix FILTER_README, "advanced content
filter": Postfix -> 127.0.0.1:10025 -> Seawall -> 127.0.0.1:10026 -> Postfix). Seawall judges
it, removes any X-Seawall header it arrived with, and by the label's action in ``[mailflow]``
tags it (X-Seawall-Verdict, -Score, -Rules, -Campaign added above the original headers, the
rest byte-identical), holds it in the store's quarantine, or passes it on untagged. The answer
to Postfix is 250 only once the message is re-injected (or its quarantine record committed);
any failure — a store that is down, a re-injection refused, a bug — answers 451, so Postfix
keeps the message queued and retries. Nothing is ever bounced with a 5xx after the queue.

The SMTP side is aiosmtpd (1.4.6, with the 2024 smuggling fixes); the scan runs in one worker
thread per process (the scanner is not shared between threads), so run one filter process per
core (docs/deployment.md).
"""

from __future__ import annotations

import asyncio
import logging
import re
import smtplib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from seawall.config import Settings
from seawall.detect.result import ScanResult
from seawall.intake.source import Origin, RawMessage
from seawall.pipeline import Scanner
from seawall.service import metrics
from seawall.store.quarantine import DeliveryLedger, QuarantineRepository, delivery_key

log = logging.getLogger(__name__)
HEADER_PREFIX = b"x-seawall-"
MAX_RULES_HEADER = 20


def strip_seawall_headers(data: bytes) -> bytes:
    """The message without headers that claim a Seawall verdict (a sender could forge one);
    folded continuation lines go with their header, the body is untouched."""
    # the first blank line, found with bytes.find (a regular expression over a large message
    # without one cost a visible share of the filter's time)
    ends = [i for i in (data.find(b"\n\n"), data.find(b"\n\r\n")) if i >= 0]
    end = min(ends) + 1 if ends else len(data)
    head, body = data[:end], data[end:]
    if HEADER_PREFIX not in head.lower():
        return data
    kept: list[bytes] = []
    dropping = False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        dropping = line.lower().startswith(HEADER_PREFIX)
        if not dropping:
            kept.append(line)
    return b"".join(kept) + body


def _header_value(text: str) -> str:
    """A header value of printable ASCII (names from mail could carry anything)."""
    return re.sub(r"[^\x20-\x7e]", "?", text)[:900]


def verdict_headers(result: ScanResult) -> list[tuple[str, str]]:
    """The X-Seawall headers for a result, in a form Sieve and Outlook rules can match."""
    label = result.label or ("suspicious" if result.status != "ok" else "clean")
    headers = [("X-Seawall-Verdict", label), ("X-Seawall-Score", f"{round(result.score)}")]
    if result.verdict is not None:
        rules = [e.rule for e in result.verdict.evidence if e.points > 0 and e.rule != "model"]
        if rules:
            headers.append(("X-Seawall-Rules", _header_value(", ".join(rules[:MAX_RULES_HEADER]))))
    if result.campaign is not None:
        headers.append(
            ("X-Seawall-Campaign", _header_value(f"{result.campaign.campaign} wave {result.campaign.wave}"))
        )
    if result.status != "ok":
        headers.append(("X-Seawall-Status", _header_value(result.status)))
    return headers


def add_headers(data: bytes, headers: Iterable[tuple[str, str]]) -> bytes:
    """Headers prepended, with the message's own line ending; nothing else changes."""
    newline = b"\r\n" if b"\r\n" in data[:4096] or not data else b"\n"
    return b"".join(f"{name}: {value}".encode("ascii") + newline for name, value in headers) + data


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Address:
        host, _, port = text.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{text!r} is not HOST:PORT")
        return cls(host.strip("[]"), int(port))


def reinject(
    address: Address,
    mail_from: str,
    recipients: list[str],
    data: bytes,
    timeout: float,
    accepted: Callable[[], None] | None = None,
) -> None:
    """Hand the message back to Postfix; raises when it is not accepted for every recipient.
    ``accepted`` runs as soon as Postfix has taken the message, before the connection is
    closed: the shorter the time between the two, the smaller the window in which a crash
    makes Postfix retry a message it already re-queued. One message on its own connection (the
    quarantine's release); the filter keeps its connection (``Reinjector``)."""
    reinjector = Reinjector(address, timeout)
    try:
        reinjector.send(mail_from, recipients, data, accepted)
    finally:
        reinjector.close()


class Reinjector:
    """One SMTP connection to Postfix's re-injection smtpd, kept open from message to message
    (a connection per message — connect, EHLO, QUIT — was a tenth of the filter's work). A
    connection idle for a while is checked with NOOP first and replaced if Postfix closed it;
    after any failure it is dropped, since a transaction cut short leaves it in no known state."""

    IDLE_CHECK_SECONDS = 1.0

    def __init__(self, address: Address, timeout: float) -> None:
        self.address = address
        self.timeout = timeout
        self._client: smtplib.SMTP | None = None
        self._used_at = 0.0

    def _connection(self) -> smtplib.SMTP:
        if self._client is not None and time.monotonic() - self._used_at > self.IDLE_CHECK_SECONDS:
            try:
                alive = self._client.noop()[0] == 250
            except (smtplib.SMTPException, OSError):
                alive = False
            if not alive:
                self.close()
        if self._client is None:
            self._client = smtplib.SMTP(self.address.host, self.address.port, timeout=self.timeout)
        return self._client

    def send(
        self, mail_from: str, recipients: list[str], data: bytes, accepted: Callable[[], None] | None = None
    ) -> None:
        """Hand the message back to Postfix on the kept connection; raises when it is not
        accepted for every recipient. ``accepted`` runs as soon as Postfix has taken it."""
        client = self._connection()
        try:
            refused = client.sendmail(mail_from, recipients, data)
        except BaseException:
            self.close()
            raise
        self._used_at = time.monotonic()
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        if accepted is not None:
            accepted()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


class FilterHandler:
    """aiosmtpd handler: judge, tag or hold, re-inject, and only then answer 250."""

    def __init__(self, settings: Settings, reinject_to: Address, scanner: Scanner | None = None) -> None:
        self.reinject_to = reinject_to
        self._use(settings, scanner or Scanner(settings, record=True, keep_raw=False))
        # One worker: the scanner (its store session, its campaign index) is not thread-safe.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seawall-scan")
        self.lock = threading.Lock()
        self.reinjector = Reinjector(reinject_to, settings.mailflow.reinject_timeout_seconds)

    def _use(self, settings: Settings, scanner: Scanner) -> None:
        self.settings = settings
        self.scanner = scanner
        database = scanner.database
        self.quarantine = QuarantineRepository(database) if database is not None else None
        self.ledger = DeliveryLedger(database) if database is not None else None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        try:
            answer: str = await loop.run_in_executor(
                self.executor,
                self.process,
                bytes(data),
                envelope.mail_from or "",
                list(envelope.rcpt_tos),
                str(getattr(session, "peer", "")),
            )
        except Exception as exc:  # never lose a message: Postfix keeps it and retries
            log.warning("tempfail: %s: %s", type(exc).__name__, exc)
            log.debug("tempfail", exc_info=True)
            metrics.TEMPFAILS.inc()
            return "451 4.3.0 Seawall could not process the message; try again later"
        finally:
            metrics.LATENCY.observe(time.perf_counter() - started)
        return answer

    def process(self, data: bytes, mail_from: str, recipients: list[str], peer: str) -> str:
        """Judge one message and act; raises on any failure (the caller answers 451)."""
        with self.lock:
            if len(data) > self.settings.mailflow.max_message_bytes:
                raise ValueError(f"message of {len(data)} bytes over [mailflow] max_message_bytes")
            clean = strip_seawall_headers(data)
            key = delivery_key(clean, mail_from, recipients)
            if self.ledger is not None:
                done = self.ledger.done(key)
                if done is not None:
                    # Postfix retries a message whose 250 never reached it: already done
                    metrics.ACTIONS.labels(action="already-done").inc()
                    return f"250 2.0.0 Already {'held' if done == 'quarantine' else 'delivered'}"
            raw = RawMessage.from_bytes(clean, Origin(f"smtp:{peer}", "smtp"))
            result = self.scanner.scan_and_record(raw)
            label = result.label or "suspicious"
            action = self.settings.mailflow.action(label)
            if action == "reject":
                action = "quarantine"  # after the queue a reject would be a bounce: hold it
            metrics.MESSAGES.labels(label=label).inc()
            if action == "quarantine" and self.quarantine is not None:
                summary = result.message
                held = self.quarantine.hold(
                    clean,
                    raw.sha256,
                    mail_from,
                    recipients,
                    label,
                    result.score,
                    summary.subject if summary else "",
                    summary.from_address if summary else "",
                    key=key,
                )
                metrics.ACTIONS.labels(action="quarantine").inc()
                return f"250 2.0.0 Held in quarantine as {held} ({label})"
            outgoing = clean if action == "deliver" else add_headers(clean, verdict_headers(result))
            self.reinjector.send(
                mail_from,
                recipients,
                outgoing,
                accepted=(lambda: self._remember(key, action)) if self.ledger is not None else None,
            )
            metrics.ACTIONS.labels(action=action).inc()
            return f"250 2.0.0 Delivered ({label})"

    def reload(self, settings: Settings) -> None:
        """Judge with a new configuration from the next message on (SIGHUP): rules, weights,
        model, actions per label, the store. The new scanner is built before the swap, so a
        configuration that cannot be loaded leaves the running one in place; the swap waits for
        the message being judged. The listening address and the size limit stay until a restart."""
        scanner = Scanner(settings, record=True, keep_raw=False)
        with self.lock:
            old = self.scanner
            self._use(settings, scanner)
        old.close()

    def _remember(self, key: str, action: str) -> None:
        """Record a delivery Postfix has accepted. Once accepted the message is delivered: a
        failure to record it is logged, never answered 451 (that would deliver it twice)."""
        assert self.ledger is not None
        try:
            self.ledger.record(key, action)
        except Exception as exc:
            log.warning("delivered, but not recorded as delivered: %s: %s", type(exc).__name__, exc)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.reinjector.close()
        self.scanner.close()
