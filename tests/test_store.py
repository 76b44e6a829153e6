"""The store on SQLite and on a real PostgreSQL: migrations, re-scans that update instead of
duplicating, origins, rule hits, intake errors and the raw-message store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from seawall.config import Settings, StoreConfig
from seawall.detect.result import ScanResult
from seawall.intake.source import Origin, RawMessage
from seawall.pipeline import Scanner
from seawall.store.blobs import BlobStore
from seawall.store.database import HEAD_REVISION, Database, head_revision
from seawall.store.errors import StoreWriteError
from seawall.store.repository import ScanRepository
from tests.conftest import REPO, fixture_path


def scan_files(database: Database, settings: Settings, paths: list[Path]) -> list[ScanResult]:
    scanner = Scanner(settings, database=database, keep_raw=True)
    results = list(scanner.scan([str(p) for p in paths]))
    scanner.flush()
    return results


def test_migrations_create_the_schema(database_url: str) -> None:
    database = Database(database_url)
    tables = set(inspect(database.engine).get_table_names())
    assert {"messages", "origins", "rule_hits", "intake_errors", "alembic_version"} <= tables
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    Database(database_url).close()  # opening again is a no-op migration
    database.close()


def test_the_head_a_store_is_checked_against_is_the_newest_migration() -> None:
    # a store at HEAD_REVISION opens without Alembic: a new migration must move it
    assert head_revision() == HEAD_REVISION


def test_a_store_behind_the_newest_migration_is_brought_up_to_it(tmp_path: Path) -> None:
    from alembic import command

    from seawall.store.database import _alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    Database(url).close()
    config = _alembic_config()
    config.set_main_option("sqlalchemy.url", url)
    command.downgrade(config, "0004")  # a store written by the release before the quarantine
    engine = create_engine(url)
    assert "quarantine" not in inspect(engine).get_table_names()
    engine.dispose()
    database = Database(url)
    assert "quarantine" in inspect(database.engine).get_table_names()
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
    database.close()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_rescanning_updates_the_record_and_adds_origins(
    database_url: str, tmp_path: Path, fixture_profile: Settings
) -> None:
    database = Database(database_url)
    settings = Settings(
        organisation=fixture_profile.organisation,
        authentication=fixture_profile.authentication,
        store=StoreConfig(raw_dir=str(tmp_path / "raw")),
    )
    phish = fixture_path("phish-m365-unusual-signin.eml")
    copy = tmp_path / "copy-of-the-same.eml"
    copy.write_bytes(phish.read_bytes())
    first = scan_files(database, settings, [phish])
    second = scan_files(database, settings, [phish, copy])
    repository = ScanRepository(database)
    assert repository.count_messages() == 1
    sha = first[0].sha256
    assert second[0].sha256 == second[1].sha256 == sha
    record = repository.get(sha)
    assert record is not None
    assert record.scan_count == 3 and record.label == "phishing"
    assert record.subject == "Action Required: Unusual sign-in activity on your account"
    assert record.from_address == "no-reply@micros0ft-security.com"
    assert {e["rule"] for e in record.evidence} >= {"link-text-domain-mismatch", "sender-lookalike-domain"}
    assert sorted(repository.origins_of(sha)) == sorted([str(phish), str(copy)])
    assert "link-text-domain-mismatch" in repository.rule_hits_of(sha)
    assert record.raw_stored
    assert BlobStore(tmp_path / "raw").get(sha) == phish.read_bytes()
    database.close()


def test_a_message_is_not_recorded_without_the_campaign_it_joined(
    tmp_path: Path, fixture_profile: Settings
) -> None:
    """Results and campaigns of a batch are one transaction: when the campaign cannot be
    written, the message's result is not left behind without it (the mail flow answers 451
    and Postfix retries)."""
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    settings = Settings(
        organisation=fixture_profile.organisation, authentication=fixture_profile.authentication
    )
    with database.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON campaign_messages"
            " BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    scanner = Scanner(settings, database=database, keep_raw=False)
    phish = fixture_path("phish-m365-unusual-signin.eml")
    with pytest.raises(StoreWriteError, match="refused"):
        scanner.scan_and_record(RawMessage.from_bytes(phish.read_bytes(), Origin(str(phish))))
    assert ScanRepository(database).count_messages() == 0
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER refuse")
    result = scanner.scan_and_record(RawMessage.from_bytes(phish.read_bytes(), Origin(str(phish))))
    record = ScanRepository(database).get(result.sha256)
    assert record is not None and record.label == "phishing"
    database.close()


def test_intake_errors_are_recorded(database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    scanner = Scanner(Settings(), database=database, keep_raw=False)
    missing = tmp_path / "gone.eml"
    results = list(scanner.scan([str(missing)]))
    scanner.flush()
    assert results[0].status == "error"
    assert ScanRepository(database).intake_errors() == [(str(missing), results[0].error)]
    database.close()


def test_environment_url_selects_postgresql(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from seawall.store.database import database_url

    monkeypatch.setenv("SEAWALL_DATABASE_URL", postgres_url)
    assert database_url(Settings()).startswith("postgresql+psycopg://")
    database = Database.from_settings(Settings())
    assert database.engine.dialect.name == "postgresql"
    database.close()


def test_blob_store_keeps_each_message_once_inside_its_root(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "raw")
    data = b"From: a@b.example\r\n\r\nhello"
    raw = RawMessage.from_bytes(data, Origin("x"))
    store.put(raw.sha256, data)
    assert store.get(raw.sha256) == data  # readable before the flush
    store.put(raw.sha256, data)
    store.close()
    reopened = BlobStore(tmp_path / "raw")
    assert reopened.get(raw.sha256) == data and raw.sha256 in reopened
    assert [p.name for p in (tmp_path / "raw").iterdir() if not p.name.startswith("raw.db-")] == ["raw.db"]
    with pytest.raises(ValueError):
        reopened.get("../../etc/passwd")


def test_sigkill_during_a_scan_leaves_a_consistent_store_that_the_next_run_completes(tmp_path: Path) -> None:
    """Three scans killed at random moments, then one that finishes (bench/kill_store.py runs 20)."""
    import shutil

    from bench.kill_store import run

    folder = tmp_path / "mail"
    shutil.copytree(REPO / "src" / "seawall" / "detect" / "rules" / "fixtures", folder)
    (folder / "profile.toml").unlink(missing_ok=True)
    home = tmp_path / "home"
    home.mkdir()
    report = run(folder, runs=3, database_url="", seed=20261205, home=home)
    assert report["inconsistent after a kill"] == []
    assert report["problems after the last run"] == []
    assert report["messages recorded"] == len(list(folder.glob("*.eml")))
    assert report["suspicious or phishing messages without their campaign after the last run"] == 0


def test_a_pooled_postgresql_connection_the_server_closed_is_replaced(
    postgres_url: str, postgres_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as after a PostgreSQL restart or an idle timeout: the next use must not fail
    import psycopg

    from seawall.store import database as store_database

    database = Database(postgres_url)
    with database.engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    monkeypatch.setattr(store_database, "IDLE_PING_SECONDS", 0.0)  # it has been idle long enough
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    database.close()


def test_the_delivery_ledger_records_a_key_once_and_the_last_action_wins(database_url: str) -> None:
    from seawall.store.quarantine import DeliveryLedger

    database = Database(database_url)
    ledger = DeliveryLedger(database)
    assert ledger.done("k" * 64) is None
    ledger.record("k" * 64, "tag")
    ledger.record("k" * 64, "quarantine")  # recorded again (a retry): one row, the last action
    assert ledger.done("k" * 64) == "quarantine"
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM mailflow_deliveries").scalar() == 1
    database.close()


def test_a_migration_cut_short_leaves_no_half_built_sqlite_store(tmp_path: Path) -> None:
    """CREATE TABLE commits at once under Python's sqlite3 unless the transaction is ours: a
    scan killed during the first migration left tables without their version, and every later
    run failed on them."""
    from sqlalchemy import event

    from seawall.store import database as store_database
    from seawall.store.database import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'seawall.db'}"
    engine = make_engine(url)

    def cut_short(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("CREATE TABLE CAMPAIGN"):
            raise RuntimeError("killed")  # as SIGKILL would stop it, half way through

    event.listen(engine, "before_cursor_execute", cut_short)
    with pytest.raises(RuntimeError):
        migrate(engine)
    engine.dispose()
    assert "messages" not in inspect(create_engine(url)).get_table_names()
    # and the next run builds the whole store
    store_database.Database(url).close()
    assert {"messages", "campaign_messages"} <= set(inspect(create_engine(url)).get_table_names())
