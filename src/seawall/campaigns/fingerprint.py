"""What makes two messages one campaign: a fingerprint computed once per message.

A fingerprint has two halves. The *text* half is a MinHash (datasketch) of word 3-shingles of
the visible text after personalisation is normalised away: recipients' names and addresses,
URLs, numbers and tracking tokens. The *infrastructure* half is a set of keys: link host and
path (tracking tokens masked), registered domains of links, attachment hashes, sender domain,
the sending IP and the subject template. Keys are strong (one shared key is enough to join a
campaign) or weak (two are needed), because a sending IP or a subject line is shared by
unrelated mail far more often than a phishing domain or an attachment hash.
"""

from __future__ import annotations

import ipaddress
import re
import zlib
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from seawall.detect.features import data_lines
from seawall.detect.redirectors import default_redirectors
from seawall.mail.domains import UrlParts, registered_domain
from seawall.mail.model import ParsedMessage

if TYPE_CHECKING:
    from datasketch import MinHash

NUM_PERM = 64
SEED = 7
SHINGLE = 3
MIN_WORDS = 8
"""Below this many words the text half is left out: a short text is a template of nothing."""
MAX_WORDS = 400
"""The opening of a lure identifies it; long tails (quoted threads, legal text) add nothing."""

STRONG_KINDS = frozenset({"url", "domain", "attachment"})
WEAK_KINDS = frozenset({"sender", "ip", "subject"})

