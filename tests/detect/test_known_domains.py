"""Organisations' own domains are not lookalikes of someone else's: Spain's postal service is
not a typo of Brazil's, a German bank's domain is not an imitation of another brand."""

from __future__ import annotations

from pathlib import Path

from seawall.detect.protected import default_brand_book
from seawall.mail.domains import registered_domain

KNOWN = Path(__file__).parent / "data" / "known_domains.txt"


def _known_domains() -> list[str]:
    lines = KNOWN.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_real_organisations_domains_in_six_languages_are_no_lookalikes() -> None:
    protected = default_brand_book().static
    domains = _known_domains()
    assert len(domains) > 200
    flagged = {d: protected.check(registered_domain(d) or d) for d in domains}
    assert {d: (f.imitates, f.kind) for d, f in flagged.items() if f is not None} == {}


def test_a_typo_of_the_spanish_post_is_still_a_lookalike() -> None:
    for lookalike in ("correoss.es", "c0rreos.es", "correos-envios.com"):
        found = default_brand_book().static.check(lookalike)
        assert found is not None and found.imitates.startswith("correos."), lookalike
