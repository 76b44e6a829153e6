"""ParsedMessage + Features -> the hashed token vector the model reads.

The model reads what the features and rules found, never the words of the text (issue 16):

* ``f:`` engineered features and categorical values (``f:link.shortener``,
  ``f:attachment.extension=exe``), and for the lexicon's categories where they were said
  (``f:text.credential_request@subject``) — recognised in every language the lexicon covers;
* ``r:`` rules that matched.

Words, word pairs and character n-grams were tokens up to feature version 7: trained on
English technical lists against multilingual phish, they taught the model that German,
Portuguese and commercial wording is phishing (a fifth of unseen legitimate commercial mail
labelled phishing). Counts are left to the rules ("many links" describes a newsletter as well
as a phish). What identifies the collector never becomes a token: features that depend on
the receiving side (authentication results, list headers, Return-Path) and the sender's own
address and domain are left out (``_EXCLUDED``).

Tokens are hashed into ``2**16`` buckets, all of a message's tokens at once (``Hasher``); the
block is scaled to unit length. ``Tokens.text`` stays for models of other token sets and is
empty here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from seawall.detect.features import FEATURES, Features
from seawall.mail.model import ParsedMessage

FEATURE_VERSION = "seawall-model-features/14"
"""Bump whenever tokens change: a model trained on other tokens must not be loaded."""
N_FEATURES = 2**16

# Features whose value depends on who received or stored the message, or that only restate
# the sender's identity: never model input.
_EXCLUDED_PREFIXES = ("auth.", "list.", "return_path.")
_EXCLUDED = frozenset(
    {
        "reply_to.diverges",
        "sender.diverges",
        "from.list_rewrite",
        "from.address",
        "from.domain",
        "from.registered_domain",
        "from.display_name",
        "from.own_domain",
        "from.restricted_registry",
        "from.suspicious_tld",
        "subject.text",
        "link.url",
        "link.domain",
        # The recipient's address in a link is how every newsletter personalises its
        # unsubscribe and tracking links, and how phishing_pot's collector rewrote its phish.
        "link.recipient_in_url",
        "text.length",
        "text.language",
        "attachment.name",
        "attachment.count",
        "recipients.count",
        "recipients.undisclosed",
        # A brand named, a brand's own sender domain, a PDF or a gift card mentioned: ordinary in
        # the notifications, receipts and invoices the technical ham corpora lack. Rules judge
        # the deceptive combinations (brand named but links elsewhere, brand name from webmail).
        "from.brand_domain",
        "text.brand",
        "text.gift_card",
        "attachment.extension",
        "attachment.sniffed_type",
        "date.missing",
        "defect",
    }
)
# Lexicon categories whose place (subject, body, attachment) is a token of its own.
_LEXICON_PLACES = frozenset(
    {
        "text.urgency",
        "text.credential_request",
        "text.account_threat",
        "text.payment_request",
        "text.secrecy",
        "text.document_lure",
        "text.delivery_lure",
        "text.prize_lure",
        "text.extortion",
    }
)
# Rules resting only on excluded features.
_EXCLUDED_RULES = frozenset({"undisclosed-recipients", "sender-suspicious-tld"})
# Features whose values are categories worth learning (an extension, a brand, a hosting
# service); other string features count only by their presence, so that no sender, list or
# reply address can be memorised.
_VALUE_FEATURES = frozenset(
    {
        "attachment.extension",
        "attachment.sniffed_type",
        "attachment.in_archive_extension",
        "attachment.macro_autoexec",
        "attachment.macro_suspicious",
        "attachment.pdf_risky",
        "link.shortener",
        "link.free_hosting",
        "link.suspicious_tld",
        "link.lookalike",
        "link.brand_mismatch",
        "from.display_name_brand",
        "from.brand_domain",
        "from.lookalike",
        "text.brand",
        "from.display_name_it_role",
    }
)


@dataclass(frozen=True)
class Tokens:
    text: list[str]
    meta: list[str]


def message_tokens(message: ParsedMessage, features: Features, rule_ids: Iterable[str] = ()) -> Tokens:
    """Every token of one message, collector fingerprints removed.

    No word, word pair or character n-gram of the text is a token: those taught the model
    the languages and genres of its corpora (German newsletters, delivery notices and
    commercial wording were phish to it, issue 16). What the text says that matters
    reaches the model through the lexicon's categories (``text.credential_request`` ...),
    recognised in every language the lexicon covers, and where it was said."""
    meta: list[str] = []
    for name, hits in features.items():
        if name in _EXCLUDED or name.startswith(_EXCLUDED_PREFIXES):
            continue
        first = hits[0].value
        if isinstance(first, int | float) and not isinstance(first, bool):
            # Counts (links, hidden characters...) say more about the genre, HTML newsletter or
            # plain-text list post, than about deception; rules carry their meaningful thresholds.
            continue
        meta.append("f:" + name)
        if name.startswith("text.") and name in _LEXICON_PLACES:
            meta.extend(sorted({f"f:{name}@{hit.where.split(':', 1)[0]}" for hit in hits}))
        if name in _VALUE_FEATURES:
            meta.extend(f"f:{name}={str(hit.value).lower()[:40]}" for hit in hits[:5])
    meta.extend("r:" + rule_id for rule_id in rule_ids if rule_id not in _EXCLUDED_RULES)
    return Tokens(text=[], meta=meta)


def describe_token(token: str) -> tuple[str, str]:
    """What a token means to a mail admin, and where it was seen: ``f:link.tracked`` is
    "link through an ESP click tracker ...", ``r:dkim-fail`` is the rule of that id."""
    family, _, name = token.partition(":")
    if family == "r":
        return f"rule {name} matched", "rules"
    if family != "f":
        return token, "message"
    name, _, value = name.partition("=")
    name, _, place = name.partition("@")
    described = FEATURES.get(name, name).split(" (", 1)[0]
    if value:
        described = f"{described}: {value}"
    where = place or name.split(".", 1)[0]
    return described, where


_SEPARATOR = "\x1f"
_PRIME = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_PRIME_INVERSE = pow(_PRIME, -1, 2**64)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _powers(base: int, size: int) -> np.ndarray:
    powers = np.empty(size, dtype=np.uint64)
    powers[0] = 1
    powers[1:] = base
    return np.cumprod(powers, dtype=np.uint64)  # wraps modulo 2**64, as intended


class Hasher:
    """Tokens -> buckets, all of a message's tokens hashed at once.

    Written by hand when a message had ~1,200 word tokens and hashing them one Python call
    each (murmurhash3, FeatureHasher) was a third of the model's cost: the tokens are joined
    into one byte string and each token's polynomial hash modulo 2**64 is read off a prefix
    sum in a few numpy operations; a multiplicative mix spreads it over the buckets. Kept
    because the shipped model's buckets are this hash's. Since feature version 8 a message has
    a few dozen tokens from a small vocabulary (feature names, rule ids, categories), so each
    token's bucket is remembered: the numpy calls cost more than the hashing they did.
    """

    MAX_REMEMBERED = 100_000
    """Values of a few features come from mail (an attachment's extension, a PDF keyword):
    the memory of buckets is emptied when it reaches this size, never grown without bound."""

    def __init__(self, n_features: int = N_FEATURES) -> None:
        if n_features < 2 or n_features & (n_features - 1):
            raise ValueError(f"n_features must be a power of two, not {n_features}")
        self.n_features = n_features
        self._shift = np.uint64(64 - (n_features.bit_length() - 1))
        self._forward = _powers(_PRIME, 1 << 14)
        self._inverse = _powers(_PRIME_INVERSE, 1 << 14)
        self._remembered: dict[str, int] = {}

    def buckets(self, tokens: list[str]) -> np.ndarray:
        """The bucket of each token, in order."""
        remembered = self._remembered
        # read into a dict of this call's own: another thread may empty the memory meanwhile
        found = {token: remembered.get(token) for token in tokens}
        unknown = [token for token, bucket in found.items() if bucket is None]
        if unknown:
            fresh = dict(zip(unknown, self._hash(unknown).tolist(), strict=True))
            found.update(fresh)
            if len(remembered) + len(fresh) > self.MAX_REMEMBERED:
                remembered.clear()
            remembered.update(fresh)
        return np.fromiter((found[token] for token in tokens), dtype=np.int64, count=len(tokens))

    def _hash(self, tokens: list[str]) -> np.ndarray:
        if not tokens:
            return np.zeros(0, dtype=np.int64)
        joined = _SEPARATOR.join(tokens)
        if joined.count(_SEPARATOR) != len(tokens) - 1:
            joined = _SEPARATOR.join(token.replace(_SEPARATOR, "\x1e") for token in tokens)
        data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        if data.size + 1 > self._forward.size:
            size = max(data.size + 1, 2 * self._forward.size)
            self._forward = _powers(_PRIME, size)
            self._inverse = _powers(_PRIME_INVERSE, size)
        separators = np.flatnonzero(data == ord(_SEPARATOR))
        starts = np.concatenate(([0], separators + 1))
        ends = np.concatenate((separators, [data.size]))
        # prefix[k] = sum of (byte + 1) * P**i for i < k; byte + 1 so that a NUL still counts
        prefix = np.zeros(data.size + 1, dtype=np.uint64)
        np.cumsum((data.astype(np.uint64) + np.uint64(1)) * self._forward[: data.size], out=prefix[1:])
        hashes = (prefix[ends] - prefix[starts]) * self._inverse[starts]
        hashes ^= hashes >> np.uint64(29)
        hashes *= _MIX
        buckets: np.ndarray = (hashes >> self._shift).astype(np.int64)
        return buckets

    def index(self, token: str) -> int:
        return int(self.buckets([token])[0])

    def vector(self, tokens: Tokens) -> tuple[np.ndarray, np.ndarray]:
        """Sorted unique bucket indices and their values (binary, each block unit length)."""
        indices, values, _names = self.vector_with_names(tokens)
        return indices, values

    def vector_with_names(self, tokens: Tokens) -> tuple[np.ndarray, np.ndarray, TokenNames]:
        """As ``vector``, plus a way back from a bucket to a token (for explanations)."""
        both = self.buckets(tokens.text + tokens.meta)
        text_buckets, meta_buckets = both[: len(tokens.text)], both[len(tokens.text) :]
        text = _sorted_unique(text_buckets)
        meta = _sorted_unique(meta_buckets)
        indices = _sorted_unique(np.concatenate((text, meta)))
        values = np.zeros(indices.size)
        # each block has unit length; a bucket both blocks hit carries both weights
        if text.size:
            values[np.searchsorted(indices, text)] += 1.0 / math.sqrt(text.size)
        if meta.size:
            values[np.searchsorted(indices, meta)] += 1.0 / math.sqrt(meta.size)
        return indices, values, TokenNames(tokens, text_buckets, meta_buckets)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` without its overhead, which dominated for a message's ~1,000 buckets."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


@dataclass(frozen=True)
class TokenNames:
    """Bucket -> the first token that fell in it (text tokens before feature tokens)."""

    tokens: Tokens
    text_buckets: np.ndarray
    meta_buckets: np.ndarray

    def names(self, buckets: list[int]) -> dict[int, str]:
        """A token for each of ``buckets`` (those no token fell in are left out)."""
        wanted = set(buckets)
        found: dict[int, str] = {}
        for names, hashed in ((self.tokens.text, self.text_buckets), (self.tokens.meta, self.meta_buckets)):
            for name, bucket in zip(names, hashed.tolist(), strict=True):
                if bucket in wanted:
                    found.setdefault(bucket, name)
        return found
