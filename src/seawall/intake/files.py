"""Mail from files: .eml, Outlook .msg, mbox, maildir, folders, zip archives and stdin.

Every message comes out as a ``RawMessage`` with an ``Origin`` precise enough to find it again
(file, mbox index, archive member, maildir key); anything that cannot be read comes out as
an ``IntakeError`` for that item, and the walk goes on. Messages are yielded one at a time so
a 10,000-message folder or a multi-gigabyte mbox never sits in memory at once.
"""

from __future__ import annotations

import logging
import mailbox
import os
import re
import stat
import sys
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from seawall.intake.source import IntakeError, Origin, RawMessage

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 512 * 1024 * 1024
"""A single .eml/.msg file larger than this is reported, not read."""
MAX_ZIP_MEMBERS = 100_000
MAX_ZIP_MEMBER_RATIO = 200

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_MAGIC = b"PK\x03\x04"
_POSTMARK = re.compile(
    rb"^From \S+\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    rb" [ \d]?\d \d\d:\d\d:\d\d(?: [+-]\d{4}| [A-Z]{3,4})? \d{4}",
    re.MULTILINE,
)
_HEADER_AFTER = re.compile(rb"[^\n]*\n[!-9;-~]+:")
_HEADER_LINE = re.compile(rb"^(?:[!-9;-~]+:[ \t]|From [^\r\n]*\d{4})", re.MULTILINE)
_SKIP_SUFFIXES = frozenset(
    {
        ".md",
        ".json",
        ".yml",
        ".yaml",
        ".toml",
        ".py",
        ".tsv",
        ".csv",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".pdf",
        ".db",
        ".sqlite",
        ".gz",
    }
)

logging.getLogger("extract_msg").setLevel(logging.ERROR)


@dataclass(frozen=True)
class PlannedSource:
    """One thing to read: a file (of some kind), a maildir, or stdin."""

    path: str
    kind: str  # eml, msg, mbox, maildir, zip, stdin


def _looks_like_mail(head: bytes) -> bool:
    return bool(_HEADER_LINE.match(head.lstrip(b"\r\n")[:1000]))


