"""The fuzzer's inputs in the test-suite (a short, seeded run) and every kind of crasher it found,
kept as a regression test: each gets a full parse and a label, no last guard needed."""

from __future__ import annotations

import pytest
from bench.fuzz import check, inputs

from seawall.config import Settings
from seawall.detect.detector import Detector

DETECTOR = Detector(Settings())

CRASHERS = {
    # the exception kinds the fuzzer (and issue 19) found, as minimal messages
    "undefined-codec-payload": b"From: a@b.example\r\nContent-Type: text/plain; charset=undefined\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n\xe9\xe9\r\n",
    "idna-codec-payload": b"From: a@b.example\r\nContent-Type: text/plain; charset=idna\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n\xff\xfe\r\n",
    "nul-in-charset-name": b'From: a@b.example\r\nContent-Type: text/plain; charset="utf\x00-8"\r\n\r\nhi\r\n',
    "non-ascii-charset-in-encoded-word": (
        "From: =?iso¡8859-1?q?x?= <a@b.example>\r\nSubject: =?ðoi8-r?B?eA==?=\r\n\r\nhi\r\n".encode()
    ),
    "bad-base64-encoded-word": b"From: =?utf-8?B?not*base64!!?= <a@b.example>\r\nTo: c@d.example\r\n\r\nhi\r\n",
    "nested-comments-in-address": b"From: " + b"(" * 3000 + b"a@b.example\r\nTo: c@d.example\r\n\r\nhi\r\n",
    "truncated-zip-attachment": b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
    b"Content-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBBQAAAAIAP//\r\n--b--\r\n",
}


@pytest.mark.parametrize("name", sorted(CRASHERS))
def test_every_crasher_is_parsed_and_labelled_without_a_last_guard(name: str) -> None:
    assert check(DETECTOR, CRASHERS[name]) in ("clean", "suspicious", "phishing")


def test_a_short_seeded_fuzz_run_raises_nothing_and_labels_everything() -> None:
    labels = [check(DETECTOR, data) for data in inputs(300, seed=20261205, corpus=None)]
    assert len(labels) == 300
