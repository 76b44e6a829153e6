"""``seawall milter``: SMTP-time decisions for Postfix (or Sendmail) over the milter protocol.

Postfix streams each message to the milter while the sender is still connected; at the end of
the message Seawall judges it and answers by the label's action in ``[mailflow]``: ``tag``
(X-Seawall headers added), ``quarantine`` (headers added and the message put on Postfix's hold
queue, released with ``postsuper -H``), ``reject`` (550 5.7.1 with the verdict as the reason:
the sender's server, not us, tells the sender) or ``deliver`` (untouched). Headers that arrive
claiming a Seawall verdict are deleted in every case. Any failure answers 451 4.3.0 (the sender
retries); so does Postfix when the milter is down if ``milter_default_action = tempfail``.

The protocol is libmilter's, through pymilter: each connection runs in a libmilter thread;
the scan itself is serialised behind one lock because the scanner (its store session, its
campaign index) is not thread-safe — run one milter process per core. The scan keeps within
``[limits] time_budget_seconds`` (default 10 s), well inside Postfix's 30 s
``milter_content_timeout``: a message over budget gets a partial verdict with a defect.
"""

from __future__ import annotations

import logging
import os
import socket as socket_module
import threading
import time
from pathlib import Path
from typing import Any

import Milter

from seawall.config import Settings, load_settings
from seawall.intake.source import Origin, RawMessage
from seawall.pipeline import Scanner
from seawall.service import metrics
from seawall.service.filter import verdict_headers

log = logging.getLogger(__name__)


class _Shared:
    """What every connection's milter object shares: settings, the scanner and its lock."""

    settings: Settings
    scanner: Scanner
    lock = threading.Lock()


shared = _Shared()


@Milter.header_leading_space
class SeawallMilter(Milter.Base):  # type: ignore[misc]
    """One SMTP connection: collects each message's envelope, headers and body, then decides."""

    def __init__(self) -> None:
        self.peer = ""
        self._reset()

    def _reset(self) -> None:
        self.mail_from = ""
        self.recipients: list[str] = []
        self.head: list[bytes] = []
        self.body_chunks: list[bytes] = []
        self.size = 0
        self.seawall_headers: dict[str, int] = {}
        self.too_big = False

    @Milter.noreply  # type: ignore[untyped-decorator]
    def connect(self, hostname: str, family: Any, hostaddr: Any) -> int:
        self.peer = str(hostaddr[0]) if isinstance(hostaddr, tuple) and hostaddr else str(hostname)
        return Milter.CONTINUE  # type: ignore[no-any-return]

    @Milter.noreply  # type: ignore[untyped-decorator]
    def envfrom(self, mail_from: str, *parameters: str) -> int:
        self._reset()
        self.mail_from = mail_from.strip("<>")
        return Milter.CONTINUE  # type: ignore[no-any-return]

    @Milter.noreply  # type: ignore[untyped-decorator]
    def envrcpt(self, recipient: str, *parameters: str) -> int:
        self.recipients.append(recipient.strip("<>"))
        return Milter.CONTINUE  # type: ignore[no-any-return]

    def data(self) -> int:
        # Answered, not skipped: Postfix's milter client writes without TCP_NODELAY, so the
        # headers it sends after DATA's macros waited for an ACK libmilter never hurried
        # (40 ms of Linux's delayed ACK on every message); this reply carries the ACK.
        return Milter.CONTINUE  # type: ignore[no-any-return]

    @Milter.noreply  # type: ignore[untyped-decorator]
    @Milter.decode("bytes")  # type: ignore[untyped-decorator]
    def header(self, name: str, value: bytes) -> int:
        if name.lower().startswith("x-seawall-"):
            # forged or left by another hop: counted, deleted at the end, never judged
            self.seawall_headers[name] = self.seawall_headers.get(name, 0) + 1
            return Milter.CONTINUE  # type: ignore[no-any-return]
        # Postfix hands folded values with bare LF: back to the CRLF of the wire form.
        value = value.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        self._add(name.encode("ascii", "replace") + b":" + value + b"\r\n", self.head)
        return Milter.CONTINUE  # type: ignore[no-any-return]

    @Milter.noreply  # type: ignore[untyped-decorator]
    def body(self, chunk: bytes) -> int:
        self._add(chunk, self.body_chunks)
        return Milter.CONTINUE  # type: ignore[no-any-return]

    def _add(self, data: bytes, into: list[bytes]) -> None:
        self.size += len(data)
        if self.size > shared.settings.mailflow.max_message_bytes:
            self.too_big = True
        else:
            into.append(data)

    def eom(self) -> int:
        started = time.perf_counter()
        try:
            return self._decide()
        except Exception as exc:  # never let a message through unjudged: the sender retries
            log.warning("tempfail: %s: %s", type(exc).__name__, exc)
            log.debug("tempfail", exc_info=True)
            metrics.TEMPFAILS.inc()
            self.setreply("451", "4.3.0", "Seawall could not process the message; try again later")
            return Milter.TEMPFAIL  # type: ignore[no-any-return]
        finally:
            metrics.LATENCY.observe(time.perf_counter() - started)
            self._reset()

    def _decide(self) -> int:
        if self.too_big:
            raise ValueError("message over [mailflow] max_message_bytes")
        data = b"".join(self.head) + b"\r\n" + b"".join(self.body_chunks)
        raw = RawMessage.from_bytes(data, Origin(f"milter:{self.peer}", "smtp"))
        with shared.lock:
            result = shared.scanner.scan_and_record(raw)
            settings = shared.settings  # the configuration that judged it, even mid-reload
        label = result.label or "suspicious"
        action = settings.mailflow.action(label)
        metrics.MESSAGES.labels(label=label).inc()
        metrics.ACTIONS.labels(action=action).inc()
        for name, count in self.seawall_headers.items():
            for index in range(count, 0, -1):
                self.chgheader(name, index, None)  # None deletes (smfi_chgheader)
        if action == "reject":
            reason = f"Message rejected as {label} by Seawall (score {round(result.score)})"
            self.setreply("550", "5.7.1", reason)
            return Milter.REJECT  # type: ignore[no-any-return]
        if action != "deliver":
            for position, (name, value) in enumerate(verdict_headers(result)):
                # at the top, in order, like the content filter's; with leading-space headers
                # negotiated, the space after the colon is ours to write
                self.addheader(name, " " + value, position)
        if action == "quarantine":
            self.quarantine(f"Seawall: {label} {round(result.score)}")
        return Milter.ACCEPT  # type: ignore[no-any-return]


