"""Features of who sent the message: the From display name against its address, brands,
roles and executives it claims, Reply-To, authentication results."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from functools import lru_cache

from seawall.detect.features.catalogue import Features, Hit
from seawall.detect.features.context import _LETTERS, FeatureContext, _Add, _restricted_registry
from seawall.detect.features.links import _domains_related
from seawall.detect.lexicon import normalise_words
from seawall.detect.protected import BrandBook, ProtectedSet
from seawall.mail.domains import domain_label, email_domain, registered_domain
from seawall.mail.model import AuthResults, ParsedMessage

_WORD_RUN = re.compile(r"\w+")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_GREEK_OR_CYRILLIC = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")


def _mixed_script(text: str) -> bool:
    """A word that mixes Latin with Greek or Cyrillic letters ("Pаypal" with a Cyrillic a).
    Word by word, so that one long word costs its length once (a pair of look-aheads over
    every position of a 100 KB word took minutes)."""
    return any(
        _LATIN_LETTER.search(word) and _GREEK_OR_CYRILLIC.search(word)
        for word in (match.group(0) for match in _WORD_RUN.finditer(text))
    )


def generated_label(label: str) -> bool:
    """A domain label that reads as machine-generated ("24ljq337lqkwedzny9rg", "ip-94-23-7"):
    long, with digits scattered among its letters. Throwaway domains registered by the batch
    to outrun reputation look so; a business or a person picks a name ("e2open", "3com").
    None of the 8,154 ham of our corpora sends from one, 74 of 2,170 phish do."""
    if len(label) < 10:
        return False
    digits = sum(c.isdigit() for c in label)
    switches = sum(1 for a, b in itertools.pairwise(label) if a.isdigit() != b.isdigit())
    return digits >= 3 and switches >= 4


_WORDLIKE = re.compile(r"(?<![\w./@#=&%+-])[A-Za-z0-9]{10,}(?![\w./@#=&%+-])")


def _character_class(char: str) -> str:
    return "digit" if char.isdigit() else "upper" if char.isupper() else "lower"


def random_strings(text: str) -> list[str]:
    """The words of ``text`` that read as random strings ("v5V0ZVRe1HjazliqQoYz",
    "Cod. xsjgzJ5ukSpOF"): ten characters or more mixing capitals, small letters and digits,
    which switch at least every two or three characters. A mass mailing salts each copy's
    subject with one so that no two copies match a filter's checksum of a known message (the
    "hash buster"). Names and identifiers written in camel case ("ModuleNotFoundError",
    "N2rt13HDRTExceptionE") switch far less often; codes a business sends are digits, or
    capitals and digits. None of the 8,154 ham of our corpora has one in its subject."""
    found = []
    for word in _WORDLIKE.findall(text):
        classes = [_character_class(c) for c in word]
        if not {"digit", "upper", "lower"} <= set(classes):
            continue
        switches = sum(1 for a, b in itertools.pairwise(classes) if a != b)
        if switches >= 0.4 * (len(word) - 1):
            found.append(word)
    return found


_STYLED_LETTER = re.compile("[\U0001d400-\U0001d7ff]")
"""Unicode's mathematical alphanumerics (𝐁𝐨𝐥𝐝, 𝘪𝘵𝘢𝘭𝘪𝘤, 𝓈𝒸𝓇𝒾𝓅𝓉, 𝟙𝟚): letters for formulas that
render as styled text and match no word a filter or a reader's search looks for."""


def styled_letters(text: str) -> int:
    """How many letters of ``text`` are written in mathematical alphanumerics."""
    return len(_STYLED_LETTER.findall(text)) if not text.isascii() else 0


# "Jane Doe via USRP-users", "'Jane Doe' via Google Groups": Mailman and Google Groups put
# the poster in Reply-To and the list in From when the poster's domain publishes DMARC.
_VIA_LIST = re.compile(r"\bvia\s+([\w .@'-]{2,60})$", re.IGNORECASE)


