"""Retro-hunts on Dask distributed: a LocalCluster of worker processes on loopback, as a
cluster's scheduler would run them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from distributed import LocalCluster
from sqlalchemy import select
from typer.testing import CliRunner

from seawall.cli import app
from seawall.config import Settings, StoreConfig, load_settings
from seawall.hunt import chunks, dask_client, hunt
from seawall.intake.files import plan
from seawall.pipeline import Scanner
from seawall.store.database import Database
from seawall.store.models import CampaignMessageRecord
from seawall.store.repository import ScanRepository
from tests.conftest import REPO

EXAMPLES = REPO / "examples"


def _archive(tmp_path: Path) -> Path:
    """The bundled examples and fifteen variants of one lure, as loose files and an mbox."""
    archive = tmp_path / "archive"
    shutil.copytree(EXAMPLES, archive, ignore=shutil.ignore_patterns("intel", "*.toml"))
    lure = (EXAMPLES / "agency-owa-password-expiry.eml").read_bytes()
    for number in range(15):
        variant = lure.replace(b"Message-ID: <", f"Message-ID: <v{number}.".encode(), 1)
        (archive / f"variant-{number:02d}.eml").write_bytes(variant)
    return archive


def test_a_hunt_over_two_workers_labels_and_records_every_message_as_a_scan_would(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEAWALL_DATABASE_URL", database_url)  # SQLite, then PostgreSQL
    archive = _archive(tmp_path)
    config = EXAMPLES / "seawall.toml"
    result = CliRunner().invoke(
        app, ["hunt", str(archive), "--workers", "2", "--chunk", "3", "--format", "json", "-c", str(config)]
    )
    assert result.exit_code == 0, result.output
    hunted = [json.loads(line) for line in result.stdout.splitlines()]
    # every message once, each with the verdict an ordinary scan gives it
    settings = load_settings(config)
    local = {
        r.origin: (r.label, round(r.score, 3)) for r in Scanner(settings, record=False).scan([str(archive)])
    }
    assert len(hunted) == len(local) == 24
    assert {h["origin"]: (h["label"], round(h["score"], 3)) for h in hunted} == local
    # recorded by the workers into the one store, the lure's variants in one campaign
    database = Database.from_settings(settings)
    assert ScanRepository(database).count_messages() == 24
    # the lure's variants in one campaign, though workers running at once may each have
    # founded one for them (merged after the hunt: they share the lure's link)
    variants = {h["sha256"] for h in hunted if "variant-" in h["origin"]}
    with database.session() as session:
        joined = session.scalars(
            select(CampaignMessageRecord.campaign_id).where(CampaignMessageRecord.sha256.in_(variants))
        )
        assert len(set(joined)) == 1
    database.close()


def test_a_chunk_whose_task_fails_is_reported_message_by_message_not_lost(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    unreachable = Settings(store=StoreConfig(database_url="postgresql://nobody@127.0.0.1:9/none"))
    work = chunks(plan([str(archive)]), 10)
    with dask_client(workers=1) as client:
        reports = [done for _, done in hunt(work, unreachable, client)]
    results = [r for done in reports for r in done.flagged]
    assert len(results) == sum(len(part) for part in work)  # one per source: files and the mbox
    assert {r.status for r in results} == {"error"}
    assert all("retro-hunt task failed" in r.error for r in results)
    assert sum(done.counts["error"] for done in reports) == len(results)


def test_a_hunt_runs_on_the_cluster_whose_scheduler_it_is_given(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        result = CliRunner().invoke(
            app,
            [
                "hunt",
                str(archive),
                "--scheduler",
                cluster.scheduler_address,
                "-c",
                str(EXAMPLES / "seawall.toml"),
            ],
        )
    assert result.exit_code == 0, result.output
    assert "24 messages in 1 tasks: 22 phishing, 2 clean" in result.output
