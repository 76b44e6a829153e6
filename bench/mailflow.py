"""Never lose mail: real corpus messages through Postfix and `seawall filter` while the filter is
killed, counted at the destination.

    python bench/mailflow.py [--messages 5000] [--senders 4] [--kills 2] [--quarantine]
                             [--instances 2 --database-url postgresql://…/test]
                             [--stop-postgres 30]
                             [--rate 30] [--corpus ../shared/corpora/modern]

A private Debian Postfix on loopback (tests/support/postfix.py) hands every message to
`seawall filter` and relays what comes back to smtp-sink. Several senders submit corpus
messages, each marked with a unique X-Bench-ID header; the filter is killed with SIGKILL
``--kills`` times during the run and restarted two seconds later. At the end every mark must be
at the sink exactly once, or held in the quarantine (``--quarantine`` holds phishing). Prints
lost, duplicated, held, throughput (submitted messages over the time to the last arrival) and
the end-to-end delay from submission to the sink (p50, p99), which includes Postfix's retries,
and where Postfix's own log says the deliveries to the filters and to the sink waited (in its
queue manager, in the transmission: a filter answers at the end of it).
With ``--instances N`` N filter processes run side by side on one store (``--database-url``:
a fresh database is created on that server for the run and dropped after), each behind a
front-door smtpd of its own, the senders spread over the doors; kills go round the instances.
``--stop-postgres S`` stops the machine's PostgreSQL cluster (pg_ctlcluster) for S seconds
when half the messages are submitted: the filters answer 451 meanwhile and Postfix retries.
``--baseline`` starts no filter and submits to Postfix's re-injection smtpd: the same Postfix
path without Seawall, so the difference of the delays is what the filter adds.
``--milter`` runs `seawall milter` instead (Postfix asks it during SMTP; a quarantined message
goes to Postfix's hold queue; one instance, SQLite).
``--passthrough`` runs a filter that judges nothing (``bench/passthrough_filter.py``): the
ceiling of the after-queue path on this machine, whatever the filter does.
``--rate R`` offers a steady load of R messages a second in all (the latency target is stated
at a rate, not at saturation).
Needs root (Postfix) and Debian's postfix package.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, make_url, text  # noqa: E402
from tests.service.test_filter import start_filter  # noqa: E402
from tests.support.postfix import PrivatePostfix, wait_for_port  # noqa: E402


def corpus_messages(corpus: Path, count: int) -> list[bytes]:
    """``count`` messages spread evenly over the corpus (lists, commercial mail and phish alike)."""
    paths = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "MANIFEST.md")
    paths = [p for p in paths if p.stat().st_size < 2_000_000]
    step = max(1, len(paths) // count)
    found = [p.read_bytes() for p in paths[::step]]
    return [found[i % len(found)] for i in range(count)]


def postgres_cluster(action: str) -> None:
    """Stop or start the machine's newest PostgreSQL cluster (Debian's pg_ctlcluster)."""
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            "main",
            action,
            *(["-m", "fast"] if action == "stop" else []),
        ],
        check=True,
    )
    print(f"PostgreSQL {version} {action} at {time.strftime('%H:%M:%S')}", flush=True)


def fresh_database(server_url: str) -> str:
    """A new, empty database on the server of ``server_url``, for this run only."""
    url = make_url(server_url)
    name = f"seawall_mailflow_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, store_url: str) -> None:
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(store_url).database}" WITH (FORCE)'))
    admin.dispose()


_DELIVERY = re.compile(
    r"relay=\S+?:(\d+),(?: conn_use=\d+,)? delay=[\d.]+, delays=([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+)"
)


def print_postfix_delays(maillog: str, sink_port: int) -> None:
    """Where Postfix says its deliveries waited (``delays=a/b/c/d``: before the queue manager,
    in it, connecting, transmitting), to the filters and to the sink apart. A filter answers
    at the end of the transmission to it, so a wait for the filter shows in that ``d``."""
    legs: dict[str, list[tuple[float, ...]]] = {"to the filters": [], "to the sink": []}
    for match in _DELIVERY.finditer(maillog):
        leg = "to the sink" if int(match.group(1)) == sink_port else "to the filters"
        legs[leg].append(tuple(float(match.group(i)) for i in range(2, 6)))
    for leg, rows in legs.items():
        if not rows:
            continue
        parts = []
        for name, column in (("in the queue manager", 1), ("transmission", 3)):
            values = sorted(row[column] for row in rows)
            p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
            parts.append(f"{name} p50 {statistics.median(values):.3f} s, p99 {p99:.3f} s")
        print(f"Postfix's delays {leg} ({len(rows)} deliveries): {'; '.join(parts)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--quarantine", action="store_true")
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "modern"))
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server to hold the store")
    parser.add_argument("--stop-postgres", type=float, default=0.0, help="seconds without PostgreSQL")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="no filter: submit to Postfix's re-injection smtpd, to measure what the filter adds",
    )
    parser.add_argument("--milter", action="store_true", help="seawall milter instead of the filter")
    parser.add_argument(
        "--passthrough",
        action="store_true",
        help="a filter that judges nothing (bench/passthrough_filter.py): the after-queue path's ceiling",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="submit at this many messages/s in all (0: as fast as possible)",
    )
    args = parser.parse_args()
    messages = corpus_messages(Path(args.corpus), args.messages)
    root = Path(tempfile.mkdtemp(prefix="seawall-mailflow-"))
    root.chmod(0o755)
    postfix = PrivatePostfix.create(root / "postfix", milter=args.milter, filters=args.instances)
    home = root / "home"
    config = root / "seawall.toml"
    config.write_text('[mailflow]\nphishing = "quarantine"\n' if args.quarantine else "")
    store_url = fresh_database(args.database_url) if args.database_url else ""
    postfix.start()
    doors = [(postfix.reinject, 0)] if args.baseline else postfix.doors

    def start(port: int) -> subprocess.Popen[bytes]:
        if args.milter:
            from tests.service.test_milter import start_milter  # needs pymilter ([milter] extra)

            assert postfix.milter is not None
            return start_milter(postfix.milter, home, config)
        if args.passthrough:
            script = ROOT / "bench" / "passthrough_filter.py"
            process = subprocess.Popen([sys.executable, str(script), str(port), str(postfix.reinject)])
            wait_for_port(port, 30)
            return process
        return start_filter(port, postfix.reinject, home, config, store_url)

    processes = [] if args.baseline else [start(p) for _, p in doors]
    sent_at: dict[str, float] = {}
    lock = threading.Lock()
    next_index = iter(range(args.messages))

    retried = [0]

    def sender(door: int) -> None:
        client = smtplib.SMTP("127.0.0.1", door, timeout=60)
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                client.quit()
                return
            if args.rate:
                # A steady offered load: message i is due i / rate seconds after the start.
                time.sleep(max(0.0, started + index / args.rate - time.time()))
            mark = f"bench-{index}"
            data = f"X-Bench-ID: {mark}\r\n".encode() + messages[index]
            with lock:
                sent_at.setdefault(mark, time.time())
            while True:
                try:
                    client.sendmail("bench@example.net", ["user@example.org"], data)
                    break
                except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as refused:
                    code = getattr(refused, "smtp_code", 451)
                    if not 400 <= code < 500 and not isinstance(refused, smtplib.SMTPRecipientsRefused):
                        raise
                except (smtplib.SMTPServerDisconnected, OSError):
                    pass
                # a temporary failure at SMTP time (the milter down: milter_default_action =
                # tempfail): the sending MTA keeps the message and retries, as here
                with lock:
                    retried[0] += 1
                client.close()
                time.sleep(1)
                client = smtplib.SMTP("127.0.0.1", door, timeout=60)

    started = time.time()
    threads = [
        threading.Thread(target=sender, args=(doors[number % len(doors)][0],))
        for number in range(args.senders)
    ]
    for thread in threads:
        thread.start()
    for kill in range(args.kills):
        target = args.messages * (kill + 1) // (args.kills + 1)
        while len(sent_at) < target and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        victim = kill % len(processes)
        processes[victim].send_signal(signal.SIGKILL)
        processes[victim].wait()
        time.sleep(2)
        processes[victim] = start(doors[victim][1])
    if args.stop_postgres:
        while len(sent_at) < args.messages // 2 and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        postgres_cluster("stop")
        time.sleep(args.stop_postgres)
        postgres_cluster("start")
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
        if args.quarantine and args.milter:
            held = len(postfix.held())
        elif args.quarantine and (store_url or (home / "seawall.db").exists()):
            engine = create_engine(store_url or f"sqlite:///{home / 'seawall.db'}")
            with engine.connect() as connection:
                held = int(connection.execute(text("SELECT count(*) FROM quarantine")).scalar() or 0)
            engine.dispose()
        if len(arrivals) + held >= args.messages:
            break
        time.sleep(1)
    finished = max((t for times in arrivals.values() for t in times), default=time.time())
    for process in processes:
        process.send_signal(signal.SIGTERM)
        process.wait()
    postfix.stop()
    if store_url:
        drop_database(args.database_url, store_url)
    delays = sorted(arrivals[m][0] - sent_at[m] for m in arrivals if m in sent_at)
    duplicated = sum(len(times) - 1 for times in arrivals.values())
    lost = args.messages - len(arrivals) - held
    store = "PostgreSQL" if store_url else "SQLite"
    print(
        f"messages submitted: {args.messages} by {args.senders} senders to {len(doors)} filter"
        f" instance(s) on one {store} store; filters killed {args.kills} times"
    )
    print(f"delivered once: {len(arrivals) - sum(1 for t in arrivals.values() if len(t) > 1)}, held: {held}")
    print(f"lost: {lost}, duplicated: {duplicated}, submissions retried after a 4xx: {retried[0]}")
    print(f"throughput: {args.messages / max(finished - started, 1e-9):.1f} messages/s (to the last arrival)")
    if args.rate:
        print(f"offered load: {args.rate:g} messages/s")
    if delays:
        p99 = delays[min(len(delays) - 1, int(0.99 * len(delays)))]
        print(f"submission to sink: p50 {statistics.median(delays):.3f} s, p99 {p99:.3f} s")
    if postfix.maillog.exists():
        print_postfix_delays(postfix.maillog.read_text(errors="replace"), postfix.sink)
    shutil.rmtree(root, ignore_errors=True)
    os._exit(0)


if __name__ == "__main__":
    main()
