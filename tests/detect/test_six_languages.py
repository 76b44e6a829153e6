"""Legitimate mail of the six languages Seawall's phish come in — deliveries, bills, banks,
tax offices, vouchers, password resets — written in the style of the real senders. Five of the
first seventeen were labelled phishing at stop 30 (a Spanish postal notice as a typo of
Brazil's post, HMRC as an impersonation of HMRC, a utility billing from one of its domains and
linking the other, a voucher newsletter through Emarsys, a savings bank); those were read to
find the faults, so they are no blind measure (docs/benchmarks.md). The ten after them were
written before they were first scanned, and eight after those (one, an IT desk linking
Microsoft's password reset, was labelled phishing and mended). Here they guard against the
faults coming back. Phish of the same languages, written the same way, must stay caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.config import Settings
from seawall.detect.detector import Detector
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.parse import parse_message

DATA = Path(__file__).parent / "data"
KNOWN_GAPS = {
    "de-sparkasse.eml": "a regional savings bank's own domain (sparkasse-koelnbonn.de) reads as a "
    "domain wrapping the brand Sparkasse: nothing here knows the 350 member banks' domains",
    "de-sale-campaign-name.eml": "a campaign as the display name ('Sommer-Sale') is a name its "
    "address does not carry, and a voucher is a lure: nothing tells a campaign's name from a "
    "borrowed organisation's ('PancakeSwap' <is@israelbien.com>, airdrops convicted the same way)",
}


def label_of(path: Path) -> str | None:
    parsed = parse_message(RawMessage.from_bytes(path.read_bytes(), Origin(path.name)), Limits())
    return Detector(Settings()).analyse(parsed).verdict.label


def _cases(folder: str, expected: str) -> list[object]:
    return [
        pytest.param(
            path, expected, id=path.name, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[path.name])]
        )
        if path.name in KNOWN_GAPS
        else pytest.param(path, expected, id=path.name)
        for path in sorted((DATA / folder).glob("*.eml"))
    ]


@pytest.mark.parametrize(("path", "expected"), _cases("legitimate", "clean") + _cases("phish", "phishing"))
def test_mail_of_six_languages_gets_its_label(path: Path, expected: str) -> None:
    # the phish were written before they were first scanned (stop 30): 12 of 14 caught; the
    # French refund lure was caught once written requests in the infinitive were read, the
    # DigiD lookalike once DigiD was a protected brand
    assert label_of(path) == expected
