"""`seawall milter` with Debian's Postfix as a private instance on loopback asking it for every
message (smtpd_milters, milter_default_action = tempfail) and smtp-sink as the final
destination (tests/support/postfix.py); no mock of either."""

from __future__ import annotations

import os
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from seawall.service.milter import SeawallMilter, libmilter_socket, no_delay_on_listeners
from tests.conftest import REPO
from tests.support.postfix import (
    PrivatePostfix,
    available,
    message_as_sent,
    start_service,
    stop_service,
    wait_for_line,
)

EXAMPLES = REPO / "examples"
PHISH = (EXAMPLES / "agency-owa-password-expiry.eml").read_bytes()
CLEAN = (EXAMPLES / "legit-internal-meeting.eml").read_bytes()
RCPT = "r.hughes@example-agency.gov"

try:
    import Milter  # noqa: F401

    HAVE_PYMILTER = True
except ImportError:
    HAVE_PYMILTER = False

needs_milter = pytest.mark.skipif(
    not available() or os.geteuid() != 0 or not HAVE_PYMILTER,
    reason="needs Debian's postfix, run as root, and pymilter (pip install '.[milter]' with "
    "Debian's libmilter-dev; .ci/run installs them)",
)


def test_postfix_socket_names_become_libmilter_ones() -> None:
    assert libmilter_socket("inet:127.0.0.1:11332") == "inet:11332@127.0.0.1"
    assert libmilter_socket("inet:11332@127.0.0.1") == "inet:11332@127.0.0.1"
    assert libmilter_socket("unix:/run/seawall/milter.sock") == "unix:/run/seawall/milter.sock"
    with pytest.raises(ValueError):
        libmilter_socket("127.0.0.1:11332")


@pytest.fixture
def postfix() -> Iterator[PrivatePostfix]:
    root = Path(tempfile.mkdtemp(prefix="seawall-postfix-"))
    root.chmod(0o755)
    instance = PrivatePostfix.create(root, milter=True)
    instance.start()
    yield instance
    instance.stop()
    shutil.rmtree(root, ignore_errors=True)


def start_milter(port: int, home: Path, config: Path) -> subprocess.Popen[bytes]:
    return start_service(["milter", "--listen", f"inet:127.0.0.1:{port}", "-c", str(config)], port, home)


stop = stop_service


def policy(tmp_path: Path, phishing: str) -> Path:
    config = tmp_path / "seawall.toml"
    text = (EXAMPLES / "seawall.toml").read_text()
    config.write_text(text + f'\n[mailflow]\nphishing = "{phishing}"\n')
    return config


def send(port: int, data: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.sendmail("sender@example.net", [RCPT], data)


def test_milter_connections_do_not_wait_on_delayed_acks() -> None:
    # Postfix and libmilter exchange small packets; with Nagle's algorithm on either side a
    # packet waited 40 ms for a delayed ACK on every message (bench/mailflow.py --milter)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        no_delay_on_listeners()
        with socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    # DATA is answered (neither skipped nor left without a reply), so the reply carries the
    # ACK Postfix's next packet would otherwise wait for
    assert not getattr(SeawallMilter.data, "milter_protocol", 0)


@needs_milter
def test_tags_clean_mail_rejects_phish_and_deletes_forged_verdicts(
    postfix: PrivatePostfix, tmp_path: Path
) -> None:
    assert postfix.milter is not None
    milter = start_milter(postfix.milter, tmp_path / "home", policy(tmp_path, "reject"))
    try:
        forged = b"X-Seawall-Verdict: clean\r\nX-Seawall-Score: 0\r\n" + CLEAN
        send(postfix.smtp, forged)
        with pytest.raises(smtplib.SMTPDataError) as rejected:
            send(postfix.smtp, PHISH)
        assert rejected.value.smtp_code == 550 and b"phishing by Seawall" in rejected.value.smtp_error
        delivered = postfix.wait_delivered(1)
        assert len(delivered) == 1
        sent = message_as_sent(delivered[0])
        assert sent.startswith(b"X-Seawall-Verdict: clean\nX-Seawall-Score: ")
        assert sent.count(b"X-Seawall-Verdict:") == 1 and sent.count(b"X-Seawall-Score:") == 1
        original = CLEAN.replace(b"\r\n", b"\n")
        assert original.split(b"\n\n", 1)[1] in sent  # the body is untouched
    finally:
        stop(milter)


@needs_milter
def test_quarantine_holds_on_postfix_and_a_dead_milter_tempfails(
    postfix: PrivatePostfix, tmp_path: Path
) -> None:
    assert postfix.milter is not None
    milter = start_milter(postfix.milter, tmp_path / "home", policy(tmp_path, "quarantine"))
    try:
        send(postfix.smtp, PHISH)  # accepted, then held: never delivered
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not postfix.held():
            time.sleep(0.2)
        assert len(postfix.held()) == 1
    finally:
        stop(milter)
    # the milter is down: Postfix answers 4xx (milter_default_action = tempfail), the sender
    # keeps the message and retries; nothing is accepted unjudged
    with pytest.raises(smtplib.SMTPResponseException) as deferred:
        send(postfix.smtp, CLEAN)
    assert 400 <= deferred.value.smtp_code < 500
    time.sleep(1)
    assert postfix.delivered() == []


@needs_milter
def test_a_changed_configuration_file_is_read_again_and_a_broken_one_keeps_the_old(
    postfix: PrivatePostfix, tmp_path: Path
) -> None:
    assert postfix.milter is not None
    config = policy(tmp_path, "tag")
    milter = start_milter(postfix.milter, tmp_path / "home", config)
    log = tmp_path / f"seawall-milter-{postfix.milter}.log"
    try:
        send(postfix.smtp, PHISH)  # tagged and delivered
        assert len(postfix.wait_delivered(1)) == 1
        policy(tmp_path, "reject")
        wait_for_line(log, "configuration reloaded")
        with pytest.raises(smtplib.SMTPDataError) as rejected:
            send(postfix.smtp, PHISH)
        assert rejected.value.smtp_code == 550
        config.write_text('[mailflow]\nphishing = "bounce"\n')  # not an action
        wait_for_line(log, "reload failed")
        with pytest.raises(smtplib.SMTPDataError):
            send(postfix.smtp, PHISH)  # still rejected: the last good configuration
        assert milter.poll() is None
    finally:
        stop(milter)
