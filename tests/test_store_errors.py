"""Telling a full disk from other store failures, on the drivers' own exception types."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from seawall.store.errors import is_disk_full, store_write_error


def test_sqlite_reports_a_full_database_as_full(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'small.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (data BLOB)")
    with pytest.raises(OperationalError) as caught, engine.begin() as connection:
        # SQLite's own quota: the same SQLITE_FULL a full disk gives.
        connection.exec_driver_sql("PRAGMA max_page_count = 8")
        connection.execute(text("INSERT INTO t VALUES (randomblob(100000))"))
    assert is_disk_full(caught.value)
    failure = store_write_error(caught.value, 200)
    assert failure.full and failure.unrecorded == 200
    assert "full" in failure.reason


def test_postgres_disk_full_and_enospc_are_full_but_a_lost_connection_is_not() -> None:
    wrapped = OperationalError("INSERT", {}, psycopg.errors.DiskFull("could not extend file"))
    assert is_disk_full(wrapped)
    assert is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    assert not is_disk_full(OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")))
    assert not is_disk_full(sqlite3.OperationalError("database is locked"))
    assert not store_write_error(sqlite3.OperationalError("database is locked"), 3).full
