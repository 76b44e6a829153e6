"""When the store cannot record: a full disk named as such, never a traceback.

A scan or an ingest that cannot write stops at once with :class:`StoreWriteError`: every batch
committed before stays (each batch is one transaction, rolled back whole when its commit
fails), and a rerun of the same command records only what is missing, since messages are
keyed by their digest. The mail flow answers 451 instead, so Postfix keeps the message.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

_SQLITE_FULL = 13
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# PostgreSQL's class 53, "insufficient resources": disk_full 53100, out_of_memory 53200, ...
_POSTGRES_RESOURCES = "53"


class StoreWriteError(RuntimeError):
    """The store refused a write; ``full`` when the reason is a full disk or quota."""

    def __init__(self, reason: str, *, full: bool, unrecorded: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.full = full
        self.unrecorded = unrecorded


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or the driver error it wraps) says the disk or a quota is full."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_ERRNOS:
            return True
        if isinstance(current, sqlite3.Error) and getattr(current, "sqlite_errorcode", None) == _SQLITE_FULL:
            return True
        sqlstate = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_POSTGRES_RESOURCES):
            return True
        if isinstance(current, SQLAlchemyError):
            current = getattr(current, "orig", None) or current.__cause__
        else:
            current = current.__cause__ or current.__context__
    return False


# SQLite reports a full disk as a mere "disk I/O error" when it cannot create its WAL index:
# then the free space of the store's folder decides.
_NEARLY_FULL_BYTES = 1 << 20


def store_write_error(exc: BaseException, unrecorded: int, directory: Path | None = None) -> StoreWriteError:
    full = is_disk_full(exc) or _nearly_full(directory)
    first_line = str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else type(exc).__name__
    return StoreWriteError(first_line, full=full, unrecorded=unrecorded)


def _nearly_full(directory: Path | None) -> bool:
    if directory is None:
        return False
    try:
        return shutil.disk_usage(directory).free < _NEARLY_FULL_BYTES
    except OSError:
        return False
