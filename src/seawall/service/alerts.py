"""Webhook alerts from the outbox, signed as the Standard Webhooks scheme signs them.

Each alert carries ``webhook-id`` (stable across retries: a receiver that saw it already
ignores it), ``webhook-timestamp`` and ``webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">``. A 2xx answer marks it delivered; anything else is retried with backoff
(2 s doubling to an hour, ``[alerts] max_attempts`` times). Only the webhooks an operator
configured are ever contacted; nothing found in mail is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from seawall.config import Settings, Webhook
from seawall.store.outbox import Alert, Outbox

log = logging.getLogger(__name__)


def secret_bytes(webhook: Webhook) -> bytes:
    if not webhook.secret_file:
        return b""
    secret = Path(webhook.secret_file).read_text(encoding="utf-8").strip()
    return base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()


def signature(secret: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()


def send(alert: Alert, secret: bytes, timeout: float) -> None:
    """POST one alert; raises unless the receiver answers 2xx."""
    body = json.dumps(alert.payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": alert.key,
        "webhook-timestamp": str(timestamp),
        "user-agent": "Seawall",
    }
    if secret:
        headers["webhook-signature"] = signature(secret, alert.key, timestamp, body)
    request = urllib.request.Request(alert.url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(alert.url, response.status, "not 2xx", response.headers, None)


def deliver_due(outbox: Outbox, settings: Settings) -> int:
    """Send every alert that is due; returns how many were delivered."""
    secrets = {w.url: secret_bytes(w) for w in settings.alerts.webhooks}
    sent = 0
    for alert in outbox.due(max_attempts=settings.alerts.max_attempts):
        try:
            send(alert, secrets.get(alert.url, b""), settings.alerts.timeout_seconds)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            log.warning("alert %s to %s not delivered: %s", alert.key, alert.url, exc)
            outbox.failed(alert, f"{type(exc).__name__}: {exc}")
            continue
        outbox.delivered(alert.id)
        sent += 1
    return sent


class AlertSender(threading.Thread):
    """Sends due alerts every few seconds until stopped (runs beside the filter)."""

    def __init__(self, outbox: Outbox, settings: Settings, every: float = 2.0) -> None:
        super().__init__(name="seawall-alerts", daemon=True)
        self.outbox, self.settings, self.every = outbox, settings, every
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            try:
                deliver_due(self.outbox, self.settings)
            except Exception:  # the store may be down: the outbox keeps the alerts
                log.warning("alert sender: could not read the outbox", exc_info=True)

    def stop(self) -> None:
        self.stopping.set()
