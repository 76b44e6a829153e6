"""``seawall imap watch``: the mailbox users report phishing to, read as it fills.

Mail clients' "report phishing" buttons forward the suspect message as an attachment
(``message/rfc822``, or an ``.eml`` file): that attachment is the message judged, and the
sender of the report is recorded as its reporter ("reported by 3 people" in the campaign
view). Users who press "Forward" instead send it inline ("Fw: …", the original's From, Date,
To and Subject written into the body): that message is rebuilt and judged (``mail/forwarded.py``;
``--no-inline-forwards`` for a journal mailbox, whose forwards are mail of their own). A message
with neither is judged itself.

The folder is read by UID, on imapclient: every message above the checkpoint (UIDVALIDITY and
the last UID processed, kept in the store and advanced after each message) is fetched, judged,
recorded and flagged ``\\Seen`` and ``$SeawallScanned``. A restart therefore neither skips nor
rescans; a new UIDVALIDITY (the folder was re-created) starts the folder over. New mail is
noticed by IDLE, with a sweep every ``sweep_seconds`` as a backstop; a dropped connection or a
BYE is followed by a reconnect with backoff.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import quopri
import ssl
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import parseaddr

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from seawall.config import Settings
from seawall.intake.source import Origin, RawMessage
from seawall.mail.forwarded import inline_forward
from seawall.pipeline import Scanner
from seawall.store.reports import ReportRepository

log = logging.getLogger(__name__)
SCANNED_FLAG = b"$SeawallScanned"
MAX_REPORT_BYTES = 50 * 1024 * 1024
_HEADERS_ONLY = BytesParser(policy=policy.compat32)


@dataclass(frozen=True)
class Account:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    tls: bool = False

    @property
    def key(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"


def reported_message(data: bytes, inline_forwards: bool = True) -> tuple[bytes, str]:
    """(the message to judge, who reported it): the attached message of a report, else (with
    ``inline_forwards``) the message a "Fw:" carries in its body, else the message itself with
    no reporter."""
    try:
        outer = _HEADERS_ONLY.parsebytes(data)
    except Exception:  # unreadable: judge the bytes as they are
        return data, ""
    reporter = parseaddr(str(outer.get("From", "")))[1].lower()
    for part in outer.walk() if outer.is_multipart() else ():
        if part is outer:
            continue
        content_type = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if content_type == "message/rfc822":
            encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
            inner = part.get_payload()
            if encoding in ("base64", "quoted-printable"):
                # Not allowed by RFC 2046, but some clients (and Python's own add_attachment
                # of bytes) encode the attached message: the parser then sees one header-less
                # part holding the encoded text, which we decode ourselves.
                first = inner[0] if isinstance(inner, list) and inner else inner
                body = first.get_payload() if isinstance(first, Message) else first
                decoded = _decode_transfer(str(body), encoding)
                if decoded:
                    return decoded, reporter
            elif isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0].as_bytes(policy=policy.compat32), reporter
        elif filename.endswith(".eml"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                return payload, reporter
    forwarded = inline_forward(data) if inline_forwards else None
    if forwarded is not None:
        return forwarded, reporter
    return data, ""


def _decode_transfer(text: str, encoding: str) -> bytes:
    try:
        if encoding == "base64":
            return base64.b64decode("".join(text.split()), validate=False)
        return quopri.decodestring(text.encode("ascii", "surrogateescape"))
    except (ValueError, binascii.Error, UnicodeError):
        return b""


class ReportWatcher:
    """Reads one folder of one account into the store (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        account: Account,
        sweep_seconds: float = 60.0,
        inline_forwards: bool = True,
    ) -> None:
        self.settings = settings
        self.account = account
        self.sweep_seconds = sweep_seconds
        self.inline_forwards = inline_forwards
        self.scanner = Scanner(settings, record=True)
        assert self.scanner.database is not None
        self.reports = ReportRepository(self.scanner.database)
        self.stopping = threading.Event()
        self.closed = False

    def connect(self) -> IMAPClient:
        context = ssl.create_default_context() if self.account.tls else None
        client = IMAPClient(
            self.account.host, self.account.port, ssl=self.account.tls, ssl_context=context, timeout=60
        )
        client.login(self.account.user, self.account.password)
        return client

    def sweep(self, client: IMAPClient) -> int:
        """Judge every message above the checkpoint; returns how many were processed."""
        selected = client.select_folder(self.account.folder)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        checkpoint = self.reports.checkpoint(self.account.key)
        last_uid = checkpoint[1] if checkpoint and checkpoint[0] == uidvalidity else 0
        uids = sorted(u for u in client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
        for uid in uids:
            fetched = client.fetch([uid], ["RFC822.SIZE"])
            size = int(fetched.get(uid, {}).get(b"RFC822.SIZE", 0))
            if size <= MAX_REPORT_BYTES:
                data = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]", b"")
                self.process(bytes(data), uid)
            else:
                log.warning("report %s of %d bytes left unread (over %d)", uid, size, MAX_REPORT_BYTES)
            client.add_flags([uid], [b"\\Seen", SCANNED_FLAG])
            self.reports.save_checkpoint(self.account.key, uidvalidity, uid)
        return len(uids)

    def process(self, data: bytes, uid: int) -> None:
        message, reporter = reported_message(data, self.inline_forwards)
        origin = Origin(f"imap:{self.account.key}", "imap", member=str(uid))
        result = self.scanner.scan_and_record(RawMessage.from_bytes(message, origin))
        if reporter and result.sha256:
            self.reports.report(result.sha256, reporter, self.account.key)
        log.info(
            "report %s from %s: %s %s", uid, reporter or "-", result.label or result.status, result.score
        )

    def watch(self, once: bool = False) -> None:
        """Sweep, then IDLE with a sweep as backstop, until ``stop``; reconnect on failure.
        The store is closed when watching ends, in the thread that used it."""
        try:
            self._watch(once)
        finally:
            self.close()

    def _watch(self, once: bool) -> None:
        backoff = 1.0
        while not self.stopping.is_set():
            try:
                client = self.connect()
                try:
                    self.sweep(client)
                    if once:
                        return
                    backoff = 1.0
                    self._idle(client)
                finally:
                    with contextlib.suppress(IMAPClientError, OSError):
                        client.logout()
            except LoginError:
                raise  # wrong credentials do not get better by retrying
            except (IMAPClientError, OSError) as exc:
                if once:
                    raise
                log.warning("IMAP connection lost (%s); reconnecting in %.0f s", exc, backoff)
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 60.0)

    def _idle(self, client: IMAPClient) -> None:
        last_sweep = time.monotonic()
        client.idle()
        try:
            while not self.stopping.is_set():
                responses = client.idle_check(timeout=1)
                if any(b"BYE" in (r if isinstance(r, bytes) else str(r).encode()) for r in responses):
                    raise ConnectionResetError("server said BYE")
                if responses or time.monotonic() - last_sweep > self.sweep_seconds:
                    client.idle_done()
                    self.sweep(client)
                    last_sweep = time.monotonic()
                    client.idle()
        finally:
            with contextlib.suppress(IMAPClientError, OSError):
                client.idle_done()

    def stop(self) -> None:
        self.stopping.set()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.scanner.close()
