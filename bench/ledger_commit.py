"""How long the mail flow's delivery-key commit takes: the window in which a killed filter makes
Postfix deliver a message twice (docs/deployment.md).

    python bench/ledger_commit.py [--database-url URL] [--commits 400]

Records ``--commits`` keys one after the other with ``DeliveryLedger.record`` into a fresh
store (a temporary SQLite file, or a fresh database on the PostgreSQL server of
``--database-url``) and prints the median and 99th percentile of one commit.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from seawall.store.database import Database
from seawall.store.quarantine import DeliveryLedger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--commits", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'store.db'}"
        admin = None
        if args.database_url:
            server = make_url(args.database_url)
            name = f"seawall_ledger_{os.getpid()}"
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = server.set(database=name).render_as_string(hide_password=False)
        database = Database(url)
        ledger = DeliveryLedger(database)
        seconds = []
        for number in range(args.commits):
            started = time.perf_counter()
            ledger.record(f"{number:064x}", "tag")
            seconds.append(time.perf_counter() - started)
        database.close()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
            admin.dispose()
    seconds.sort()
    p99 = seconds[min(len(seconds) - 1, int(0.99 * len(seconds)))]
    store = "PostgreSQL" if args.database_url else "SQLite"
    median = seconds[len(seconds) // 2]
    print(
        f"{args.commits} delivery-key commits on {store}: p50 {1000 * median:.2f} ms, p99 {1000 * p99:.2f} ms"
    )


if __name__ == "__main__":
    main()
