"""Content-addressed raw message store: every scanned message kept once, by its sha256.

The raw bytes live in one SQLite file (``<raw_dir>/raw.db``, WAL mode), keyed by sha256,
written in batches with the scan results. One file per message was the first design; on real
file systems creating a file, its directories and renaming it cost a millisecond per message,
more than parsing it. Keys come from the hash alone, never from mail content, and nothing is
written outside ``raw_dir``.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seawall.config import Settings

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.path = self.root / "raw.db"
        self._connection: sqlite3.Connection | None = None
        self._pending: dict[str, bytes] = {}

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            self.root.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("CREATE TABLE IF NOT EXISTS raw (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)")
            self._connection = connection
        return self._connection

    @staticmethod
    def _check(sha256: str) -> str:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a sha256 digest: {sha256!r}")
        return sha256

    def put(self, sha256: str, data: bytes) -> None:
        """Queue the bytes (kept once per digest); written at the next ``flush``."""
        self._pending[self._check(sha256)] = data

    def flush(self) -> None:
        if not self._pending:
            return
        connection = self._db()
        with connection:
            connection.executemany(
                "INSERT OR IGNORE INTO raw (sha256, data) VALUES (?, ?)", list(self._pending.items())
            )
        self._pending.clear()

    def discard_pending(self) -> None:
        """Forget the queued bytes of a batch the store refused (a rerun queues them again)."""
        self._pending.clear()

    def get(self, sha256: str) -> bytes | None:
        self._check(sha256)
        if sha256 in self._pending:
            return self._pending[sha256]
        if not self.path.exists():
            return None
        row = self._db().execute("SELECT data FROM raw WHERE sha256 = ?", (sha256,)).fetchone()
        return bytes(row[0]) if row else None

    def __contains__(self, sha256: str) -> bool:
        return self.get(sha256) is not None

    def close(self) -> None:
        self.flush()
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def raw_store(settings: Settings) -> BlobStore:
    """The configured raw store: ``[store] raw_dir``, else ``raw`` in the data directory."""
    from seawall.config import data_dir

    return BlobStore(Path(settings.store.raw_dir) if settings.store.raw_dir else data_dir() / "raw")