_URL = re.compile(r"(?:https?://|www\.)\S+")  # applied to lower-cased text
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d")
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|tr|sv|vs|rv|enc)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
_TOKENISH = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9]{6,}$|^[0-9a-f]{8,}$|^\d+$", re.IGNORECASE)


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch draws the hash permutations per MinHash object; share one draw instead."""
    from datasketch import MinHash  # imported when first needed: it brings in SciPy (~0.4 s)

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations  # type: ignore[no-any-return]


@cache
def common_domains() -> frozenset[str]:
    """Registered domains whose presence says nothing about who sent a message."""
    return (
        data_lines("common_domains.txt", "seawall.campaigns")
        | data_lines("freemail.txt")
        | data_lines("mail_platforms.txt")
        | data_lines("shorteners.txt")
        | data_lines("free_hosting.txt")
        | data_lines("shared_hosting.txt", "seawall.campaigns")
    )


@cache
def _shared_hosts() -> tuple[frozenset[str], frozenset[str]]:
    return data_lines("shorteners.txt"), data_lines("free_hosting.txt") | data_lines(
        "shared_hosting.txt", "seawall.campaigns"
    )


_BIG_NAMES = frozenset(
    {"google", "microsoft", "yahoo", "amazon", "apple", "bing", "live", "outlook", "facebook"}
)
_SUFFIX_LIKE = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "biz", "info"})


def infrastructure_domain(host: str) -> str:
    """The registered domain that identifies whoever controls ``host``, or "" when none does
    (a big provider's country domain, or a suffix the bundled list does not know)."""
    domain = registered_domain(host) or host
    label = domain.split(".", 1)[0]
    if label in _BIG_NAMES:
        return ""
    if label in _SUFFIX_LIKE:
        return host  # e.g. "x.co.ua" when the suffix list lacks "co.ua"
    return domain


@dataclass(slots=True)
class Fingerprint:
    sha256: str
    timestamp: float
    words: int
    minhash: MinHash | None
    keys: dict[str, str] = field(default_factory=dict)
    """key -> kind (``url``, ``domain``, ``attachment``, ``sender``, ``ip``, ``subject``)."""
    recipients: list[str] = field(default_factory=list)
    subject: str = ""


def _personal_words(message: ParsedMessage) -> frozenset[str]:
    words: set[str] = set()
    for recipient in message.recipients:
        words.update(w.lower() for w in _WORD.findall(recipient.display_name) if len(w) > 1)
        local = recipient.address.split("@", 1)[0]
        words.update(w.lower() for w in _WORD.findall(local) if len(w) > 1)
    return frozenset(words)


def normalised_words(text: str, personal: frozenset[str], limit: int = MAX_WORDS) -> list[str]:
    """Visible text as words with personalisation, URLs, numbers and tokens replaced."""
    text = text[: limit * 8].lower()
    if "://" in text or "www." in text:
        text = _URL.sub(" zurlz ", text)
    if "@" in text:
        text = _EMAIL.sub(" zemailz ", text)
    out: list[str] = []
    for word in _WORD.findall(text):
        if word in personal:
            out.append("zname")
        elif not word.isalpha() and _TOKENISH.match(word):
            out.append("znum")
        else:
            out.append(word)
    return out[:limit]


_WORD_HASHES: dict[str, int] = {}


def _identity(value: int) -> int:
    return value


def text_minhash(words: list[str]) -> MinHash:
    """MinHash of the word 3-shingles.

    Shingles are hashed arithmetically from per-word CRC32s (vectorised with numpy) rather
    than by SHA-1 of each joined shingle, datasketch's default, which cost most of the time;
    datasketch then applies its permutations to these 32-bit values as usual.
    """
    cache = _WORD_HASHES
    if len(cache) > 100_000:
        cache.clear()
    codes = []
    for word in words:
        code = cache.get(word)
        if code is None:
            code = cache[word] = zlib.crc32(word.encode())
        codes.append(code)
    hashes = np.array(codes, dtype=np.uint64)
    mixed = (hashes[:-2] * np.uint64(0x9E3779B1)) ^ (hashes[1:-1] * np.uint64(0x85EBCA77)) ^ hashes[2:]
    values = np.unique(mixed & np.uint64(0xFFFFFFFF))
    from datasketch import MinHash

    minhash = MinHash(
        num_perm=NUM_PERM, seed=SEED, scheme="affine32", permutations=_permutations(), hashfunc=_identity
    )
    minhash.update_batch(values.tolist())
    return minhash


def subject_template(subject: str, personal: frozenset[str]) -> str:
    subject = _SUBJECT_PREFIX.sub("", subject)
    return " ".join(normalised_words(subject, personal))


def _mask_path(path: str) -> str:
    segments = []
    for segment in path.split("/"):
        if segment and (_TOKENISH.match(segment) or len(segment) > 24):
            segments.append("*")
        else:
            segments.append(segment.lower())
    return "/".join(segments).rstrip("/")


def sending_ip(message: ParsedMessage) -> str:
    """The public IP of the first hop (from the top) that handed the message in from outside."""
    for hop in message.received:
        if not hop.from_ip:
            continue
        try:
            address = ipaddress.ip_address(hop.from_ip)
        except ValueError:
            continue
        if address.is_global:
            return str(address)
    return ""


def link_destinations(message: ParsedMessage) -> list[tuple[str, str, str]]:
    """(url, host, path) of every link, unwrapped through known click trackers and link
    protection so the destination is compared, not the wrapper."""
    redirectors = default_redirectors()
    out = []
    for link in message.links:
        url = link.url
        unwrapped = redirectors.unwrap(url, link.host)
        if unwrapped is not None:
            if unwrapped.destination is None:
                continue
            url = unwrapped.destination
        parts = UrlParts(url)
        if parts.host:
            out.append((url, parts.host, parts.path))
    return out


def make_fingerprint(
    message: ParsedMessage, timestamp: float, destinations: list[tuple[str, str, str]] | None = None
) -> Fingerprint:
    """``destinations``: :func:`link_destinations` when the caller already has them."""
    personal = _personal_words(message)
    html = message.html.visible_text if message.html is not None else ""
    text = html if len(html) > len(message.text) else message.text
    words = normalised_words(text, personal)
    minhash: MinHash | None = None
    if len(words) >= MIN_WORDS:
        minhash = text_minhash(words)
    keys: dict[str, str] = {}
    common = common_domains()
    shorteners, free_hosting = _shared_hosts()
    if destinations is None:
        destinations = link_destinations(message)
    for _url, host, path in destinations[:200]:
        domain = infrastructure_domain(host)
        if not domain:
            continue
        if domain in shorteners or host in shorteners:
            keys[f"url:{host}{path}"] = "url"  # one short link is specific; the service is not
        elif domain in free_hosting:
            keys[f"url:{host}{_mask_path(path)}"] = "url"  # the site on the hosting service
        elif domain not in common:
            keys[f"domain:{domain}"] = "domain"
            keys[f"url:{host}{_mask_path(path)}"] = "url"
    for attachment in message.attachments:
        if attachment.sha256 and attachment.size > 0 and not attachment.sniffed_type.startswith("image/"):
            keys[f"attachment:{attachment.sha256}"] = "attachment"
    sender = message.from_
    if sender is not None and sender.address:
        domain = infrastructure_domain(sender.domain)
        if "." not in domain:
            pass  # no real domain (a corpus placeholder or a bare host name)
        elif domain not in common:
            keys[f"sender:{domain}"] = "sender"
        else:
            keys[f"sender:{sender.address.lower()}"] = "sender"
    ip = sending_ip(message)
    if ip:
        keys[f"ip:{ip}"] = "ip"
    template = subject_template(message.subject[:300], personal)
    if len(template.split()) >= 3:
        keys[f"subject:{template}"] = "subject"
    return Fingerprint(
        sha256=message.sha256,
        timestamp=timestamp,
        words=len(words),
        minhash=minhash,
        keys=keys,
        recipients=[r.address.lower() for r in message.recipients][:500],
        subject=message.subject,
    )
