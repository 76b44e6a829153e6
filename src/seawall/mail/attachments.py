"""Attachment analysis: sniffed type, hashes, archives, Office macros and PDF keywords.

Nothing found in an attachment is executed, rendered or opened in another program: archives
are listed and read in memory under the limits, Office files are read by oletools (a static
parser), PDFs are scanned as bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import magic
import pyzipper

from seawall.mail.limits import Limits
from seawall.mail.model import Defect, OfficeInfo

_MAGIC = magic.Magic(mime=True)
SNIFF_BYTES = 65536

# Signatures libmagic does not know (or knows only past the bytes we give it).
_ONENOTE = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3")
_ISO_OFFSETS = (0x8001, 0x8801, 0x9001)


def sniff_type(data: bytes) -> str:
    """The MIME type the bytes really have, whatever the sender declared."""
    if not data:
        return "application/x-empty"
    if data.startswith(_ONENOTE):
        return "application/onenote"
    for offset in _ISO_OFFSETS:
        if data[offset : offset + 5] == b"CD001":
            return "application/x-iso9660-image"
    if data.startswith(b"conectix") or data.startswith(b"vhdxfile"):
        return "application/x-virtual-disk"
    try:
        return str(_MAGIC.from_buffer(data[:SNIFF_BYTES]))
    except Exception:  # libmagic errors on some corrupt inputs; never fatal
        return "application/octet-stream"


@dataclass(slots=True)
class Hashes:
    md5: str
    sha1: str
    sha256: str


def hashes(data: bytes) -> Hashes:
    return Hashes(
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
    )


ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed", "application/java-archive"})
OTHER_ARCHIVE_TYPES = frozenset(
    {
        "application/x-rar",
        "application/vnd.rar",
        "application/x-rar-compressed",
        "application/x-7z-compressed",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-lzh-compressed",
        "application/vnd.ms-cab-compressed",
        "application/x-ace-compressed",
        "application/x-arj",
    }
)
OLE_TYPES = frozenset(
    {
        "application/x-ole-storage",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/CDFV2",
        "application/vnd.ms-office",
        "application/vnd.ms-outlook",
    }
)
OOXML_PREFIX = "application/vnd.openxmlformats-officedocument"
OOXML_MACRO_TYPES = frozenset(
    {
        "application/vnd.ms-word.document.macroenabled.12",
        "application/vnd.ms-excel.sheet.macroenabled.12",
        "application/vnd.ms-powerpoint.presentation.macroenabled.12",
        "application/vnd.ms-excel.sheet.binary.macroenabled.12",
    }
)


def is_archive_type(sniffed: str) -> bool:
    return sniffed in ZIP_TYPES or sniffed in OTHER_ARCHIVE_TYPES


@dataclass(slots=True)
class Member:
    """One archive member: its bytes when they could be read within the limits."""

    name: str
    size: int
    data: bytes | None
    encrypted: bool


@dataclass(slots=True)
class ArchiveBudget:
    """What is left of the expansion allowance for one message."""

    remaining: int
    defects: list[Defect] = field(default_factory=list)


def list_zip(
    data: bytes, path: str, limits: Limits, budget: ArchiveBudget, password: bytes | None = None
) -> Iterator[Member]:
    """The members of a zip, reading only what the ratio and size limits allow."""
    try:
        # pyzipper reads what zipfile reads, plus WinZip AES encryption (7-Zip's and WinRAR's
        # choice for encrypted zips), which the standard library cannot decrypt.
        archive = pyzipper.AESZipFile(io.BytesIO(data)) if password else zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        budget.defects.append(Defect("archive_unreadable", f"{type(exc).__name__}: {exc}"[:200], path))
        return
    if len(infos) > limits.max_archive_members:
        budget.defects.append(
            Defect("archive_too_many_members", f"{len(infos)} > {limits.max_archive_members}", path)
        )
        infos = infos[: limits.max_archive_members]
    for info in infos:
        if info.is_dir():
            continue
        encrypted = bool(info.flag_bits & 0x1)
        ratio = info.file_size / max(info.compress_size, 1)
        content: bytes | None = None
        if encrypted and password is None:
            pass
        elif ratio > limits.max_archive_ratio:
            budget.defects.append(
                Defect(
                    "archive_ratio_exceeded",
                    f"{info.filename}: {info.file_size} bytes from {info.compress_size} "
                    f"(ratio {ratio:.0f} > {limits.max_archive_ratio:.0f})",
                    path,
                )
            )
        elif info.file_size > min(budget.remaining, limits.max_attachment_analysis_bytes):
            budget.defects.append(
                Defect("archive_expansion_limit", f"{info.filename}: {info.file_size} bytes", path)
            )
        else:
            cap = min(budget.remaining, limits.max_attachment_analysis_bytes)
            try:
                with archive.open(info, pwd=password) as handle:
                    content = handle.read(cap + 1)
            except (
                RuntimeError,
                zipfile.BadZipFile,
                OSError,
                ValueError,
                EOFError,
                NotImplementedError,
                zipfile.LargeZipFile,
            ) as exc:
                budget.defects.append(
                    Defect("archive_member_unreadable", f"{info.filename}: {exc}"[:200], path)
                )
                content = None
            if content is not None and len(content) > cap:
                # The header lied about the size: a classic zip-bomb trick.
                budget.defects.append(
                    Defect("archive_expansion_limit", f"{info.filename}: more than {cap} bytes", path)
                )
                content = None
            if content is not None:
                budget.remaining -= len(content)
        yield Member(info.filename, info.file_size, content, encrypted)


def zip_password_works(data: bytes, password: str) -> bool:
    """True when the password decrypts the smallest encrypted member (CRC checked)."""
    try:
        archive = pyzipper.AESZipFile(io.BytesIO(data))
        encrypted = [i for i in archive.infolist() if i.flag_bits & 0x1 and not i.is_dir()]
        if not encrypted:
            return False
        smallest = min(encrypted, key=lambda i: i.compress_size)
        if smallest.compress_size > 4 * 1024 * 1024:
            return False
        with archive.open(smallest, pwd=password.encode("utf-8")) as handle:
            handle.read()
        return True
    except (RuntimeError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False


def zip_has_member(data: bytes, suffix: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return any(name.lower().endswith(suffix) for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


logging.getLogger("olevba").setLevel(logging.CRITICAL)
logging.getLogger("oletools").setLevel(logging.CRITICAL)


def analyse_office(data: bytes, filename: str) -> OfficeInfo:
    """Macros and their auto-execution triggers, read statically by oletools.olevba."""
    try:
        from oletools.olevba import VBA_Parser
    except ImportError as exc:  # pragma: no cover - oletools is a hard dependency
        return OfficeInfo(error=f"oletools unavailable: {exc}")
    parser = None
    try:
        parser = VBA_Parser(filename or "attachment", data=data)
        if not parser.detect_vba_macros():
            return OfficeInfo(has_macros=False)
        autoexec: list[str] = []
        suspicious: list[str] = []
        for kind, keyword, _description in parser.analyze_macros():
            if kind == "AutoExec":
                autoexec.append(str(keyword))
            elif kind == "Suspicious":
                suspicious.append(str(keyword))
        return OfficeInfo(
            has_macros=True, autoexec=sorted(set(autoexec))[:50], suspicious=sorted(set(suspicious))[:50]
        )
    except Exception as exc:  # olevba raises many types on malformed files
        return OfficeInfo(error=f"{type(exc).__name__}: {exc}"[:200])
    finally:
        if parser is not None:
            with contextlib.suppress(Exception):
                parser.close()


# pdfid-style keyword scan: the same method Didier Stevens' pdfid uses (names, with #xx
# hex escapes undone), written here because pdfid is not published as a maintained library.
_PDF_NAME = re.compile(rb"/([A-Za-z0-9#]{2,40})")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_RISKY_NAMES = frozenset(
    {
        "JavaScript",
        "JS",
        "OpenAction",
        "AA",
        "Launch",
        "EmbeddedFile",
        "SubmitForm",
        "AcroForm",
        "XFA",
        "RichMedia",
        "ImportData",
        "GoToE",
        "GoToR",
    }
)
_PDF_URI = re.compile(rb"/URI\s*\(([^)]{4,2048})\)")


def pdf_keywords(data: bytes) -> tuple[list[str], list[str]]:
    """Risky PDF names present, and the URIs of link annotations."""
    names: set[str] = set()
    for match in _PDF_NAME.finditer(data):
        raw = match.group(1)
        if b"#" in raw:
            raw = _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
        name = raw.decode("latin-1")
        if name in PDF_RISKY_NAMES:
            names.add(name)
    found = [m.group(1) for m in _PDF_URI.finditer(data)]
    for inflated in _inflated_streams(data):
        # a link annotation packed into a compressed object stream (PDF 1.5) is as clickable
        found.extend(m.group(1) for m in _PDF_URI.finditer(inflated))
    uris = list(dict.fromkeys(uri.decode("latin-1", "replace") for uri in found))
    return sorted(names), uris[:200]


_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
PDF_INFLATE_BUDGET = 4_000_000
"""Bytes all of one PDF's compressed streams may inflate to, so that a deflate bomb costs no more
than a large attachment."""
PDF_MAX_STREAMS = 500


def _inflated_streams(data: bytes) -> Iterator[bytes]:
    """The PDF's deflated streams, inflated within ``PDF_INFLATE_BUDGET``: object streams hide
    the link annotations a raw scan cannot see. Written here as the keyword scan above is: a PDF
    library would parse the whole document, and a hostile one can make that slow."""
    budget = PDF_INFLATE_BUDGET
    view = memoryview(data)  # slices without copies: a stream may run to the end of the file
    position = 0
    for _ in range(PDF_MAX_STREAMS):
        match = _PDF_STREAM.search(data, position)
        if match is None or budget <= 0:
            return
        end = data.find(b"endstream", match.end())
        end = len(data) if end == -1 else end
        # each byte is read once: the next stream starts after this one's end
        position = end + len(b"endstream")
        try:
            inflated = zlib.decompressobj().decompress(view[match.end() : end], budget)
        except zlib.error:
            continue  # not deflated, or damaged
        budget -= len(inflated)
        if b"/URI" in inflated:
            yield inflated
