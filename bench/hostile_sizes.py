"""Seconds to scan one hostile message as it grows: every family must grow linearly.

    python bench/hostile_sizes.py [--sizes 10000,100000,1000000,10000000] [--budget 60]

Each family builds one message of the given size whose shape once made a parser or a
regular expression quadratic (issue 19): a URL followed by ")))…", unclosed "<a " tags, nested
"<div/>", one long word in a display name, a non-ASCII display name and subject, many "dmarc="
segments in Authentication-Results. Each message is scanned in a fresh process by the
product's own parse + detection (the shipped model included) with a wall-clock budget; a run
over budget prints "> budget".
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

FAMILIES = {
    "url-then-parens": lambda n: _plain("Click https://example.com/a" + ")" * n),
    "unclosed-anchors": lambda n: _html("<a " * (n // 3)),
    "nested-self-closing-divs": lambda n: _html("<div/>" * (n // 6)),
    "long-display-name-word": lambda n: _headers(from_=f'"{"a" * n}" <x@example.com>'),
    "non-ascii-display-name-and-subject": lambda n: _headers(
        from_=f'"{"é" * (n // 2)}" <x@example.com>', subject="ж" * (n // 2)
    ),
    "many-dmarc-segments": lambda n: _headers(
        extra="Authentication-Results: mx.example.com; " + "dmarc=pass; " * (n // 12)
    ),
}


def _headers(from_: str = "Sender <x@example.com>", subject: str = "hello", extra: str = "") -> bytes:
    lines = [f"From: {from_}", "To: r@example.org", f"Subject: {subject}"]
    lines.append("Date: Mon, 1 Jul 2024 12:00:00 +0000")
    if extra:
        lines.append(extra)
    return ("\r\n".join(lines) + "\r\nContent-Type: text/plain\r\n\r\nbody\r\n").encode("utf-8")


def _plain(body: str) -> bytes:
    return _headers().replace(b"\r\n\r\nbody\r\n", b"\r\n\r\n" + body.encode("utf-8") + b"\r\n")


def _html(body: str) -> bytes:
    head = _headers().replace(b"Content-Type: text/plain", b"Content-Type: text/html")
    return head.replace(b"\r\n\r\nbody\r\n", b"\r\n\r\n<html><body>" + body.encode() + b"</body></html>\r\n")


_CHILD = """
import sys, time
from seawall.config import Settings
from seawall.detect.detector import Detector
from seawall.intake.source import Origin, RawMessage
from seawall.mail.parse import parse_message
data = sys.stdin.buffer.read()
detector = Detector(Settings())
started = time.perf_counter()
message = parse_message(RawMessage.from_bytes(data, Origin("x")))
detector.analyse(message)
print(time.perf_counter() - started)
"""


def measure(data: bytes, budget: float) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD], input=data, capture_output=True, timeout=budget, check=False
        )
    except subprocess.TimeoutExpired:
        return f"> {budget:g}"
    if done.returncode != 0:
        return "error: " + done.stderr.decode(errors="replace").strip().splitlines()[-1][:80]
    return f"{float(done.stdout):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000,10000000")
    parser.add_argument("--budget", type=float, default=60.0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("| family | " + " | ".join(f"{s:,} B" for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    started = time.perf_counter()
    for name, build in FAMILIES.items():
        cells = [measure(build(size), args.budget) for size in sizes]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    print(f"\n(seconds per message, parse + detection; {time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
