"""A private Postfix instance on loopback for the mail-flow tests, and smtp-sink as the final
destination: Debian's own postfix package, its own configuration directory, queue and
maillog_file under the test's temporary folder, nothing shared with a system Postfix.

Postfix (port ``smtp``) hands every message to the content filter (``filter``), takes it back
on a second smtpd (``reinject``) and relays it to smtp-sink (``sink``), which writes each
message to a file of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

MASTER_SERVICES = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def available() -> bool:
    return bool(shutil.which("postfix") and shutil.which("smtp-sink"))


def free_ports(count: int) -> list[int]:
    """``count`` different free loopback ports. The probes stay bound until all are chosen:
    asked one at a time, the kernel may hand the same port out twice (seen in CI: the front
    smtpd and smtp-sink got one port, and mail went straight to the sink)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def free_port() -> int:
    return free_ports(1)[0]


def wait_for_port(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class PrivatePostfix:
    root: Path
    smtp: int
    filter: int
    reinject: int
    sink: int
    sink_process: subprocess.Popen[bytes] | None = None
    milter: int | None = None
    more: list[tuple[int, int]] = field(default_factory=list)
    """Further (smtpd port, content filter port) pairs: one front door per filter instance."""

    @classmethod
    def create(cls, root: Path, milter: bool = False, filters: int = 1) -> PrivatePostfix:
        """With ``milter``, port ``smtp`` asks a milter on ``self.milter`` (tempfail when it is
        down) instead of handing messages to the content filter. With ``filters`` > 1, each
        further filter instance gets an smtpd of its own (``more``), all re-injecting to one."""
        ports = free_ports(5 + 2 * (filters - 1))
        instance = cls(root, *ports[:4])
        if milter:
            instance.milter = ports[4]
        further = ports[5:]
        instance.more = list(zip(further[::2], further[1::2], strict=True))
        instance._configure()
        return instance

    @property
    def doors(self) -> list[tuple[int, int]]:
        """Every (smtpd port, content filter port) pair."""
        return [(self.smtp, self.filter), *self.more]

    @property
    def config(self) -> Path:
        return self.root / "etc"

    @property
    def sink_dir(self) -> Path:
        return self.root / "sink"

    @property
    def maillog(self) -> Path:
        return self.root / "maillog"

    def _configure(self) -> None:
        for name in ("etc", "queue", "data", "sink"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        shutil.chown(self.root / "data", "postfix")
        self.sink_dir.chmod(0o777)
        (self.config / "main.cf").write_text(
            f"""compatibility_level = 3.6
queue_directory = {self.root / "queue"}
data_directory = {self.root / "data"}
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = seawall-test.localdomain
mydestination =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:{self.sink}
smtp_dns_support_level = disabled
maillog_file = {self.maillog}
maillog_file_prefixes = {self.root}
alias_maps =
alias_database =
# retry quickly after a tempfail: the tests kill the filter on purpose
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
# and contact the filter again soon after it failed (default 60 s: a transport that refused
# connections while the filter was down is otherwise left alone for a minute after it is back)
transport_retry_time = 2s
"""
        )
        (self.config / "master.cf").write_text(
            MASTER_SERVICES
            + (
                f"127.0.0.1:{self.smtp} inet n - n - - smtpd -o content_filter=seawall:[127.0.0.1]:{self.filter}\n"
                if self.milter is None
                else f"127.0.0.1:{self.smtp} inet n - n - - smtpd"
                f" -o smtpd_milters=inet:127.0.0.1:{self.milter} -o milter_default_action=tempfail\n"
            )
            + "".join(
                f"127.0.0.1:{smtp} inet n - n - - smtpd -o content_filter=seawall:[127.0.0.1]:{port}\n"
                for smtp, port in self.more
            )
            + "seawall unix - - n - 20 smtp -o smtp_send_xforward_command=yes"
            + " -o disable_mime_output_conversion=yes -o smtp_data_done_timeout=60\n"
            + f"127.0.0.1:{self.reinject} inet n - n - 20 smtpd -o content_filter="
            + " -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters"
            + " -o smtpd_authorized_xforward_hosts=127.0.0.0/8\n"
        )

    def start(self) -> None:
        self.sink_process = subprocess.Popen(
            ["smtp-sink", "-u", "postfix", "-d", f"{self.sink_dir}/%M.", f"127.0.0.1:{self.sink}", "200"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(["postfix", "-c", str(self.config), "start"], check=True, capture_output=True)
        wait_for_port(self.smtp)
        wait_for_port(self.sink)

    def stop(self) -> None:
        subprocess.run(["postfix", "-c", str(self.config), "abort"], check=False, capture_output=True)
        if self.sink_process is not None:
            self.sink_process.terminate()
            self.sink_process.wait(timeout=10)

    def held(self) -> list[str]:
        """Queue ids on Postfix's hold queue (where a milter's quarantine puts a message)."""
        listing = subprocess.run(
            ["postqueue", "-c", str(self.config), "-j"], capture_output=True, text=True, check=False
        ).stdout
        return [
            entry["queue_id"]
            for entry in (json.loads(line) for line in listing.splitlines() if line.strip())
            if entry.get("queue_name") == "hold"
        ]

    def delivered(self) -> list[bytes]:
        """Every message smtp-sink received, as it received it."""
        return [path.read_bytes() for path in sorted(self.sink_dir.iterdir()) if path.is_file()]

    def wait_delivered(self, count: int, seconds: float = 30.0) -> list[bytes]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.delivered()
            if len(found) >= count:
                return found
            time.sleep(0.1)
        return self.delivered()


def message_as_sent(sunk: bytes) -> bytes:
    """A sink file without smtp-sink's X-Client-*/X-*-Args lines and the Received headers the
    relays added: what the sender wrote, plus what Seawall added."""
    lines = sunk.replace(b"\r\n", b"\n").split(b"\n")
    index = 0
    while index < len(lines) and lines[index].startswith(
        (b"X-Client-", b"X-Helo-Args", b"X-Mail-Args", b"X-Rcpt-Args")
    ):
        index += 1
    while index < len(lines) and lines[index].startswith(b"Received:"):
        index += 1
        while index < len(lines) and lines[index][:1] in (b" ", b"\t"):
            index += 1
    return b"\n".join(lines[index:])


def start_service(
    arguments: list[str], port: int, home: Path, database_url: str = ""
) -> subprocess.Popen[bytes]:
    """``python -m seawall ARGUMENTS`` with its own data directory (and store, when given),
    once something listens on ``port``. Its log goes to a file beside ``home``: a pipe nobody
    reads would fill up and stall the service."""
    env = {**os.environ, "SEAWALL_HOME": str(home)}
    env.pop("SEAWALL_DATABASE_URL", None)
    if database_url:
        env["SEAWALL_DATABASE_URL"] = database_url
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f"seawall-{arguments[0]}-{port}.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "seawall", *arguments], env=env, stdout=subprocess.DEVNULL, stderr=log
        )
    wait_for_port(port, 60)
    return process


def stop_service(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def wait_for_line(log: Path, text: str, seconds: float = 30.0) -> None:
    """Until a service's log (``start_service`` writes it beside its home) holds ``text``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {log}")