def reload(settings: Settings) -> None:
    """Judge with a new configuration from the next message on; the message being judged
    finishes with the old one. The scanner is built before the swap: a configuration that
    cannot be used raises here and leaves the running one in place."""
    scanner = Scanner(settings, record=True, keep_raw=False)
    with shared.lock:
        old, shared.scanner, shared.settings = shared.scanner, scanner, settings
    old.close()


RELOAD_CHECK_SECONDS = 2.0


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _reload_on_change(path: Path, stop: threading.Event) -> None:
    """Read the configuration file again whenever it changes. libmilter keeps SIGHUP for
    itself, and no Python signal handler runs while its loop holds the main thread, so the
    milter watches its file instead of waiting for a signal."""
    seen = _signature(path)
    while not stop.wait(RELOAD_CHECK_SECONDS):
        current = _signature(path)
        if current == seen or current is None:
            continue
        seen = current
        try:
            reload(load_settings(path))
        except Exception as exc:  # a broken file must not stop the mail flow
            log.error("reload failed, still judging with the previous configuration: %s", exc)
            continue
        log.warning("seawall milter: configuration reloaded from %s", path)


def run(settings: Settings, socket: str, timeout: int = 600, config: Path | None = None) -> None:
    """Serve milter connections on ``socket`` (``inet:PORT@HOST`` or ``unix:/path``) until
    SIGTERM or SIGINT (libmilter's own signal thread stops the loop); a change to the
    ``config`` file is read within a few seconds."""
    shared.settings = settings
    shared.scanner = Scanner(settings, record=True, keep_raw=False)
    Milter.factory = SeawallMilter
    Milter.set_flags(Milter.ADDHDRS | Milter.CHGHDRS | Milter.QUARANTINE)
    _no_delay_after_open()
    stop = threading.Event()
    if config is not None:
        watcher = threading.Thread(target=_reload_on_change, args=(config, stop), daemon=True)
        watcher.start()
    try:
        Milter.runmilter("seawall", socket, timeout)
    finally:
        stop.set()
        shared.scanner.close()


def _no_delay_after_open() -> None:
    """Turn Nagle's algorithm off on libmilter's listening TCP socket, so that the accepted
    connections inherit TCP_NODELAY (Linux copies it from the listener).

    Why by hand: libmilter answers end-of-message with several small packets (each header it
    adds, then the verdict) and neither it nor pymilter sets TCP_NODELAY, so the second packet
    waited for Postfix's delayed ACK: 40 ms, sometimes twice, on every message (90 ms per
    message at any load, bench/mailflow.py --milter). pymilter gives no hook between opening
    the socket and serving, so ``milter.opensocket`` is wrapped; the listening socket is found
    among the process's descriptors as the one TCP socket in the listening state."""
    import milter

    opened = milter.opensocket

    def opensocket(remove: bool) -> Any:
        result = opened(remove)
        no_delay_on_listeners()
        return result

    milter.opensocket = opensocket


def no_delay_on_listeners() -> None:
    """TCP_NODELAY on every listening TCP socket of this process (the milter has one)."""
    for listener in _listening_tcp_sockets():
        listener.setsockopt(socket_module.IPPROTO_TCP, socket_module.TCP_NODELAY, 1)
        listener.detach()


def _listening_tcp_sockets() -> list[socket_module.socket]:
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            candidate = socket_module.socket(fileno=int(name))
        except OSError:
            continue  # not a socket
        try:
            listening = (
                candidate.type == socket_module.SOCK_STREAM
                and candidate.family in (socket_module.AF_INET, socket_module.AF_INET6)
                and candidate.getsockopt(socket_module.SOL_SOCKET, socket_module.SO_ACCEPTCONN)
            )
        except OSError:
            listening = False
        if listening:
            found.append(candidate)
        else:
            candidate.detach()
    return found


def libmilter_socket(listen: str) -> str:
    """``inet:127.0.0.1:11332`` (Postfix's spelling) as libmilter's ``inet:11332@127.0.0.1``."""
    kind, _, rest = listen.partition(":")
    if kind in ("inet", "inet6") and "@" not in rest:
        host, _, port = rest.rpartition(":")
        if not port.isdigit() or not host:
            raise ValueError(f"{listen!r} is not inet:HOST:PORT")
        return f"{kind}:{port}@{host.strip('[]')}"
    if kind in ("inet", "inet6", "unix", "local"):
        return listen
    raise ValueError(f"{listen!r} is not inet:HOST:PORT or unix:/path")
