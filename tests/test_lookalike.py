"""Lookalike domains: what dnstwist generates against protected domains must be caught,
and ordinary unrelated domains must not be."""

from __future__ import annotations

import pytest

from seawall.detect.protected import ProtectedSet, default_brand_book, skeleton
from seawall.mail.domains import registered_domain

dnstwist = pytest.importorskip("dnstwist")

TARGETS = ["paypal.com", "microsoft.com", "northwind-energy.com", "docusign.net", "example-agency.gov"]
# Fuzzers whose output is a lookalike a reader could mistake for the original. "dictionary"
# needs a word list; "various" and "plural" are included.
FUZZERS = [
    "addition",
    "bitsquatting",
    "cyrillic",
    "homoglyph",
    "hyphenation",
    "insertion",
    "omission",
    "repetition",
    "replacement",
    "subdomain",
    "transposition",
    "vowel-swap",
    "various",
    "plural",
]


def _protected() -> ProtectedSet:
    book = default_brand_book().with_organisation(
        "Northwind Energy", [], ["northwind-energy.com", "example-agency.gov"]
    )
    return book.static


@pytest.mark.parametrize("target", TARGETS)
def test_dnstwist_permutations_are_recognised(target: str) -> None:
    protected = _protected()
    fuzzer = dnstwist.Fuzzer(target)
    fuzzer.generate(fuzzers=FUZZERS)
    candidates = []
    for entry in fuzzer.permutations():
        domain = entry["domain"]
        host = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
        reg = registered_domain(host)
        if not reg or reg == target or protected.owner_of(reg):
            continue  # the original, or another protected brand's real domain
        candidates.append((host, reg))
    assert len(candidates) > 100
    missed = [host for host, reg in candidates if protected.check(reg, host) is None]
    rate = 1 - len(missed) / len(candidates)
    assert rate >= 0.95, f"{target}: caught {rate:.1%}; missed e.g. {missed[:15]}"


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "ettus.com",
        "kernel.org",
        "nytimes.com",
        "wikipedia.org",
        "sourceforge.net",
        "energyweekly.com",
        "harborlogistics.com",
        "paypalobjects.com",
        "github.io",
        "python.org",
        "debian.org",
        # two edits from "t-online" once its own hyphen counts, and another suffix besides
        "online.ru",
        # "gen" of gen.digital is a word of other names, not a name Norton is known by
        "dist-gen.com",
        # a German car marketplace, not a typo of "t-mobile"
        "mobile.de",
    ],
)
def test_ordinary_domains_are_not_lookalikes(domain: str) -> None:
    assert _protected().check(registered_domain(domain), domain) is None


def test_kinds_are_reported() -> None:
    protected = _protected()
    assert protected.check("paypa1.com").kind == "homoglyph"  # type: ignore[union-attr]
    assert protected.check("pay-pal.com").kind == "hyphenation"  # type: ignore[union-attr]
    assert protected.check("northwind-energv.com").kind == "typo"  # type: ignore[union-attr]
    assert protected.check("northwind-energy.co").kind == "tld_swap"  # type: ignore[union-attr]
    assert protected.check("security.com", "paypal.com.security.com").kind == "subdomain"  # type: ignore[union-attr]
    assert protected.check("paypal-secure-login.com").kind == "brand_in_domain"  # type: ignore[union-attr]
    # a short label the brand is known by is still looked for inside other names
    assert protected.check("dhl-tracking.com").kind == "brand_in_domain"  # type: ignore[union-attr]
    assert protected.check("tonline.de").kind == "hyphenation"  # type: ignore[union-attr]
    assert protected.check("post-banken.com").imitates == "postbank.de"  # type: ignore[union-attr]
    # Brands own many country domains: another suffix of a brand is not flagged on its own.
    assert protected.check("paypal.co") is None


def test_skeleton_undoes_homoglyphs_and_punycode() -> None:
    assert skeleton("xn--pypal-4ve") == skeleton("paypal")
    assert skeleton("rnicrosoft") == skeleton("microsoft")
    assert skeleton("g00gle") == skeleton("google")


def test_a_brand_run_together_with_a_lure_word_of_another_language_is_a_lookalike() -> None:
    # phish in Portuguese, German and Dutch run the brand into their own service words
    book = default_brand_book()
    for domain in ("infobradesco.com.br", "bradescoseguranca.com", "sparkassesicherheit.de"):
        found = book.static.check(domain)
        assert found is not None and found.kind == "brand_in_domain", domain
