"""Hostile messages, written by us for the test-suite: every way mail breaks parsers.

Each generator returns the bytes of one input file. None is copied from real attacks; each
imitates a technique (truncation, lying structure, resource exhaustion, injection).
"""

from __future__ import annotations

import base64
import io
import os
import random
import zipfile

HEAD = (
    "From: Attacker <a@hostile.example>\r\nTo: victim@northwind-energy.com\r\n"
    "Date: Mon, 01 Jul 2024 10:00:00 +0000\r\nMessage-ID: <{name}@hostile.example>\r\n"
    "Subject: {name}\r\nMIME-Version: 1.0\r\n"
)


def head(name: str) -> str:
    return HEAD.format(name=name)


def truncated_mime() -> bytes:
    return (
        head("truncated") + 'Content-Type: multipart/mixed; boundary="cut"\r\n\r\n--cut\r\n'
        'Content-Type: text/html\r\n\r\n<html><body><a href="https://evil.example/login">Sign in</a>'
        '\r\n--cut\r\nContent-Type: application/zip; name="a.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        "UEsDBBQAAAAIAAAAIQBsb2dpbi5odG1sTY9BT8Mw"
    ).encode()


def missing_boundary() -> bytes:
    return (
        head("missing-boundary")
        + "Content-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n"
        "hello\r\n--x--\r\n"
    ).encode()


def lying_boundary() -> bytes:
    return (
        head("lying-boundary") + 'Content-Type: multipart/alternative; boundary="declared"\r\n\r\n'
        "--actual\r\nContent-Type: text/plain\r\n\r\nvisible text\r\n--actual--\r\n"
    ).encode()


def deep_nesting(depth: int = 500) -> bytes:
    lines = [head("deep") + 'Content-Type: multipart/mixed; boundary="b0"', ""]
    for level in range(1, depth):
        lines += [f"--b{level - 1}", f'Content-Type: multipart/mixed; boundary="b{level}"', ""]
    lines += [f"--b{depth - 1}", "Content-Type: text/plain", "", "bottom"]
    lines += [f"--b{level}--" for level in range(depth - 1, -1, -1)]
    return "\r\n".join(lines).encode()


def deep_attached_messages(depth: int = 500) -> bytes:
    message = (head("inner") + "Content-Type: text/plain\r\n\r\ninnermost\r\n").encode()
    for level in range(depth):
        message = (head(f"wrap{level}") + "Content-Type: message/rfc822\r\n\r\n").encode() + message
    return message


