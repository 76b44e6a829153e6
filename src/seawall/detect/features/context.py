"""What feature extraction reads besides the message: the organisation, the brand book, the
lexicon and the shipped lists (free hosting, trackers, registries...), and the collector of hits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

from seawall.config import Settings
from seawall.detect.features.catalogue import Features, FeatureValue, Hit
from seawall.detect.lexicon import Lexicon, default_lexicon, normalise_words
from seawall.detect.protected import BrandBook, organisation_brand_book
from seawall.detect.redirectors import Redirectors, default_redirectors
from seawall.mail.domains import registered_domain

_LETTERS = re.compile(r"[a-z]{3,}")


def _tld(registered: str) -> str:
    """The top-level domain of a registered domain ("" for none)."""
    return registered.rsplit(".", 1)[-1] if registered else ""


def _restricted_registry(domain: str, registries: frozenset[str]) -> str:
    """The government-only suffix ``domain`` lies under ("gov" for mail.house.gov), or ""."""
    labels = domain.lower().rstrip(".").split(".")
    for start in range(1, len(labels)):
        suffix = ".".join(labels[start:])
        if suffix in registries:
            return suffix
    return ""


def data_lines(name: str, package: str = "seawall.detect") -> frozenset[str]:
    """A shipped list (one lower-cased entry per line, ``#`` comments) from ``<package>/data``."""
    text = resources.files(package).joinpath(f"data/{name}").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _host_in(host: str, suffixes: frozenset[str]) -> str:
    """The listed suffix that ``host`` equals or is a subdomain of, or ``""``."""
    if host in suffixes:
        return host
    position = host.find(".")
    while position >= 0:
        candidate = host[position + 1 :]
        if candidate in suffixes:
            return candidate
        position = host.find(".", position + 1)
    return ""


@dataclass(frozen=True)
class FeatureContext:
    """What feature extraction needs beyond the message: lists, lexicon, organisation."""

    brands: BrandBook
    lexicon: Lexicon
    own_domains: frozenset[str]
    executives: tuple[tuple[str, ...], ...]
    trusted_authserv_ids: frozenset[str]
    protect_recipient_domains: bool
    freemail: frozenset[str]
    shorteners: frozenset[str]
    free_hosting: frozenset[str]
    mail_platforms: frozenset[str]
    suspicious_tlds: frozenset[str]
    redirectors: Redirectors
    restricted_registries: frozenset[str] = frozenset()
    user_content: frozenset[str] = frozenset()
    trust_microsoft365: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> FeatureContext:
        org = settings.organisation
        return cls(
            brands=organisation_brand_book(org.name, tuple(org.names), tuple(org.domains)),
            lexicon=default_lexicon(),
            own_domains=frozenset(registered_domain(d) or d.lower() for d in org.domains),
            executives=tuple(tuple(normalise_words(e)) for e in org.executives if normalise_words(e)),
            trusted_authserv_ids=frozenset(a.lower() for a in settings.authentication.trusted_authserv_ids),
            trust_microsoft365=settings.authentication.microsoft365,
            protect_recipient_domains=org.protect_recipient_domains,
            freemail=data_lines("freemail.txt"),
            shorteners=data_lines("shorteners.txt"),
            free_hosting=data_lines("free_hosting.txt"),
            mail_platforms=data_lines("mail_platforms.txt"),
            suspicious_tlds=data_lines("suspicious_tlds.txt"),
            restricted_registries=data_lines("restricted_registries.txt"),
            user_content=data_lines("user_content.txt"),
            redirectors=default_redirectors(),
        )


class _Add(Protocol):
    def __call__(self, name: str, value: FeatureValue = True, where: str = "message") -> None: ...


class _Lookalike(Protocol):
    def __call__(self, domain: str, host: str = "") -> tuple[str, str] | None: ...


class _Collector:
    """Accumulates hits; a tiny helper so extraction code reads as a list of facts."""

    __slots__ = ("features",)

    def __init__(self) -> None:
        self.features: Features = {}

    def add(self, name: str, value: FeatureValue = True, where: str = "message") -> None:
        hit = Hit(name, value, where)
        existing = self.features.get(name)
        if existing is None:
            self.features[name] = [hit]
        else:
            existing.append(hit)
