"""Opening the store: SQLite in WAL mode by default, PostgreSQL by setting one URL.

The URL comes from ``$SEAWALL_DATABASE_URL``, else ``[store] database_url``, else a SQLite file
in the data directory. The schema is brought up to date with Alembic on open, so SQLite and
PostgreSQL always run the same migrations.
"""

from __future__ import annotations

import os
import sqlite3
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from seawall.config import Settings, data_dir
from seawall.store.errors import store_write_error

if TYPE_CHECKING:
    from alembic.config import Config


def database_url(settings: Settings) -> str:
    env = os.environ.get("SEAWALL_DATABASE_URL")
    if env:
        return normalise_url(env)
    if settings.store.database_url:
        return normalise_url(settings.store.database_url)
    return f"sqlite:///{data_dir() / 'seawall.db'}"


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def sqlite_directory(url: str) -> Path | None:
    """The folder of a SQLite store file (where a full disk matters), else None."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return Path(path).parent if path and path != ":memory:" else None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=_json)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, json_serializer=_json)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


IDLE_PING_SECONDS = 1.0
"""A pooled PostgreSQL connection idle this long is pinged before use (and replaced when the
server closed it: a restart, an idle timeout). SQLAlchemy's ``pool_pre_ping`` pings on every
checkout: in the mail filter, which checks out a connection five times per message, that was
five more round trips per message; a connection in steady use does not need them."""


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    if time.monotonic() - record.info.get("checked_in_at", float("-inf")) < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
    except Exception as exc:
        # the pool drops this connection and checks out another (up to three tries)
        raise DisconnectionError(str(exc)) from exc


def _json(value: object) -> str:
    """JSON columns through msgspec: several times faster than the json module."""
    return msgspec.json.encode(value).decode("utf-8")


HEAD_REVISION = "0005"
"""The newest migration (a test checks it against the migrations directory). A store already
at it opens without importing Alembic, which was a third of a second of every command's start."""


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("seawall.store").joinpath("migrations")))
    return config


def head_revision() -> str | None:
    """The head of the migrations directory, as Alembic reads it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def migrate(engine: Engine) -> None:
    """Apply every pending migration (idempotent; safe with several processes starting at
    once: PostgreSQL serialises them with an advisory lock, a SQLite file with a lock file
    beside it)."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:":
        from filelock import FileLock

        with FileLock(f"{database}.migrate-lock"):
            _migrate(engine)
        return
    _migrate(engine)


def _migrate(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        _migrate_sqlite(engine)
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Serialise concurrent first starts of several filter instances.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(748213)")
        _upgrade(connection)


def _migrate_sqlite(engine: Engine) -> None:
    """Python's sqlite3 begins a transaction only before data changes, so CREATE TABLE commits
    at once: a scan killed during the first migration left a half-built store that every later
    run failed on. For the migration only, the driver leaves the transaction to us and it opens
    with BEGIN, so the schema is all or nothing (the rest of Seawall keeps the driver's own
    transactions, whose locking the concurrent scanners rely on)."""
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        previous = driver.isolation_level  # type: ignore[union-attr]
        driver.isolation_level = None  # type: ignore[union-attr]
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN")
                _upgrade(connection)
        finally:
            driver.isolation_level = previous  # type: ignore[union-attr]


def _upgrade(connection: Connection) -> None:
    if _stored_revisions(connection) == [HEAD_REVISION]:
        return
    from alembic import command

    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _stored_revisions(connection: Connection) -> list[str]:
    """The revisions Alembic recorded in the store (none in a new one)."""
    if not inspect(connection).has_table("alembic_version"):
        return []
    return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


class Database:
    """An engine and a session factory for one store URL, migrated on open."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        migrate(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(database_url(settings))

    def session(self) -> Session:
        return self.sessions()

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings) -> Database:
    """The store, or :class:`StoreWriteError` when it cannot be opened (a full disk cannot
    even hold SQLite's WAL index)."""
    try:
        return Database.from_settings(settings)
    except (OSError, sqlite3.Error, SQLAlchemyError) as exc:
        raise store_write_error(exc, 0, sqlite_directory(database_url(settings))) from exc
