"""Fuzzing the parse and the verdict: no exception escapes, every input is labelled, none is slow.

    python bench/fuzz.py [--inputs 1000000] [--seed 1] [--corpus ../shared/corpora/modern]
                         [--crashers var/fuzz-crashers] [--slow 2.0]

Inputs are mutations of real mail (the corpus when present, else the rule fixtures) and
structure-aware generations: headers with broken encoded words and RFC 2231 parameters,
MIME nesting, lying or missing boundaries, unknown charsets, truncated base64, HTML fragments,
zip, OLE and .msg-looking attachments, mbox separators. Each goes through the product's own
``parse_message`` and ``Detector.analyse`` (the shipped model included) in this process;
every exception and every input over ``--slow`` seconds is written to the crashers folder,
minimised by deleting lines while it still fails. Prints inputs run, exception kinds, worst
time per input and labels given. ``tests/test_fuzz.py`` runs a few hundred of the same inputs
in the test-suite.
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from seawall.config import Settings
from seawall.detect.detector import Detector
from seawall.intake.source import Origin, RawMessage
from seawall.mail.parse import parse_message

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "src" / "seawall" / "detect" / "rules" / "fixtures"
CHARSETS = [
    "utf-8",
    "iso-8859-1",
    "x-unknown",
    "utf-7",
    "koi8-r",
    "idna",
    "undefined",
    "utf-16",
    "gb2312",
    "",
]
ZIP_HEAD = b"PK\x03\x04\x14\x00\x00\x00\x08\x00"
OLE_HEAD = bytes.fromhex("d0cf11e0a1b11ae1")


def seeds(corpus: Path | None, limit: int = 2000) -> list[bytes]:
    """Real messages to mutate: the corpus's first files, else the rule fixtures."""
    paths: list[Path] = []
    if corpus is not None and corpus.is_dir():
        paths = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name != "MANIFEST.md")[:limit]
    if not paths:
        paths = sorted(FIXTURES.glob("*.eml"))
    return [p.read_bytes()[:200_000] for p in paths]


def _encoded_word(rng: random.Random) -> str:
    charset = rng.choice(CHARSETS)
    kind = rng.choice("BQbq?")
    payload = rng.choice(
        ["UGF5UGFs", "not*base64!!", "=E9t=E9", "", "=?=", base64.b64encode(b"\x00\xff").decode()]
    )
    return f"=?{charset}?{kind}?{payload}?="


def _header_soup(rng: random.Random) -> bytes:
    name = rng.choice(["From", "To", "Subject", "Reply-To", "Sender", "Content-Type", "Date", "Message-ID"])
    value = rng.choice(
        [
            f"{_encoded_word(rng)} <a@b.example>",
            "(" * rng.randint(1, 3000) + "x@y.example",
            '"' + "a\\" * rng.randint(1, 500) + '" <x@y.example>',
            "multipart/mixed; boundary*0*=utf-8''%FF%FE; boundary*1=x; name*=''",
            "text/plain; charset=" + rng.choice(CHARSETS),
            "\x00" * rng.randint(1, 50) + "a@b",
            _encoded_word(rng) * rng.randint(1, 200),
            "x@" + "a." * rng.randint(1, 2000) + "com",
        ]
    )
    return f"{name}: {value}\r\n".encode("utf-8", "surrogatepass")


