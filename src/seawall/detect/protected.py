"""Protected names and domains, and the lookalikes that imitate them.

Protected are: the shipped brands (``data/brands.yml``), the organisation's own names and
domains (configuration) and, with no configuration at all, the recipients' own domains.
A lookalike is found the way dnstwist generates them, in reverse: homoglyphs (a skeleton
after Unicode and ASCII confusables), typos (edit distance), hyphenation, a brand inside a
longer name, a different suffix, or the protected name split into subdomains. The test-suite
checks this against dnstwist's own permutations.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from seawall.detect.lexicon import normalise_words
from seawall.mail.domains import domain_label, public_suffix, registered_domain

# Latin lookalikes from other scripts (Unicode TR39 confusables, the letters seen in real
# IDN homograph attacks) and the ASCII letters and digits a reader confuses (the pairs
# dnstwist's homoglyph fuzzer uses). Each class collapses to one letter: the skeleton is a
# visual fingerprint, compared only against protected names, never shown.
_CONFUSABLES = {
    "а": "a",
    "ɑ": "a",
    "α": "a",
    "в": "b",
    "Ь": "b",
    "ь": "b",
    "с": "e",
    "ϲ": "e",
    "ԁ": "d",
    "е": "e",
    "ё": "e",
    "є": "e",
    "ε": "e",
    "ԍ": "q",
    "ɡ": "q",
    "һ": "h",
    "н": "h",
    "і": "l",
    "ї": "l",
    "ι": "l",
    "ӏ": "l",
    "ј": "j",
    "к": "k",
    "κ": "k",
    "ⅼ": "l",
    "м": "n",
    "п": "n",
    "η": "n",
    "о": "o",
    "ο": "o",
    "σ": "o",
    "ө": "o",
    "р": "p",
    "ρ": "p",
    "ԛ": "q",
    "г": "n",
    "ѕ": "s",
    "т": "t",
    "τ": "t",
    "υ": "v",
    "ս": "v",
    "ѵ": "v",
    "ν": "v",
    "ԝ": "w",
    "ѡ": "w",
    "х": "x",
    "χ": "x",
    "у": "y",
    "ү": "y",
    "γ": "y",
    "ᴢ": "z",
    "ı": "l",
    "ł": "l",
    "0": "o",
    "1": "l",
    "i": "l",
    "!": "l",
    "|": "l",
    "c": "e",
    "b": "d",
    "g": "q",
    "u": "v",
    "m": "n",
    "r": "n",
    "3": "8",
    "6": "9",
    "5": "s",
}
# Two-letter lookalikes, replaced before single letters ("rn" reads as "m").
_MULTI_CONFUSABLES = (
    ("rn", "m"),
    ("nn", "m"),
    ("vv", "w"),
    ("cl", "d"),
    ("dl", "d"),
    ("lb", "b"),
    ("lh", "h"),
    ("lc", "k"),
)


_DECEPTIVE_WORD = re.compile(
    r"login|logon|signin|secure|verif|account|support|update|service|billing|help|confirm|auth|wallet"
    r"|recover|security|alert|notice|center|centre|online|portal|webmail|unlock|validate|refund|payment"
    r"|info"
    # the same words in the other languages our phish come in ("infobradesco", "bradescoseguranca",
    # "sparkassesicherheit", "ingklantenservice"): pt, de, es, fr, nl
    r"|seguranca|seguridad|securite|sicherheit|beveiliging|atendimento|atencion|cliente|client|kunden"
    r"|klant|conta|cuenta|compte|konto|rekening|acesso|acceso|acces|zugang|toegang|suporte|soporte"
    r"|assistance|hilfe|pagamento|pago|paiement|zahlung|betaling|cadastro|desbloqueio|anmeldung"
)


def _hyphened_skeleton(label: str) -> str:
    """The skeleton of each hyphen-separated part: for a typo on top of homoglyphs, a hyphen
    is an edit like any other ("online" is two edits from "t-online", not one from "tonline")."""
    return "-".join(skeleton(part) for part in label.split("-"))


SHORT_NAME = 5
"""Labels shorter than this are looked for inside other domains only when they are a name the
brand is known by ("dhl" in "dhl-tracking")."""


@lru_cache(maxsize=65536)
def skeleton(label: str) -> str:
    """A canonical form under which visually confusable labels become equal."""
    if label.startswith("xn--") or ".xn--" in label:
        with contextlib.suppress(UnicodeError):
            label = label.encode("ascii").decode("idna")
    text = unicodedata.normalize("NFKD", label.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for source, target in _MULTI_CONFUSABLES:
        text = text.replace(source, target)
    text = "".join(_CONFUSABLES.get(ch, ch) for ch in text)
    return text.replace("-", "")


@dataclass(frozen=True, slots=True)
class Brand:
    name: str
    keywords: tuple[tuple[str, ...], ...]
    ambiguous: frozenset[tuple[str, ...]]
    domains: frozenset[str]


@dataclass(frozen=True, slots=True)
class Lookalike:
    """A domain imitating a protected one: which one, and how."""

    imitates: str
    owner: str
    kind: str


# Words that may stand beside an ambiguous brand name in a display name without making it
# a person's or a shop's name ("Apple Support", "Chase Online Banking").
_SERVICE_WORDS = frozenset(
    normalise_words(
        "support team service services customer customers care account accounts security alert alerts "
        "notification notifications notice online banking bank billing no-reply noreply reply info "
        "information center centre help helpdesk mail email message messages update updates "
        "verification verify id pay payments store express delivery id. the de do da das dos "
        "kundenservice kundendienst sicherheit atendimento suporte conta seguranca servico "
        "servicio cuenta compte securite konto klantenservice privacy admin administrator official "
        "inc llc corp ltd gmbh sa s.a group"
    )
)


@dataclass(slots=True, eq=False)
class ProtectedSet:
    """Every protected domain with its owner, indexed for fast lookalike checks."""

    owners: dict[str, str] = field(default_factory=dict)
    generic_labels: frozenset[str] = frozenset()
    allowed_kinds: frozenset[str] = frozenset(
        {"tld_swap", "homoglyph", "hyphenation", "typo", "subdomain", "brand_in_domain", "brand_in_subdomain"}
    )
    tld_swap_owners: frozenset[str] | None = None
    max_typo_distance: int = 2
    """Edit distance accepted as a typo for names of ten letters or more (one below that)."""
    """Owners whose other suffixes count as imitation. Brands own many country domains
    (amazon.de, github.io), so by default only the organisation's own domains qualify."""
    _by_label: dict[str, list[str]] = field(default_factory=dict)
    _by_skeleton: dict[str, list[str]] = field(default_factory=dict)
    _labels: list[str] = field(default_factory=list)
    _distinctive: list[str] = field(default_factory=list)
    _typo_short: list[str] = field(default_factory=list)
    _typo_long: list[str] = field(default_factory=list)
    _typo_labels: list[str] = field(default_factory=list)
    _typo_skeletons: list[str] = field(default_factory=list)
    _cache: dict[tuple[str, str], Lookalike | None] = field(default_factory=dict)

    def add(self, domain: str, owner: str, known_names: frozenset[str] | None = None) -> None:
        """``known_names``: the names (as joined words) a brand is known by; a short label that
        is none of them ("gen" of gen.digital, "aka" of aka.ms) is a word of other names too
        ("dist-gen.com"), not the brand's own, and is not looked for inside other domains."""
        domain = registered_domain(domain) or domain.lower()
        if not domain or domain in self.owners:
            return
        self.owners[domain] = owner
        label = domain_label(domain)
        if not label:
            return
        if label not in self._by_label:
            self._labels.append(label)
            if (
                label not in self.generic_labels
                and len(label) >= 3
                and (known_names is None or len(label) >= SHORT_NAME or label in known_names)
            ):
                self._distinctive.append(label)
            if label not in self.generic_labels and len(label) >= 6:
                (self._typo_short if len(label) < 10 else self._typo_long).append(label)
                self._typo_labels.append(label)
                self._typo_skeletons.append(_hyphened_skeleton(label))
        self._by_label.setdefault(label, []).append(domain)
        self._by_skeleton.setdefault(skeleton(label), []).append(domain)

    def owner_of(self, domain: str) -> str | None:
        return self.owners.get(domain)

    def check(self, domain: str, host: str = "") -> Lookalike | None:
        """Whether ``domain`` (a registered domain) imitates a protected one."""
        if not domain or domain in self.owners:
            return None
        key = (domain, host)
        if key in self._cache:
            return self._cache[key]
        if len(self._cache) > 65536:
            self._cache.clear()
        found = self._check(domain, host)
        if found is not None and found.kind not in self.allowed_kinds:
            found = None
        self._cache[key] = found
        return found

    def _check(self, domain: str, host: str) -> Lookalike | None:
        label = domain_label(domain)
        if not label:
            return None
        suffix = public_suffix(domain)
        for protected in self._by_label.get(label, ()):
            if public_suffix(protected) != suffix and (
                self.tld_swap_owners is None or self.owners[protected] in self.tld_swap_owners
            ):
                return self._found(protected, "tld_swap")
        for protected in self._by_skeleton.get(skeleton(label), ()):
            if domain_label(protected) == label:
                continue  # the same name under another suffix: only tld_swap may say so
            return self._found(
                protected,
                # the same letters, hyphens moved: hyphenation ("tonline" for "t-online")
                "hyphenation"
                if label.replace("-", "") == domain_label(protected).replace("-", "")
                else "homoglyph",
            )
        if label.startswith("xn--"):
            found = self._idn_lookalike(label)
            if found is not None:
                return found
        if host and host != domain:
            found = self._subdomain_trick(domain, host)
            if found is not None:
                return found
        label_skeleton = skeleton(label)
        # rapidfuzz compares against every protected name in C; one call per distance class.
        for choices, query, allowed in (
            (self._typo_short, label, 1),
            (self._typo_long, label, self.max_typo_distance),
            (self._typo_skeletons, _hyphened_skeleton(label), 1),  # a typo on top of homoglyphs
        ):
            best = process.extractOne(query, choices, scorer=OSA.distance, score_cutoff=allowed)
            if best is not None and best[0] != label:
                candidate = self._typo_labels[best[2]] if choices is self._typo_skeletons else best[0]
                if candidate != label:
                    return self._found(self._by_label[candidate][0], "typo")
        padded = f"-{label}-"
        for candidate in self._distinctive:
            if candidate == label:
                continue
            if f"-{candidate}-" in padded:
                # The protected name as whole words: "dhl-tracking", "northwind-energy-it".
                return self._found(self._by_label[candidate][0], "brand_in_domain")
            if len(candidate) >= 5 and candidate in label:
                if _DECEPTIVE_WORD.search(label.replace(candidate, " ")):
                    # Run together ("paypalsupport"): only with a lure word, since brands own
                    # many such names themselves (yahoogroups, githubassets, googleusercontent).
                    return self._found(self._by_label[candidate][0], "brand_in_domain")
                continue
            if len(candidate) >= 5 and skeleton(candidate) in label_skeleton:
                # "micros0ft-security": the protected name is there only after undoing homoglyphs.
                return self._found(self._by_label[candidate][0], "homoglyph")
        return None

    def _idn_lookalike(self, label: str) -> Lookalike | None:
        """An internationalised name whose ASCII letters spell a protected name around
        foreign ones ("ƥaɏpal"): any letter outside ASCII is a possible homoglyph."""
        try:
            text = skeleton(label)
        except UnicodeError:  # pragma: no cover - skeleton already guards decoding
            return None
        foreign = sum(1 for ch in text if not ch.isascii())
        if not foreign or foreign * 2 > len(text):
            return None
        for candidate in self._labels:
            plain = skeleton(candidate)
            if len(plain) == len(text) and all(
                a == b or not a.isascii() for a, b in zip(text, plain, strict=True)
            ):
                return self._found(self._by_label[candidate][0], "homoglyph")
        return None

    def _subdomain_trick(self, domain: str, host: str) -> Lookalike | None:
        """``paypal.com.account-check.net`` and ``pay.pal.com`` put a protected name in front."""
        prefix = host[: -len(domain)].rstrip(".")
        if not prefix:
            return None
        for protected in self.owners:
            if (
                prefix == protected
                or prefix.endswith("." + protected)
                or (prefix.startswith(protected + ".") or f".{protected}." in f".{prefix}.")
            ):
                return self._found(protected, "subdomain")
        joined = (prefix + domain_label(domain)).replace(".", "")
        if joined in self._by_label and joined not in self.generic_labels:
            return self._found(self._by_label[joined][0], "subdomain")
        labels = prefix.split(".")
        for candidate in labels:
            # "paypal.secure-login.example", not a vendor's "youtube.sdra.io": the rest of the
            # name must sound like a lure.
            if (
                candidate in self._by_label
                and candidate in self._distinctive
                and len(candidate) >= 4
                and _DECEPTIVE_WORD.search(host.replace(candidate, " ", 1))
            ):
                return self._found(self._by_label[candidate][0], "brand_in_subdomain")
        return None

    def _found(self, protected: str, kind: str) -> Lookalike:
        return Lookalike(imitates=protected, owner=self.owners[protected], kind=kind)


