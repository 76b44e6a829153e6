"""Never lose mail: real corpus messages through Postfix and `seawall filter` while the filter is
killed, counted at the destination.

    python bench/mailflow.py [--messages 5000] [--senders 4] [--kills 2] [--quarantine]
                             [--corpus ../shared/corpora/modern]

A private Debian Postfix on loopback (tests/support/postfix.py) hands every message to
`seawall filter` and relays what comes back to smtp-sink. Several senders submit corpus
messages, each marked with a unique X-Bench-ID header; the filter is killed with SIGKILL
``--kills`` times during the run and restarted two seconds later. At the end every mark must be
at the sink exactly once, or held in the quarantine (``--quarantine`` holds phishing). Prints
lost, duplicated, held, throughput (submitted messages over the time to the last arrival) and
the end-to-end delay from submission to the sink (p50, p99), which includes Postfix's retries.
Needs root (Postfix) and Debian's postfix package.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from tests.service.test_filter import start_filter  # noqa: E402
from tests.support.postfix import PrivatePostfix  # noqa: E402


def corpus_messages(corpus: Path, count: int) -> list[bytes]:
    """``count`` messages spread evenly over the corpus (lists, commercial mail and phish alike)."""
    paths = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "MANIFEST.md")
    paths = [p for p in paths if p.stat().st_size < 2_000_000]
    step = max(1, len(paths) // count)
    found = [p.read_bytes() for p in paths[::step]]
    return [found[i % len(found)] for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--quarantine", action="store_true")
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "modern"))
    args = parser.parse_args()
    messages = corpus_messages(Path(args.corpus), args.messages)
    root = Path(tempfile.mkdtemp(prefix="seawall-mailflow-"))
    root.chmod(0o755)
    postfix = PrivatePostfix.create(root / "postfix")
    home = root / "home"
    config = root / "seawall.toml"
    config.write_text('[mailflow]\nphishing = "quarantine"\n' if args.quarantine else "")
    postfix.start()
    process = start_filter(postfix.filter, postfix.reinject, home, config)
    sent_at: dict[str, float] = {}
    lock = threading.Lock()
    next_index = iter(range(args.messages))

    def sender() -> None:
        with smtplib.SMTP("127.0.0.1", postfix.smtp, timeout=60) as client:
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                mark = f"bench-{index}"
                data = f"X-Bench-ID: {mark}\r\n".encode() + messages[index]
                with lock:
                    sent_at[mark] = time.time()
                client.sendmail("bench@example.net", ["user@example.org"], data)

    started = time.time()
    threads = [threading.Thread(target=sender) for _ in range(args.senders)]
    for thread in threads:
        thread.start()
    for kill in range(args.kills):
        target = args.messages * (kill + 1) // (args.kills + 1)
        while len(sent_at) < target and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        time.sleep(2)
        process = start_filter(postfix.filter, postfix.reinject, home, config)
    for thread in threads:
        thread.join()
    held = 0
    arrivals: dict[str, list[float]] = {}
    deadline = time.time() + 600
    while time.time() < deadline:
        arrivals = {}
        for path in postfix.sink_dir.iterdir():
            head = path.read_bytes()[:4096]
            for line in head.splitlines():
                if line.startswith(b"X-Bench-ID: "):
                    arrivals.setdefault(line[12:].decode().strip(), []).append(path.stat().st_mtime)
                    break
        if args.quarantine and (home / "seawall.db").exists():
            engine = create_engine(f"sqlite:///{home / 'seawall.db'}")
            with engine.connect() as connection:
                held = int(connection.execute(text("SELECT count(*) FROM quarantine")).scalar() or 0)
            engine.dispose()
        if len(arrivals) + held >= args.messages:
            break
        time.sleep(1)
    finished = max((t for times in arrivals.values() for t in times), default=time.time())
    process.send_signal(signal.SIGTERM)
    process.wait()
    postfix.stop()
    delays = sorted(arrivals[m][0] - sent_at[m] for m in arrivals if m in sent_at)
    duplicated = sum(len(times) - 1 for times in arrivals.values())
    lost = args.messages - len(arrivals) - held
    print(f"messages submitted: {args.messages} by {args.senders} senders; filter killed {args.kills} times")
    print(f"delivered once: {len(arrivals) - sum(1 for t in arrivals.values() if len(t) > 1)}, held: {held}")
    print(f"lost: {lost}, duplicated: {duplicated}")
    print(f"throughput: {args.messages / max(finished - started, 1e-9):.1f} messages/s (to the last arrival)")
    if delays:
        p99 = delays[min(len(delays) - 1, int(0.99 * len(delays)))]
        print(f"submission to sink: p50 {statistics.median(delays):.3f} s, p99 {p99:.3f} s")
    shutil.rmtree(root, ignore_errors=True)
    os._exit(0)


if __name__ == "__main__":
    main()
