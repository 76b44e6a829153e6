"""Fail closed: every input gets a verdict; what cannot be read is evidence, never a way past."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seawall.cli import EXIT_UNREADABLE, app
from seawall.config import Settings
from seawall.detect import detector as detector_module
from seawall.detect.detector import Detector
from seawall.intake.source import Origin, RawMessage
from seawall.mail.parse import parse_message

runner = CliRunner()


def raw(data: bytes) -> RawMessage:
    return RawMessage.from_bytes(data, Origin("x"))


def test_an_undecodable_encoded_word_in_from_is_recorded_and_weighed() -> None:
    data = (
        b"From: =?utf-8?B?UGF5UGFs!!not*base64?= <billing@account-review.example>\r\n"
        b"To: r@example.org\r\nSubject: hold\r\n\r\nbody\r\n"
    )
    message = parse_message(raw(data))
    assert "sender_encoding_invalid" in {d.kind for d in message.defects}
    assert message.from_ is not None and message.from_.address == "billing@account-review.example"
    matches = {m.rule.id for m in Detector(Settings(), use_model=False).analyse(message).matches}
    assert "malformed-sender-header" in matches


def test_an_internal_failure_keeps_the_message_suspicious_and_names_the_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object) -> object:
        raise ZeroDivisionError("a bug in a feature")

    monkeypatch.setattr(detector_module, "extract_features", broken)
    message = parse_message(raw(b"From: a@b.example\r\nTo: c@d.example\r\nSubject: x\r\n\r\nhello\r\n"))
    verdict = Detector(Settings()).analyse(message).verdict
    assert verdict.label == "suspicious"
    (line,) = verdict.evidence
    assert line.rule == "analysis-error" and "ZeroDivisionError" in str(line.triggers[0].value)


def test_a_sign_of_legitimacy_cannot_clear_a_message_that_could_not_be_read() -> None:
    from seawall.detect.verdict import Evidence, assemble, failure_evidence

    thresholds = Settings().verdict
    aligned = Evidence("aligned", "aligned", [], "info", -50.0, "", kind="legitimacy")
    verdict = assemble([failure_evidence("parser_error: boom", thresholds), aligned], thresholds)
    assert verdict.score < thresholds.suspicious and verdict.label == "suspicious"


def test_a_corrupt_archive_member_costs_its_own_line_not_the_batch(tmp_path: Path) -> None:
    good = b"From: a@b.example\r\nTo: c@d.example\r\nSubject: fine\r\n\r\nhello\r\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("first.eml", good * 50)
        archive.writestr("second.eml", good)
    data = bytearray(buffer.getvalue())
    start = data.find(b"first.eml") + len(b"first.eml") + 10  # inside the first member's deflate data
    data[start : start + 20] = b"\xff" * 20
    (tmp_path / "mail.zip").write_bytes(bytes(data))
    (tmp_path / "after.eml").write_bytes(good)
    result = runner.invoke(app, ["scan", str(tmp_path), "--format", "json", "--no-store"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_name = {
        Path(line["origin"].split("!")[0]).name + line["origin"].partition("!")[2]: line for line in lines
    }
    assert by_name["after.eml"]["label"] == "clean"
    assert by_name["mail.zipsecond.eml"]["status"] == "ok"
    assert by_name["mail.zipfirst.eml"]["status"] == "error"
    assert result.exit_code == EXIT_UNREADABLE  # 3: unreadable input, never 1 ("phishing found")


def test_a_fifo_or_a_link_to_dev_zero_in_a_folder_neither_blocks_nor_eats_memory(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "blocking.eml")
    (tmp_path / "endless.eml").symlink_to("/dev/zero")
    (tmp_path / "fine.eml").write_bytes(b"From: a@b.example\r\nTo: c@d.example\r\nSubject: x\r\n\r\nhi\r\n")
    result = runner.invoke(app, ["scan", str(tmp_path), "--format", "json", "--no-store"])
    lines = {Path(line["origin"]).name: line for line in map(json.loads, result.stdout.splitlines())}
    assert lines["fine.eml"]["status"] == "ok"
    for name in ("blocking.eml", "endless.eml"):
        assert lines[name]["status"] == "error" and "not a regular file" in lines[name]["error"]


def test_a_message_over_its_time_budget_is_judged_on_what_was_read() -> None:
    from seawall.mail.limits import Limits

    parts = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % number for number in range(50))
    data = b"From: a@b.example\r\nTo: c@d.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    message = parse_message(raw(data + parts + b"--b--\r\n"), Limits(time_budget_seconds=0.0))
    assert "time_budget_exceeded" in {d.kind for d in message.defects}
    matches = {m.rule.id for m in Detector(Settings(), use_model=False).analyse(message).matches}
    assert "analysis-limits-exceeded" in matches
