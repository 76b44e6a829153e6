"""Prometheus metrics of the mail flow (filter and milter): messages, verdicts, actions,
tempfails and scan latency, served on ``/metrics`` by prometheus_client when asked for."""

from __future__ import annotations

from prometheus_client import Counter, Histogram, start_http_server

MESSAGES = Counter("seawall_messages_total", "Messages judged in the mail flow, by verdict", ["label"])
ACTIONS = Counter("seawall_actions_total", "What the mail flow did with messages", ["action"])
TEMPFAILS = Counter("seawall_tempfails_total", "Messages answered 4xx so that the MTA retries")
LATENCY = Histogram(
    "seawall_scan_seconds",
    "Time from the end of DATA to the answer, re-injection included",
    buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)


def serve(host: str, port: int) -> None:
    """Serve /metrics on a loopback address in a background thread."""
    start_http_server(port, addr=host)
