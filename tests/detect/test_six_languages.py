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

FOLDER = Path(__file__).parent / "data" / "legitimate"
KNOWN_GAP = {"de-sparkasse.eml"}


def label_of(path: Path) -> str | None:
    parsed = parse_message(RawMessage.from_bytes(path.read_bytes(), Origin(path.name)), Limits())
    return Detector(Settings()).analyse(parsed).verdict.label


@pytest.mark.parametrize(
    "path", sorted(p for p in FOLDER.glob("*.eml") if p.name not in KNOWN_GAP), ids=lambda p: p.name
)
def test_legitimate_mail_in_six_languages_is_not_phishing(path: Path) -> None:
    assert label_of(path) == "clean"


@pytest.mark.xfail(
    strict=True,
    reason="a regional savings bank's own domain (sparkasse-koelnbonn.de) reads as a domain wrapping "
    "the brand Sparkasse: nothing here knows the 350 member banks' domains",
)
def test_a_regional_savings_bank_writing_from_its_own_domain_is_not_phishing() -> None:
    assert label_of(FOLDER / "de-sparkasse.eml") != "phishing"


PHISH = Path(__file__).parent / "data" / "phish"
UNSEEN_BRAND = {"nl-digid.eml"}


@pytest.mark.parametrize(
    "path", sorted(p for p in PHISH.glob("*.eml") if p.name not in UNSEEN_BRAND), ids=lambda p: p.name
)
def test_phish_in_five_languages_is_phishing(path: Path) -> None:
    # written before they were first scanned (stop 30): 6 of 8 caught; the French refund lure
    # was caught once written requests in the infinitive were read ("Veuillez mettre à jour")
    assert label_of(path) == "phishing"


@pytest.mark.xfail(
    strict=True,
    reason="DigiD (the Dutch government login) is no protected brand here: digid-verlenging.nl "
    "imitates nothing Seawall knows, and the sender's name and links are its own",
)
def test_a_lookalike_of_a_brand_seawall_does_not_know_is_phishing() -> None:
    assert label_of(PHISH / "nl-digid.eml") == "phishing"
