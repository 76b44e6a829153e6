"""Webhook alerts: queued in the store's outbox once per campaign, wave and match, sent signed
as Standard Webhooks signs them, retried until the receiver takes them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from seawall.cli import app
from tests.conftest import REPO
from tests.support.postfix import free_port

SECRET = base64.b64encode(b"test-secret-0123456789").decode()


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        Receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def receiver_port() -> Iterator[int]:
    Receiver.received = []
    yield free_port()


def serve(port: int) -> HTTPServer:
    server = HTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def config_for(tmp_path: Path, port: int) -> Path:
    secret = tmp_path / "webhook.secret"
    secret.write_text(f"whsec_{SECRET}\n")
    config = tmp_path / "seawall.toml"
    config.write_text(
        (REPO / "examples" / "seawall.toml").read_text()
        + f'\n[alerts]\nwebhooks = [{{ url = "http://127.0.0.1:{port}/hook", secret_file = "{secret}" }}]\n'
    )
    return config


def test_a_new_campaign_is_alerted_once_signed_and_retried_until_taken(
    tmp_path: Path, receiver_port: int
) -> None:
    config = config_for(tmp_path, receiver_port)
    runner = CliRunner(env={"SEAWALL_HOME": str(tmp_path / "home")})
    scanned = runner.invoke(app, ["scan", "-c", str(config), str(REPO / "examples" / "agency-wave.mbox")])
    assert scanned.exit_code == 0, scanned.output
    # the receiver is down: nothing lost, the alert waits in the outbox
    first = runner.invoke(app, ["alerts", "-c", str(config)])
    assert "0 alerts delivered, 1 waiting" in first.output
    server = serve(receiver_port)
    try:
        time.sleep(2.2)  # the first retry is due two seconds later
        second = runner.invoke(app, ["alerts", "-c", str(config)])
        assert "1 alerts delivered, 0 waiting" in second.output
        # scanning the same wave again queues nothing new, and nothing is sent twice
        runner.invoke(app, ["scan", "-c", str(config), str(REPO / "examples" / "agency-wave.mbox")])
        runner.invoke(app, ["alerts", "-c", str(config)])
    finally:
        server.shutdown()
    ((headers, body),) = Receiver.received
    payload = json.loads(body)
    assert payload["type"] == "campaign" and payload["campaign"].startswith("C-")
    assert payload["message"]["label"] == "phishing"
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(base64.b64decode(SECRET), signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
