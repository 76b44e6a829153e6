"""The command line: table and JSON output, exit codes for scripts, rule commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from seawall.cli import EXIT_FAIL_ON, EXIT_OK, EXIT_USAGE, app
from tests.conftest import REPO, RULE_FIXTURES, fixture_path

runner = CliRunner()


def profile_config(tmp_path: Path) -> Path:
    config = tmp_path / "seawall.toml"
    config.write_text((RULE_FIXTURES / "profile.toml").read_text())
    return config


def test_json_output_is_one_object_per_message_with_evidence(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "scan",
            str(fixture_path("phish-ceo-wire-lookalike.eml")),
            str(fixture_path("ham-vendor-invoice.eml")),
            "--format",
            "json",
            "--config",
            str(profile_config(tmp_path)),
        ],
    )
    assert result.exit_code == EXIT_OK, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["label"] for line in lines] == ["phishing", "clean"]
    phish = lines[0]
    assert phish["schema"] == "seawall.scan/1" and phish["status"] == "ok"
    assert phish["message"]["from_address"] == "margaret.hale@northwind-energv.com"
    rules = {e["rule"]: e for e in phish["verdict"]["evidence"]}
    lookalike = rules["sender-lookalike-domain"]
    assert lookalike["attack"] == ["T1566", "T1583.001"]
    assert lookalike["triggers"][0] == {
        "feature": "from.lookalike",
        "value": "northwind-energy.com",
        "where": "header:From (typo)",
    }
    assert 0 <= phish["score"] <= 100 and len(phish["sha256"]) == 64


def test_fail_on_sets_the_exit_code(tmp_path: Path) -> None:
    config = str(profile_config(tmp_path))
    phish = str(fixture_path("phish-m365-unusual-signin.eml"))
    ham = str(fixture_path("ham-newsletter-tracked-links.eml"))
    assert (
        runner.invoke(app, ["scan", phish, "--fail-on", "phishing", "-c", config, "--no-store"]).exit_code
        == EXIT_FAIL_ON
    )
    assert (
        runner.invoke(app, ["scan", ham, "--fail-on", "suspicious", "-c", config, "--no-store"]).exit_code
        == EXIT_OK
    )


def test_table_output_names_rules_and_summarises(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["scan", str(fixture_path("phish-encrypted-zip-password.eml")), "--evidence", "--no-store"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == EXIT_OK
    assert "phishing" in result.stdout and "archive-password-in-body" in result.stdout
    assert "T1027.013" in result.stdout
    assert "1 messages: 1 phishing" in result.stderr


def test_bad_configuration_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[verdict]\nsuspicious = 'high'\n")
    result = runner.invoke(app, ["scan", str(fixture_path("ham-vendor-invoice.eml")), "-c", str(bad)])
    assert result.exit_code == EXIT_USAGE
    assert "configuration error" in result.stderr


def test_rules_list_and_test_commands() -> None:
    listed = runner.invoke(app, ["rules", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "html-smuggling" in listed.stdout and "T1027.006" in listed.stdout
    tested = runner.invoke(app, ["rules", "test"])
    assert tested.exit_code == 0, tested.stderr
    assert "0 failures" in tested.stderr


def test_console_script_reads_stdin(tmp_path: Path) -> None:
    """The installed entry point, in a subprocess, reading a message from standard input."""
    env = {**os.environ, "SEAWALL_HOME": str(tmp_path / "home")}
    data = fixture_path("phish-shared-doc-free-hosting.eml").read_bytes()
    completed = subprocess.run(
        [sys.executable, "-m", "seawall", "scan", "-", "--format", "json"],
        input=data,
        capture_output=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert completed.returncode == EXIT_OK, completed.stderr
    line = json.loads(completed.stdout)
    assert line["origin"] == "-" and line["label"] == "phishing"


def test_readme_quick_start_scans_the_bundled_examples(tmp_path: Path) -> None:
    """`seawall scan -c examples/seawall.toml examples/` (the README's first command), installed script."""
    import shutil

    script = shutil.which("seawall") or str(Path(sys.executable).parent / "seawall")
    env = {**os.environ, "SEAWALL_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    completed = subprocess.run(
        [script, "scan", "-c", "examples/seawall.toml", "examples/"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert completed.returncode == EXIT_OK, completed.stderr
    assert "agency-owa-password-expiry.eml" in completed.stdout
    assert "9 messages: 7 phishing, 2 clean" in completed.stderr
    assert (tmp_path / "home" / "seawall.db").exists()


def test_docs_list_every_feature() -> None:
    from seawall.detect.features import FEATURES

    text = (REPO / "docs" / "rules.md").read_text()
    missing = [name for name in FEATURES if f"`{name}`" not in text]
    assert not missing, f"docs/rules.md lacks {missing}"


def test_input_that_is_not_mail_gets_its_own_status_and_no_label(tmp_path: Path) -> None:
    (tmp_path / "junk.txt").write_text("hello\n")
    (tmp_path / "empty.eml").write_bytes(b"")
    names = [str(tmp_path / "junk.txt"), str(tmp_path / "empty.eml")]
    result = CliRunner().invoke(app, ["scan", *names, "--format", "json", "--no-store"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {Path(line["origin"]).name: line["status"] for line in lines} == {
        "junk.txt": "not_a_message",
        "empty.eml": "not_a_message",
    }
    assert all("label" not in line and "verdict" not in line for line in lines)
    assert result.exit_code == EXIT_OK


def test_table_output_is_not_wrapped_when_piped(tmp_path: Path) -> None:
    long_folder = tmp_path / ("a-long-folder-name-" * 6)
    long_folder.mkdir()
    message = long_folder / "lure.eml"
    message.write_bytes(fixture_path("phish-m365-unusual-signin.eml").read_bytes())
    result = CliRunner().invoke(app, ["scan", str(message), "--no-store"], env={"COLUMNS": "40"})
    # The whole path stands on one line, however narrow the terminal the runner pretends.
    assert str(message) in result.stdout
