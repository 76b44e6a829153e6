"""Shared test fixtures: the corpora (skipped cleanly when absent), a fresh data directory per
test, and a real PostgreSQL database for the store tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from seawall.config import Settings
from seawall.detect.engine import shipped_rules_dir
from seawall.detect.fixtures import fixture_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SEAWALL_SHARED", REPO.parent / "shared"))
CORPORA = SHARED / "corpora"
RULE_FIXTURES = shipped_rules_dir() / "fixtures"
POSTGRES_ADMIN_URL = os.environ.get("SEAWALL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data directory and no stray configuration."""
    home = tmp_path / "seawall-home"
    monkeypatch.setenv("SEAWALL_HOME", str(home))
    monkeypatch.delenv("SEAWALL_DATABASE_URL", raising=False)
    monkeypatch.delenv("SEAWALL_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture(scope="session")
def corpora() -> Path:
    if not (CORPORA / "labels.tsv").is_file():
        pytest.skip(f"shared corpora not found at {CORPORA} (set SEAWALL_SHARED)")
    return CORPORA


@pytest.fixture(scope="session")
def fixture_profile() -> Settings:
    """The organisation the rule fixtures are written for (Northwind Energy)."""
    return fixture_settings(RULE_FIXTURES)


def fixture_path(name: str) -> Path:
    return RULE_FIXTURES / name


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of a reachable PostgreSQL server, or a clean skip saying why."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        if os.environ.get("SEAWALL_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL required (SEAWALL_REQUIRE_POSTGRES) but not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    import psycopg

    name = f"seawall_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = postgres_server.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))