def _regular(path: Path) -> bool:
    """A regular file (after symlinks): not a FIFO that blocks the read, not /dev/zero."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _kind_of_file(path: Path) -> str:
    if path.exists() and not _regular(path):
        return "special"
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return "eml"
    if head.startswith(OLE_MAGIC):
        return "msg"
    if head.startswith(ZIP_MAGIC) and path.suffix.lower() == ".zip":
        return "zip"
    if head.startswith(b"From ") and path.suffix.lower() in (".mbox", ".mbx"):
        return "mbox"
    if head.startswith(b"From ") and _POSTMARK.match(head):
        # One envelope line then a message (SpamAssassin corpus, Unix mail spools) or a real
        # mbox: only a second postmark line tells them apart (bodies may hold "From " lines).
        try:
            with path.open("rb") as handle:
                content = handle.read(MAX_FILE_BYTES)
                separators = [m for m in _POSTMARK.finditer(content) if _HEADER_AFTER.match(content, m.end())]
                if len(separators) > 1:
                    return "mbox"
        except OSError:
            return "eml"
    return "eml"


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def plan(paths: Iterable[str]) -> Iterator[PlannedSource]:
    """Expand the command-line paths into sources, recursing into folders.

    A file named explicitly is always read; inside folders, files whose name or first bytes do
    not look like mail (README.md, images...) are skipped.
    """
    for raw in paths:
        if raw == "-":
            yield PlannedSource("-", "stdin")
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _plan_folder(path)
        else:
            yield PlannedSource(str(path), _kind_of_file(path) if path.exists() else "eml")


def _plan_folder(folder: Path) -> Iterator[PlannedSource]:
    if _is_maildir(folder):
        yield PlannedSource(str(folder), "maildir")
        return
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        base = Path(root)
        maildirs = [d for d in dirs if _is_maildir(base / d)]
        for name in maildirs:
            yield PlannedSource(str(base / name), "maildir")
        dirs[:] = [d for d in dirs if d not in maildirs and not d.startswith(".")]
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = base / name
            suffix = path.suffix.lower()
            if suffix in _SKIP_SUFFIXES:
                continue
            kind = _kind_of_file(path)
            if kind in ("msg", "zip", "mbox", "special") or suffix in (".eml", ".msg", ".mbox"):
                yield PlannedSource(str(path), kind)
                continue
            try:
                with path.open("rb") as handle:
                    head = handle.read(2048)
            except OSError:
                continue
            if _looks_like_mail(head):
                yield PlannedSource(str(path), kind)


def read_source(source: PlannedSource, stdin: BinaryIO | None = None) -> Iterator[RawMessage | IntakeError]:
    """The messages of one planned source, each with its origin; errors per item."""
    try:
        if source.kind == "stdin":
            yield from _read_stdin(stdin or sys.stdin.buffer)
        elif source.kind == "maildir":
            yield from _read_maildir(source.path)
        elif source.kind == "mbox":
            yield from _read_mbox(source.path)
        elif source.kind == "zip":
            yield from _read_zip(source.path)
        elif source.kind == "msg":
            yield _read_msg_file(source.path)
        elif source.kind == "special":
            yield IntakeError(
                Origin(source.path), "not a regular file (a FIFO, a device, a socket): not read"
            )
        else:
            yield _read_eml(source.path)
    except (OSError, mailbox.Error, zipfile.BadZipFile, ValueError, zlib.error, EOFError) as exc:
        yield IntakeError(Origin(source.path, source.kind), f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a reader's failure costs its source, never the batch
        log.debug("intake error on %s", source.path, exc_info=True)
        yield IntakeError(Origin(source.path, source.kind), f"{type(exc).__name__}: {exc}")


def iter_messages(paths: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[RawMessage | IntakeError]:
    for source in plan(paths):
        yield from read_source(source, stdin)


def _read_eml(path: str) -> RawMessage | IntakeError:
    origin = Origin(path, "eml")
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            return IntakeError(origin, f"file of {size} bytes exceeds {MAX_FILE_BYTES}; not read")
        with open(path, "rb") as handle:
            return RawMessage.from_bytes(handle.read(MAX_FILE_BYTES), origin)
    except OSError as exc:
        return IntakeError(origin, f"{type(exc).__name__}: {exc.strerror or exc}")


def msg_to_mime(data: bytes) -> bytes:
    """An Outlook .msg as RFC 5322 bytes, converted by extract-msg (never rendered)."""
    import extract_msg

    message = extract_msg.openMsg(data, delayAttachments=False)
    try:
        if not isinstance(message, extract_msg.Message):
            raise ValueError(
                f"not an e-mail message but {type(message).__name__} (calendar, contact, task...)"
            )
        converted = message.asEmailMessage()
        return bytes(converted.as_bytes())
    finally:
        message.close()


def _convert_msg(data: bytes, origin: Origin) -> RawMessage | IntakeError:
    try:
        return RawMessage.from_bytes(msg_to_mime(data), origin)
    except Exception as exc:  # extract-msg raises many types on damaged files
        return IntakeError(origin, f"unreadable Outlook message: {type(exc).__name__}: {exc}"[:300])


def _read_msg_file(path: str) -> RawMessage | IntakeError:
    origin = Origin(path, "msg")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return IntakeError(origin, f"{type(exc).__name__}: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        return IntakeError(origin, f"file exceeds {MAX_FILE_BYTES} bytes; not read")
    return _convert_msg(data, origin)


def _read_mbox(path: str) -> Iterator[RawMessage | IntakeError]:
    box = mailbox.mbox(path, create=False)
    try:
        for index, key in enumerate(box.iterkeys()):
            origin = Origin(path, "mbox", index=index)
            try:
                yield RawMessage.from_bytes(box.get_bytes(key, from_=False), origin)
            except (OSError, KeyError, mailbox.Error) as exc:
                yield IntakeError(origin, f"{type(exc).__name__}: {exc}")
    finally:
        box.close()


def _read_maildir(path: str) -> Iterator[RawMessage | IntakeError]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        origin = Origin(path, "maildir", member=key)
        try:
            yield RawMessage.from_bytes(box.get_bytes(key), origin)
        except (OSError, KeyError, mailbox.Error) as exc:
            yield IntakeError(origin, f"{type(exc).__name__}: {exc}")


def _read_zip(path: str) -> Iterator[RawMessage | IntakeError]:
    with zipfile.ZipFile(path) as archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS:
            yield IntakeError(Origin(path, "zip"), f"{len(infos)} members; only {MAX_ZIP_MEMBERS} read")
            infos = infos[:MAX_ZIP_MEMBERS]
        for info in infos:
            origin = Origin(path, "zip", member=info.filename)
            name = info.filename.lower()
            if info.flag_bits & 0x1:
                yield IntakeError(origin, "encrypted archive member; not read")
                continue
            if info.file_size > MAX_FILE_BYTES or (
                info.file_size / max(info.compress_size, 1) > MAX_ZIP_MEMBER_RATIO
                and info.file_size > 10 * 1024 * 1024
            ):
                yield IntakeError(origin, f"member expands to {info.file_size} bytes; not read")
                continue
            try:
                with archive.open(info) as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
            except (
                OSError,
                zipfile.BadZipFile,
                RuntimeError,
                NotImplementedError,
                zlib.error,
                EOFError,
            ) as exc:
                yield IntakeError(origin, f"{type(exc).__name__}: {exc}")
                continue
            if data.startswith(OLE_MAGIC):
                yield _convert_msg(data, Origin(path, "zip", member=info.filename))
            elif data.startswith(b"From ") and name.endswith((".mbox", ".mbx")):
                for index, message in enumerate(split_mbox(data)):
                    yield RawMessage.from_bytes(
                        message, Origin(path, "zip", index=index, member=info.filename)
                    )
            elif name.endswith((".eml", ".msg", ".mbox", ".txt", ".mail")) or _looks_like_mail(data[:2048]):
                yield RawMessage.from_bytes(data, origin)


_MBOX_SEPARATOR = re.compile(rb"(?:^|\n)From [^\n]*\n")
_MBOXRD_QUOTED = re.compile(rb"^>(>*From )", re.MULTILINE)


def split_mbox(data: bytes) -> Iterator[bytes]:
    """Messages of an mbox held in memory (stdin, archive members); mboxrd unquoting.

    The standard library's ``mailbox.mbox`` needs a file path; this small splitter serves the
    in-memory cases without writing a temporary file.
    """
    starts = [m.end() for m in _MBOX_SEPARATOR.finditer(data)]
    bounds = [m.start() for m in _MBOX_SEPARATOR.finditer(data)]
    for position, start in enumerate(starts):
        end = bounds[position + 1] if position + 1 < len(bounds) else len(data)
        yield _MBOXRD_QUOTED.sub(rb"\1", data[start:end])


def _read_stdin(stream: BinaryIO) -> Iterator[RawMessage | IntakeError]:
    data = stream.read()
    if data.startswith(b"From ") and _MBOX_SEPARATOR.search(data, 1):
        for index, message in enumerate(split_mbox(data)):
            yield RawMessage.from_bytes(message, Origin("-", "stdin", index=index))
    elif data.startswith(OLE_MAGIC):
        yield _convert_msg(data, Origin("-", "stdin"))
    else:
        yield RawMessage.from_bytes(data, Origin("-", "stdin"))