class BrandBook:
    """The protected brands and the organisation, and who a display name claims to be."""

    def __init__(
        self, brands: list[Brand], generic_labels: frozenset[str], organisation: Brand | None = None
    ) -> None:
        self.organisation = organisation
        self.brands = [organisation, *brands] if organisation is not None else list(brands)
        self._keywords: dict[str, list[tuple[tuple[str, ...], Brand]]] = {}
        for brand in self.brands:
            for words in brand.keywords:
                self._keywords.setdefault(words[0], []).append((words, brand))
        for entries in self._keywords.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        self.static = ProtectedSet(
            generic_labels=generic_labels,
            tld_swap_owners=frozenset({organisation.name}) if organisation else frozenset(),
        )
        for brand in self.brands:
            known = None if brand is organisation else frozenset("".join(k) for k in brand.keywords)
            # sorted: a set's order changes with the interpreter's hash seed, and the first
            # protected domain found is the one a lookalike is reported (and trained) as
            for domain in sorted(brand.domains):
                self.static.add(domain, brand.name, known)

    def with_organisation(self, name: str, names: list[str], domains: list[str]) -> BrandBook:
        """A copy that also protects the organisation's own names and domains."""
        organisation = Brand(
            name=name or "our organisation",
            keywords=tuple(tuple(normalise_words(n)) for n in [name, *names] if normalise_words(n)),
            ambiguous=frozenset(),
            domains=frozenset(registered_domain(d) or d.lower() for d in domains),
        )
        return BrandBook(self.brands, self.static.generic_labels, organisation)

    def claimed_brands(self, words: list[str]) -> list[tuple[Brand, str]]:
        """Brands a display name (as words) claims to be, with the words that claim it."""
        found: list[tuple[Brand, str]] = []
        seen: set[str] = set()
        for position, word in enumerate(words):
            for keyword, brand in self._keywords.get(word, ()):
                end = position + len(keyword)
                if tuple(words[position:end]) != keyword or brand.name in seen:
                    continue
                if keyword in brand.ambiguous:
                    rest = words[:position] + words[end:]
                    if any(w not in _SERVICE_WORDS for w in rest):
                        continue
                found.append((brand, " ".join(keyword)))
                seen.add(brand.name)
        return found

    def brand_named(self, name: str) -> Brand | None:
        for brand in self.brands:
            if brand.name == name:
                return brand
        return None


def _load_brands() -> tuple[list[Brand], frozenset[str]]:
    text = resources.files("seawall.detect").joinpath("data/brands.yml").read_text("utf-8")
    data = yaml.safe_load(text)
    brands = []
    for entry in data["brands"]:
        keywords = tuple(tuple(normalise_words(k)) for k in entry.get("keywords", []))
        ambiguous = frozenset(tuple(normalise_words(k)) for k in entry.get("ambiguous_keywords", []))
        domains = frozenset(registered_domain(d) or d.lower() for d in entry.get("domains", []))
        brands.append(Brand(entry["name"], tuple(k for k in keywords if k), ambiguous, domains))
    return brands, frozenset(data.get("generic_labels", []))


@cache
def default_brand_book() -> BrandBook:
    brands, generic = _load_brands()
    return BrandBook(brands, generic)


@cache
def organisation_brand_book(name: str, names: tuple[str, ...], domains: tuple[str, ...]) -> BrandBook:
    base = default_brand_book()
    if not (name or names or domains):
        return base
    return base.with_organisation(name, list(names), list(domains))
