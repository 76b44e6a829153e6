"""Links in PDF attachments: also those packed into compressed object streams."""

from __future__ import annotations

import time
import zlib

from seawall.mail.attachments import PDF_INFLATE_BUDGET, pdf_keywords


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


def test_a_plain_link_annotation_is_found_once() -> None:
    plain = b"%PDF-1.4\n4 0 obj\n<< /A << /S /URI /URI (https://login.example.net/) >> >>\nendobj\n%%EOF\n"
    assert pdf_keywords(plain)[1] == ["https://login.example.net/"]


def test_a_deflate_bomb_is_inflated_only_within_the_budget() -> None:
    bomb = _pdf(b"\0" * (50 * PDF_INFLATE_BUDGET) + b"/URI (https://late.example.org/)")
    started = time.perf_counter()
    _, uris = pdf_keywords(bomb)
    assert uris == []  # the link lies past what the budget lets us inflate
    assert time.perf_counter() - started < 5


def test_a_damaged_stream_is_skipped() -> None:
    damaged = (
        b"%PDF-1.5\n3 0 obj\n<< /Filter /FlateDecode >>\nstream\nnot deflate at all\nendstream\nendobj\n"
    )
    assert pdf_keywords(damaged) == ([], [])
