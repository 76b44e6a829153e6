"""Hostile input: every malformed, huge, deeply nested or malicious message gets a verdict or a
clear error of its own, the batch goes on, nothing is executed, fetched or written outside the
store."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seawall.cli import EXIT_OK, EXIT_UNREADABLE, app
from seawall.intake.source import Origin, RawMessage
from seawall.mail.parse import parse_message
from tests.support.hostile import HOSTILE


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, make in HOSTILE.items():
        (folder / name).write_bytes(make())
    (folder / "garbage.msg").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\xff" * 4096)
    (folder / "fine.eml").write_bytes(
        b"From: ok@example.org\r\nTo: b@example.org\r\nSubject: fine\r\n\r\nhello\r\n"
    )
    return folder


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Seawall tried to open a network connection while scanning mail")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_message_parses_to_a_model_with_defects(name: str, no_network: None) -> None:
    data = HOSTILE[name]()
    started = time.monotonic()
    message = parse_message(RawMessage.from_bytes(data, Origin(name)))
    assert time.monotonic() - started < 30
    assert message.sha256 and message.size == len(data)
    expected = {
        "truncated-mime.eml": None,
        "missing-boundary.eml": "mime_",
        "lying-boundary.eml": "mime_",
        "deep-nesting-500.eml": "mime_too_deep",
        "deep-attached-messages-500.eml": "mime_too_deep",
        "huge-50mb.eml": "message_too_large",
        "bad-charsets.eml": "unknown_charset",
        "nul-bytes.eml": "nul_bytes",
        "zip-bomb.eml": "archive_",
        "header-injection.eml": "header_injection",
        "binary-garbage.eml": "not_a_message",
        "empty.eml": "empty",
        "too-many-parts.eml": "too_many_parts",
        "enormous-header.eml": "too_many_headers",
        "deep-html.eml": "html_truncated",
        "long-url.eml": None,
        "traversal-filename.eml": None,
    }[name]
    kinds = {d.kind for d in message.defects}
    if expected is not None:
        assert any(k.startswith(expected) for k in kinds), kinds


def test_lying_charset_is_decoded_and_reported() -> None:
    message = parse_message(RawMessage.from_bytes(HOSTILE["bad-charsets.eml"](), Origin("x")))
    assert "grüße" in message.text and "unknown charset" in message.text
    assert {"unknown_charset", "charset_mismatch"} <= {d.kind for d in message.defects}


def test_header_injection_never_yields_a_forged_recipient() -> None:
    message = parse_message(RawMessage.from_bytes(HOSTILE["header-injection.eml"](), Origin("x")))
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.from_count == 2
    assert all(r.address != "all@northwind-energy.com" for r in message.recipients)


def test_zip_bomb_is_not_expanded() -> None:
    message = parse_message(RawMessage.from_bytes(HOSTILE["zip-bomb.eml"](), Origin("x")))
    kinds = {d.kind for d in message.defects}
    assert "archive_too_deep" in kinds or "archive_ratio_exceeded" in kinds
    assert all(a.size < 100 * 1024 * 1024 or not a.sha256 for a in message.attachments)


def test_traversal_file_name_is_reduced_to_a_name() -> None:
    message = parse_message(RawMessage.from_bytes(HOSTILE["traversal-filename.eml"](), Origin("x")))
    assert [a.filename for a in message.attachments] == ["seawall-pwned"]


def test_the_batch_goes_on_and_every_input_gets_a_line(
    hostile_dir: Path, isolated_home: Path, no_network: None
) -> None:
    before = {p.name for p in hostile_dir.iterdir()}
    result = CliRunner().invoke(app, ["scan", str(hostile_dir), "--format", "json"])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    origins = {Path(line["origin"]).name for line in lines}
    assert origins == before
    for line in lines:
        assert line["status"] in ("ok", "error", "not_a_message")
        if line["status"] == "ok":
            assert line["label"] in ("clean", "suspicious", "phishing")
        else:
            assert line["error"] and "label" not in line, line
    not_mail = [Path(line["origin"]).name for line in lines if line["status"] == "not_a_message"]
    assert sorted(not_mail) == ["binary-garbage.eml", "empty.eml"]
    errors = [line for line in lines if line["status"] == "error"]
    assert [Path(e["origin"]).name for e in errors] == ["garbage.msg"]
    assert "unreadable Outlook message" in errors[0]["error"]
    assert result.exit_code == EXIT_UNREADABLE
    # Nothing was written beside the inputs; the store holds everything else.
    assert {p.name for p in hostile_dir.iterdir()} == before
    assert not Path("/tmp/seawall-pwned").exists()
    assert (isolated_home / "seawall.db").exists()


def test_exit_code_is_zero_when_everything_is_read(isolated_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "fine.eml"
    path.write_bytes(HOSTILE["lying-boundary.eml"]())
    result = CliRunner().invoke(app, ["scan", str(path), "--format", "json", "--no-store"])
    assert result.exit_code == EXIT_OK, result.output