def _is_list_address(list_name: str, address: str) -> bool:
    """Whether the From address is that list's own address (the rewrite's other half)."""
    squeeze = re.compile(r"[^a-z0-9]")
    name = squeeze.sub("", list_name.lower())
    local, _, domain = address.partition("@")
    return bool(name) and (
        name in squeeze.sub("", local) or domain.startswith("lists.") or domain == "googlegroups.com"
    )


# Starts only where an address can start, and a local part is at most 64 characters: the
# unanchored "[\w.+-]+@" tried every position of a long word and scanned to its end each time.
_EMAIL_IN_TEXT = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@([\w-]+(?:\.[\w-]+)+)")
_EXPORT_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "date", "mime-version"}
    | {"content-type", "content-transfer-encoding"}
)


def _names_related(display_name: str, address: str) -> bool:
    """Whether a display name and the address it comes with name the same sender.

    Real senders' names recur in their address ("Energy Weekly" <news@energyweekly.com>,
    "Kay Mann" <kmann@...>, initials); a lure's borrowed name ("Stellar.org",
    "Lowes") rarely does. Compared on letters only, so any Latin-script language works."""
    words = _LETTERS.findall(" ".join(normalise_words(display_name)))
    if not words:
        return True  # nothing to compare (digits, another script)
    local, _, domain = address.lower().partition("@")
    address_words = _LETTERS.findall(local) + _LETTERS.findall(" ".join(domain.split(".")[:-1]))
    address_letters = "".join(address_words)
    name_letters = "".join(words)
    if any(word in address_letters for word in words):
        return True
    if any(len(word) >= 4 and word in name_letters for word in address_words):
        return True
    initials = "".join(word[0] for word in words)
    return len(initials) >= 2 and initials in address_letters


def _same_government(registry: str, brand_domains: Iterable[str], context: FeatureContext) -> bool:
    """Whether a sender under a government-only ``registry`` speaks for a brand that is a body
    of that same government (a domain of the brand lies under it)."""
    return bool(registry) and any(
        _restricted_registry(domain, context.restricted_registries) == registry for domain in brand_domains
    )


@lru_cache(maxsize=256)
def _recipient_protected(domains: frozenset[str], generic: frozenset[str]) -> ProtectedSet:
    # Recipients' domains are protected against imitations of the name itself, not against
    # another suffix (companies own several) or the name as a subdomain of someone else's.
    protected = ProtectedSet(
        generic_labels=generic,
        tld_swap_owners=frozenset(),
        max_typo_distance=1,
        allowed_kinds=frozenset({"homoglyph", "hyphenation", "typo", "subdomain", "brand_in_domain"}),
    )
    for domain in sorted(domains):
        protected.add(domain, "recipient domain")
    return protected


def _name_and_links_agree(features: Features, brands: BrandBook) -> None:
    """A display name that names the site every reader is sent to ("SWM Kundenservice"
    <rechnung@stadtwerke-muenchen.de> linking swm.de; "Energy Weekly" linking
    energyweekly.com) stands behind its links, and they behind it: only the address differs,
    as when a company bills from another of its domains. Neither is then "unrelated". A name
    that claims a protected brand is left to the brand rules."""
    names = features.get("from.display_name")
    if not names or not ("from.display_name_unrelated" in features or "link.unrelated_to_sender" in features):
        return
    words = normalise_words(str(names[0].value))
    if any(brands.claimed_brands(words)):
        return
    letters = _LETTERS.findall(" ".join(words))
    spelled = set(letters) | ({"".join(letters)} if len(letters) > 1 else set())
    own = [str(hit.value) for hit in features.get("from.registered_domain", [])]
    # the sites the address does not explain, by name ("swm" of swm.de)
    linked = {
        domain_label(str(hit.value)).replace("-", "")
        for hit in features.get("link.domain", [])
        if not any(_domains_related(domain, str(hit.value)) for domain in own)
    }
    if not linked or not linked <= spelled:
        return
    for name in ("from.display_name_unrelated", "link.unrelated_to_sender"):
        features.pop(name, None)
    features["from.display_name_names_links"] = [
        Hit("from.display_name_names_links", ", ".join(sorted(linked)), "header:From")
    ]


