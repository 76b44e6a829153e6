"""Links in PDF attachments: also those packed into compressed object streams."""

from __future__ import annotations

import types
import zlib

import pytest

from seawall.mail import attachments
from seawall.mail.attachments import PDF_INFLATE_BUDGET, pdf_keywords


class _Counted:
    """zlib as the PDF reader sees it, counting what it hands in and gets out."""

    def __init__(self) -> None:
        self.read = 0
        self.inflated = 0

    def decompressobj(self) -> object:
        counter = self

        class Inflater:
            def decompress(self, data: memoryview, limit: int) -> bytes:
                counter.read += len(data)
                out = zlib.decompressobj().decompress(data, limit)
                counter.inflated += len(out)
                return out

        return Inflater()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> _Counted:
    counter = _Counted()
    shim = types.SimpleNamespace(decompressobj=counter.decompressobj, error=zlib.error)
    monkeypatch.setattr(attachments, "zlib", shim)
    return counter


def _pdf(*streams: bytes) -> bytes:
    body = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    for number, stream in enumerate(streams, start=3):
        packed = zlib.compress(stream)
        body += (
            f"{number} 0 obj\n<< /Type /ObjStm /Filter /FlateDecode /Length {len(packed)} >>\n".encode()
            + b"stream\n"
            + packed
            + b"\nendstream\nendobj\n"
        )
    return body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def test_a_link_annotation_in_an_object_stream_is_found() -> None:
    annotation = (
        b"10 0 << /Type /Annot /Subtype /Link /A << /S /URI /URI (https://script.example.com/exec) >> >>"
    )
    _, uris = pdf_keywords(_pdf(annotation))
    assert uris == ["https://script.example.com/exec"]


def test_a_link_in_a_later_object_stream_is_found() -> None:
    first = b"11 0 << /Type /Annot /Subtype /Text /Contents (note) >>"
    second = b"12 0 << /Type /Annot /Subtype /Link /A << /S /URI /URI (https://later.example.com/) >>"
    assert pdf_keywords(_pdf(first, first, second))[1] == ["https://later.example.com/"]


def test_many_unterminated_streams_are_each_read_once(counted: _Counted) -> None:
    hostile = b"%PDF-1.5\n" + (b"stream\n" + b"\x78\x9c" + b"y" * 30_000 + b"\n") * 600
    assert pdf_keywords(hostile) == ([], [])
    # a stream without its end runs to the end of the file: read once, not once per stream
    assert counted.read <= len(hostile)


def test_a_plain_link_annotation_is_found_once() -> None:
    plain = b"%PDF-1.4\n4 0 obj\n<< /A << /S /URI /URI (https://login.example.net/) >> >>\nendobj\n%%EOF\n"
    assert pdf_keywords(plain)[1] == ["https://login.example.net/"]


def test_a_deflate_bomb_is_inflated_only_within_the_budget(counted: _Counted) -> None:
    bomb = _pdf(b"\0" * (50 * PDF_INFLATE_BUDGET) + b"/URI (https://late.example.org/)")
    _, uris = pdf_keywords(bomb)
    assert uris == []  # the link lies past what the budget lets us inflate
    assert counted.inflated <= PDF_INFLATE_BUDGET


def test_a_damaged_stream_is_skipped() -> None:
    damaged = (
        b"%PDF-1.5\n3 0 obj\n<< /Filter /FlateDecode >>\nstream\nnot deflate at all\nendstream\nendobj\n"
    )
    assert pdf_keywords(damaged) == ([], [])