def huge_message(megabytes: int = 50) -> bytes:
    payload = base64.encodebytes(os.urandom(megabytes * 1024 * 1024 * 3 // 4))
    return (
        (
            head("huge")
            + 'Content-Type: multipart/mixed; boundary="h"\r\n\r\n--h\r\nContent-Type: text/plain\r\n\r\n'
            'see attachment\r\n--h\r\nContent-Type: application/octet-stream; name="blob.bin"\r\n'
            'Content-Disposition: attachment; filename="blob.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        ).encode()
        + payload
        + b"\r\n--h--\r\n"
    )


def bad_charsets() -> bytes:
    return (
        head("charsets").encode() + b'Content-Type: multipart/mixed; boundary="c"\r\n\r\n'
        b"--c\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nunknown charset \xe9\r\n"
        b"--c\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nlying ascii: gr\xc3\xbc\xc3\x9fe \xff\xfe\r\n"
        b"--c\r\nContent-Type: text/html; charset=utf-16\r\n\r\n<p>not utf-16 at all</p>\r\n--c--\r\n"
    )


def nul_bytes() -> bytes:
    return (
        b"From: Nul\x00l <n@hostile.example>\r\nTo: v@northwind-energy.com\r\nSubject: nul\x00bytes\r\n"
        b'Content-Type: text/html\r\n\r\n<p>pass\x00word</p><a href="https://e\x00vil.example">x</a>\x00\x00\r\n'
    )


def zip_bomb() -> bytes:
    """A zip whose one member inflates to 300 MB of zeros (ratio about 1000:1)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("invoice.pdf", "w", force_zip64=True) as member,
    ):
        chunk = b"\x00" * (1024 * 1024)
        for _ in range(300):
            member.write(chunk)
    data = buffer.getvalue()
    # Nest it: a zip in a zip in a zip... deeper than the archive depth limit.
    for level in range(5):
        outer = io.BytesIO()
        with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr(f"level{level}.zip", data)
        data = outer.getvalue()
    return (
        (
            head("zip-bomb")
            + 'Content-Type: multipart/mixed; boundary="z"\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\n'
            'invoice attached\r\n--z\r\nContent-Type: application/zip; name="invoice.zip"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + base64.encodebytes(data)
        + b"\r\n--z--\r\n"
    )


def header_injection() -> bytes:
    return (
        b"From: =?utf-8?q?CEO=0D=0ABcc=3A_all=40northwind-energy=2Ecom?= <ceo@hostile.example>\r\n"
        b"From: Second <second@hostile.example>\r\nTo: v@northwind-energy.com\r\n"
        b"Subject: =?utf-8?b?aGVsbG8NCkJjYzogZXZlcnlvbmVAbm9ydGh3aW5kLWVuZXJneS5jb20=?=\r\n"
        b"Reply-To: =?utf-8?q?x=0Ay=40evil=2Eexample?= <r@hostile.example>\r\n\r\nbody\r\n"
    )


def binary_garbage() -> bytes:
    return random.Random(7).randbytes(100_000)


def empty() -> bytes:
    return b""


def too_many_parts(count: int = 5000) -> bytes:
    parts = [head("parts") + 'Content-Type: multipart/mixed; boundary="p"', ""]
    for number in range(count):
        parts += ["--p", "Content-Type: text/plain", "", f"part {number}"]
    parts.append("--p--")
    return "\r\n".join(parts).encode()


def enormous_header() -> bytes:
    return (
        head("big-header")
        + "X-Padding: "
        + "A" * 2_000_000
        + "\r\n"
        + "".join(f"X-H{n}: {n}\r\n" for n in range(20000))
        + "\r\nbody\r\n"
    ).encode()


def deep_html() -> bytes:
    return (
        head("deep-html")
        + "Content-Type: text/html\r\n\r\n"
        + "<div>" * 100_000
        + "x"
        + "</div>" * 100_000
        + "<a href='https://evil.example'>" * 5000
    ).encode()


def long_url() -> bytes:
    return (
        head("long-url") + "Content-Type: text/plain\r\n\r\nhttps://evil.example/" + "a" * 1_000_000 + "\r\n"
    ).encode()


def traversal_filename() -> bytes:
    return (
        head("traversal") + 'Content-Type: multipart/mixed; boundary="t"\r\n\r\n--t\r\n'
        'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="../../../../tmp/seawall-pwned"\r\n\r\n'
        "pwned\r\n--t--\r\n"
    ).encode()


HOSTILE = {
    "truncated-mime.eml": truncated_mime,
    "missing-boundary.eml": missing_boundary,
    "lying-boundary.eml": lying_boundary,
    "deep-nesting-500.eml": deep_nesting,
    "deep-attached-messages-500.eml": deep_attached_messages,
    "huge-50mb.eml": huge_message,
    "bad-charsets.eml": bad_charsets,
    "nul-bytes.eml": nul_bytes,
    "zip-bomb.eml": zip_bomb,
    "header-injection.eml": header_injection,
    "binary-garbage.eml": binary_garbage,
    "empty.eml": empty,
    "too-many-parts.eml": too_many_parts,
    "enormous-header.eml": enormous_header,
    "deep-html.eml": deep_html,
    "long-url.eml": long_url,
    "traversal-filename.eml": traversal_filename,
}