_WRAPPING_KINDS = ("(brand_in_domain)", "(brand_in_subdomain)")


def _brand_wrap_linking_brand(features: Features, owners: ProtectedSet) -> None:
    """A sender domain that wraps a brand's name ("yahoo-inc.com") while every link of the
    message is that brand's own has no way to the reader but the brand's: whatever it is, its
    name alone (or a display name claiming that brand) deceives no one into anything. The wrap
    is then a fact for the model to weigh, not a deception (a brand's own links are not
    evidence against a message claiming it)."""
    hits = features.get("from.lookalike")
    links = features.get("link.domain")
    if not hits or not links or not hits[0].where.endswith(_WRAPPING_KINDS):
        return
    brand = owners.owner_of(str(hits[0].value))
    if brand is None or any(owners.owner_of(str(link.value)) != brand for link in links):
        return
    del features["from.lookalike"]
    features["from.brand_wrapped_linking_brand"] = [
        Hit("from.brand_wrapped_linking_brand", hits[0].value, hits[0].where)
    ]
    # Nor does a display name that claims the same brand ("SharePoint Online"
    # <no-reply@sharepointonline.com>, every link on sharepoint.com): it says whose the
    # message is, and every way out of it is that brand's.
    claimed = [hit for hit in features.get("from.display_name_brand", []) if hit.value != brand]
    if claimed:
        features["from.display_name_brand"] = claimed
    else:
        features.pop("from.display_name_brand", None)


def _contains_sequence(words: list[str], sequence: tuple[str, ...]) -> bool:
    length = len(sequence)
    return any(tuple(words[i : i + length]) == sequence for i in range(len(words) - length + 1))


_EXCHANGE_ONLINE_FRONTENDS = (
    ".mail.protection.outlook.com",  # worldwide
    ".mail.protection.office365.us",  # GCC High / DoD
    ".mail.protection.partner.outlook.cn",  # operated by 21Vianet
)


def _microsoft365_stamp(message: ParsedMessage) -> AuthResults | None:
    """Exchange Online's verdict on arrival: the topmost Authentication-Results, with no
    authserv-id, written above the hop by which the message entered Exchange Online's frontend
    (the topmost Received "by ….mail.protection.outlook.com"). One a sender wrote sits below
    that hop, so it is never taken for the stamp."""
    topmost = next((h for h in message.auth_results if h.arc_instance is None), None)
    if topmost is None or topmost.authserv_id:
        return None
    arrival = next(
        (hop for hop in message.received if hop.by_host.endswith(_EXCHANGE_ONLINE_FRONTENDS)),
        None,
    )
    if arrival is None or arrival.position < topmost.position:
        return None
    return topmost


def _authentication(message: ParsedMessage, context: FeatureContext, from_reg: str, add: _Add) -> None:
    if not context.trusted_authserv_ids and not context.trust_microsoft365:
        return
    stamp = _microsoft365_stamp(message) if context.trust_microsoft365 else None
    aligned = False
    for header in message.auth_results:
        receiver = header.authserv_id
        if header is stamp:
            receiver = "microsoft365"
        elif not receiver or receiver not in context.trusted_authserv_ids:
            continue
        kind = "ARC-Authentication-Results" if header.arc_instance is not None else "Authentication-Results"
        where = f"header:{kind}[{header.position}] ({receiver})"
        add("auth.trusted", receiver, where)
        for result in header.results:
            if result.method in ("spf", "dkim", "dmarc", "arc"):
                add(f"auth.{result.method}", result.result, where)
            if result.method == "dmarc" and "policy.published" in result.properties:
                add("auth.dmarc_policy", result.properties["policy.published"], where)
            if result.method == "dmarc" and result.result == "pass":
                aligned = True
            if result.method == "dkim" and result.result == "pass" and from_reg:
                signer = result.properties.get("header.d") or email_domain(
                    result.properties.get("header.i", "")
                )
                if signer and registered_domain(signer.lstrip("@")) == from_reg:
                    aligned = True
        if aligned:
            add("auth.aligned_pass", True, where)
            return