def _mime_tree(rng: random.Random, depth: int) -> bytes:
    if depth <= 0 or rng.random() < 0.3:
        kind = rng.choice(
            ["text/plain", "text/html", "application/zip", "application/octet-stream", "message/rfc822"]
        )
        encoding = rng.choice(["base64", "quoted-printable", "7bit", "x-uuencode", "bogus"])
        body = rng.choice(
            [
                b"SGVsbG8gd29ybGQ=\r\n",
                b"not base64 at all ***\r\n",
                b"<a href='http://x.example" + b")" * rng.randint(1, 500) + b"'>x</a>\r\n",
                ZIP_HEAD + bytes(rng.getrandbits(8) for _ in range(64)),
                OLE_HEAD + bytes(rng.getrandbits(8) for _ in range(64)),
                b"From: inner@x.example\r\nSubject: " + _encoded_word(rng).encode() + b"\r\n\r\ninner\r\n",
                b"<div>" * rng.randint(1, 3000),
            ]
        )
        charset = rng.choice(CHARSETS)
        return (
            f'Content-Type: {kind}; charset={charset}; name="{_encoded_word(rng)}"\r\n'
            f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
        ).encode() + body
    boundary = rng.choice(["b1", "b1", "", "--", "a" * 200, "b\u00e9"])
    parts = [_mime_tree(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    declared = boundary if rng.random() < 0.8 else "other"
    subtype = rng.choice(["mixed", "alternative", "related"])
    out = f'Content-Type: multipart/{subtype}; boundary="{declared}"\r\n\r\n'
    body = b"".join(f"--{boundary}\r\n".encode("utf-8", "replace") + part + b"\r\n" for part in parts)
    if rng.random() < 0.7:
        body += f"--{boundary}--\r\n".encode("utf-8", "replace")
    return out.encode("utf-8", "replace") + body


def generated(rng: random.Random) -> bytes:
    headers = b"".join(_header_soup(rng) for _ in range(rng.randint(0, 8)))
    return (
        b"From: fuzz@example.com\r\nTo: r@example.org\r\nSubject: fuzz\r\n"
        + headers
        + _mime_tree(rng, rng.randint(0, 8))
    )


def mutated(rng: random.Random, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        position = rng.randrange(len(data) + 1)
        if choice < 0.25 and data:
            data[position % len(data)] = rng.getrandbits(8)
        elif choice < 0.4:
            data[position:position] = rng.choice(
                [b"\r\n", b"\r\n\r\n", b"--", b"=?", b"?=", b"\x00", b";", b'"', b"<", b">"]
            )
        elif choice < 0.55 and data:
            end = min(len(data), position + rng.randint(1, 200))
            del data[position:end]
        elif choice < 0.7:
            data[position:position] = _header_soup(rng)
        elif choice < 0.8 and data:
            end = min(len(data), position + rng.randint(1, 100))
            data[position:position] = data[position:end] * rng.randint(2, 50)
        elif choice < 0.9:
            data = data[: rng.randrange(len(data) + 1)]
        else:
            data[position:position] = _encoded_word(rng).encode()
    return bytes(data)


def inputs(count: int, seed: int, corpus: Path | None) -> Iterator[bytes]:
    rng = random.Random(seed)
    pool = seeds(corpus)
    for _ in range(count):
        yield generated(rng) if rng.random() < 0.3 else mutated(rng, rng.choice(pool))


def check(detector: Detector, data: bytes) -> str:
    """The label the input gets; raises whatever the product raises."""
    message = parse_message(RawMessage.from_bytes(data, Origin("fuzz")))
    verdict = detector.analyse(message).verdict
    if verdict.label not in ("clean", "suspicious", "phishing"):
        raise AssertionError(f"no label: {verdict.label!r}")
    # The last guards catch what escapes the parser and the detector: each is a bug to fix.
    caught = [d.detail for d in message.defects if d.kind == "parser_error"]
    caught += [str(t.value) for e in verdict.evidence if e.rule == "analysis-error" for t in e.triggers]
    if caught:
        raise CaughtByLastGuardError(caught[0])
    return verdict.label


class CaughtByLastGuardError(Exception):
    """An exception the parser or the detector let through to its last guard."""


def kind_of(exc: Exception) -> str:
    """An exception's kind: its type and where it was raised (or, caught by a last guard, the
    type it reports)."""
    if isinstance(exc, CaughtByLastGuardError):
        return "caught: " + str(exc).split(":")[0] + ":" + str(exc).split(":")[1][:40]
    where = traceback.extract_tb(exc.__traceback__)[-1].filename.split("/")[-1]
    return f"{type(exc).__name__} at {where}"


def minimise(data: bytes, fails: Callable[[bytes], bool]) -> bytes:
    """Delete lines, then halves of lines, while the input still fails."""
    lines = data.split(b"\n")
    changed = True
    while changed and len(lines) > 1:
        changed = False
        for index in range(len(lines) - 1, -1, -1):
            candidate = lines[:index] + lines[index + 1 :]
            if fails(b"\n".join(candidate)):
                lines = candidate
                changed = True
    return b"\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "modern"))
    parser.add_argument("--crashers", default=str(ROOT / "var" / "fuzz-crashers"))
    parser.add_argument("--slow", type=float, default=2.0)
    args = parser.parse_args()
    detector = Detector(Settings())
    crashers = Path(args.crashers)
    kinds: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    worst = 0.0
    started = time.perf_counter()
    for number, data in enumerate(inputs(args.inputs, args.seed, Path(args.corpus)), start=1):
        began = time.perf_counter()
        try:
            labels[check(detector, data)] += 1
        except Exception as exc:
            kind = kind_of(exc)
            kinds[kind] += 1
            if kinds[kind] == 1:

                def fails(candidate: bytes, kind: str = kind) -> bool:
                    try:
                        check(detector, candidate)
                    except Exception as again:
                        return kind_of(again) == kind
                    return False

                crashers.mkdir(parents=True, exist_ok=True)
                (crashers / f"{len(kinds):03d}.eml").write_bytes(minimise(data, fails))
        spent = time.perf_counter() - began
        if spent > worst:
            worst = spent
        if spent > args.slow:
            kinds["slow"] += 1
            crashers.mkdir(parents=True, exist_ok=True)
            (crashers / f"slow-{kinds['slow']:03d}.eml").write_bytes(data)
        if number % 10_000 == 0:
            print(f"{number} inputs, {sum(kinds.values())} failures, worst {worst:.3f} s", file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(f"inputs: {args.inputs:,} in {elapsed:.0f} s ({args.inputs / elapsed:.0f}/s), seed {args.seed}")
    print(f"labels: {dict(labels)}")
    print(f"worst time per input: {worst:.3f} s")
    print(f"exception kinds: {dict(kinds) or 'none'}")


if __name__ == "__main__":
    main()
