"""Reading mail from files: every container format, and an origin pointing back to each message."""

from __future__ import annotations

import io
import mailbox
import zipfile
from pathlib import Path

from seawall.intake.files import iter_messages, plan
from seawall.intake.source import IntakeError, RawMessage
from seawall.mail.parse import parse_message
from tests.conftest import fixture_path
from tests.support.msg import build_msg

SIMPLE = (
    b"From: Alice <alice@sender.example>\r\nTo: bob@example.org\r\nSubject: Hello %d\r\n"
    b"Date: Mon, 3 Jun 2024 10:00:00 +0000\r\nMessage-ID: <%d@sender.example>\r\n\r\nBody %d\r\n"
)


def simple(number: int) -> bytes:
    return SIMPLE % (number, number, number)


def messages(paths: list[str]) -> list[RawMessage]:
    items = list(iter_messages(paths))
    assert not [i for i in items if isinstance(i, IntakeError)]
    return [i for i in items if isinstance(i, RawMessage)]


def test_eml_file_keeps_its_path(tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(simple(1))
    [raw] = messages([str(path)])
    assert raw.origin.path == str(path) and raw.origin.kind == "eml"
    assert parse_message(raw).subject == "Hello 1"


def test_mbox_messages_carry_their_index(tmp_path: Path) -> None:
    path = tmp_path / "archive.mbox"
    box = mailbox.mbox(str(path))
    for number in range(3):
        box.add(simple(number))
    box.flush()
    box.close()
    raws = messages([str(path)])
    assert [r.origin.index for r in raws] == [0, 1, 2]
    assert [parse_message(r).subject for r in raws] == ["Hello 0", "Hello 1", "Hello 2"]
    assert str(raws[2].origin) == f"{path}#2"


def test_maildir_messages_carry_their_key(tmp_path: Path) -> None:
    box = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    keys = [box.add(simple(n)) for n in range(2)]
    raws = messages([str(tmp_path / "Maildir")])
    assert sorted(r.origin.member for r in raws) == sorted(keys)
    assert all(r.origin.kind == "maildir" for r in raws)


def test_zip_of_messages_names_each_member(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("inbox/a.eml", simple(1))
        archive.writestr("inbox/b.eml", simple(2))
        archive.writestr("notes.md", b"# not mail")
    raws = messages([str(path)])
    assert sorted(r.origin.member for r in raws) == ["inbox/a.eml", "inbox/b.eml"]
    assert str(raws[0].origin).startswith(f"{path}!inbox/")


def test_outlook_msg_is_converted_with_headers_body_and_attachment(tmp_path: Path) -> None:
    headers = (
        "From: Billing <billing@evil.example>\r\nTo: bob@northwind-energy.com\r\n"
        "Subject: Quarterly invoice\r\nDate: Mon, 01 Jul 2024 10:00:00 +0000\r\n"
        "Message-ID: <q@evil.example>\r\n\r\n"
    )
    data = build_msg(
        headers,
        "Quarterly invoice",
        "Pay at http://pay.evil.example/now",
        "billing@evil.example",
        "Billing",
        [("Bob", "bob@northwind-energy.com")],
        [("Invoice.html", b"<html><form><input type='password'></form></html>")],
    )
    path = tmp_path / "invoice.msg"
    path.write_bytes(data)
    [raw] = messages([str(path)])
    assert raw.origin.kind == "msg"
    message = parse_message(raw)
    assert message.subject == "Quarterly invoice"
    assert message.from_ is not None and message.from_.address == "billing@evil.example"
    assert "http://pay.evil.example/now" in {link.url for link in message.links}
    attachment = next(a for a in message.attachments if a.filename == "Invoice.html")
    assert attachment.html is not None and attachment.html.forms[0].asks_password


def test_folders_are_walked_recursively_and_non_mail_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.eml").write_bytes(simple(1))
    (tmp_path / "a" / "b" / "two").write_bytes(simple(2))  # no extension, sniffed as mail
    (tmp_path / "a" / "README.md").write_text("# notes")
    (tmp_path / "a" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    raws = messages([str(tmp_path / "a")])
    assert sorted(Path(r.origin.path).name for r in raws) == ["one.eml", "two"]


def test_stdin_single_message_and_mbox() -> None:
    [raw] = [i for i in iter_messages(["-"], stdin=io.BytesIO(simple(5)))]
    assert isinstance(raw, RawMessage) and raw.origin.path == "-"
    mbox = b"".join(
        b"From alice@sender.example Mon Jun  3 10:00:00 2024\n" + simple(n) + b"\n" for n in range(2)
    )
    raws = [i for i in iter_messages(["-"], stdin=io.BytesIO(mbox))]
    assert [r.origin.index for r in raws] == [0, 1]  # type: ignore[union-attr]


def test_unreadable_items_become_errors_and_the_walk_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.eml"
    good.write_bytes(simple(1))
    broken_msg = tmp_path / "broken.msg"
    broken_msg.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 100)
    items = list(iter_messages([str(broken_msg), str(tmp_path / "missing.eml"), str(good)]))
    errors = [i for i in items if isinstance(i, IntakeError)]
    assert {e.origin.path for e in errors} == {str(broken_msg), str(tmp_path / "missing.eml")}
    assert "unreadable Outlook message" in next(e.error for e in errors if e.origin.kind == "msg")
    assert any(isinstance(i, RawMessage) and i.origin.path == str(good) for i in items)


def test_a_file_with_an_envelope_line_and_from_lines_in_its_body_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "spool-message"
    path.write_bytes(
        b"From someone@example.org  Mon Sep 30 13:43:46 2002\n"
        + simple(1)
        + b"\nFrom the desk of the editor\n"
    )
    assert [s.kind for s in plan([str(path)])] == ["eml"]
    assert len(messages([str(path)])) == 1


def test_fixture_corpus_folder_reads_every_fixture() -> None:
    folder = fixture_path("ham-vendor-invoice.eml").parent
    assert len(messages([str(folder)])) == len(list(folder.glob("*.eml")))
