"""ParsedMessage + Features -> the hashed token vector the model reads.

Tokens come in named families, so an explanation can say where a token came from:

* ``s:`` subject words and word pairs; ``c:`` subject character 3–5-grams (obfuscation,
  languages without spaces);
* ``b:`` body words and word pairs (visible text, first 500 words);
* ``f:`` engineered features and categorical values (``f:link.shortener``,
  ``f:attachment.extension=exe``); ``r:`` rules that matched. Counts are left to the rules:
  "many links" or "HTML" describes a newsletter as well as a phish.

What identifies the collector never becomes a token: no header except the subject and the
sender's display name, list tags and footers removed, recipient addresses masked, and
features that depend on the receiving side (authentication results, list headers,
Return-Path) left out. The sender's own domain is left out too: in a corpus it names the
collector's favourite senders, not phishing. Link paths are left out as well: their words
(``aspx``, ``php``, ``newsletter``, ``index``) name the sender's web stack and mail genre, and
pushed legitimate newsletters towards phishing (docs/model.md); what is deceptive in a link is
judged by the link features and rules.

Tokens are hashed (murmurhash3, as scikit-learn's FeatureHasher) into ``2**19`` buckets; the
text block and the feature block are each scaled to unit length.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sklearn.utils import murmurhash3_32

from seawall.detect.features import BODY_WORDS_CHARS, Features
from seawall.detect.lexicon import normalise_words
from seawall.detect.model.normalise import (
    mask_recipients,
    normalise_text,
    recipient_patterns,
    strip_list_tags,
)
from seawall.mail.model import ParsedMessage

FEATURE_VERSION = "seawall-model-features/6"
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|aw|fw|fwd|wg|sv|vs|antw|res|enc|tr|rv)\s*:\s*)+", re.IGNORECASE)
"""Bump whenever tokens change: a model trained on other tokens must not be loaded."""
N_FEATURES = 2**19
BODY_WORDS = 500
"""Body words the model reads (about the first 3,000 characters)."""

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
# Features whose values are categories worth learning (an extension, a brand, a hosting
# service); other string features count only by their presence, so that no sender, list or
# reply address can be memorised.
# Rules resting only on excluded features.
_EXCLUDED_RULES = frozenset({"undisclosed-recipients"})
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


def _content_words(words: list[str]) -> list[str]:
    """Words without numbers: years and dates say when a corpus was collected. (Function words
    stay: removing them, to blunt the corpora's language imbalance, cost more than it gained on
    every held-out set, docs/model.md.)"""
    return [w for w in words if not w[0].isdigit()]


def _pairs(words: list[str], prefix: str) -> list[str]:
    tokens = [prefix + word for word in words]
    tokens.extend(f"{prefix}{a}_{b}" for a, b in itertools.pairwise(words))
    return tokens


def _char_grams(text: str, prefix: str, sizes: tuple[int, ...] = (3, 4, 5)) -> list[str]:
    padded = f" {text.lower()} "
    return [prefix + padded[i : i + n] for n in sizes for i in range(len(padded) - n + 1)]


@dataclass(frozen=True)
class Tokens:
    text: list[str]
    meta: list[str]


def message_tokens(message: ParsedMessage, features: Features, rule_ids: Iterable[str] = ()) -> Tokens:
    """Every token of one message, collector fingerprints removed."""
    recipients = recipient_patterns([a.address for a in message.recipients])
    # Reply prefixes say "conversation", which the list corpora are and the phish are not;
    # a fake "RE:" is the fake-reply-subject rule's business.
    subject = _REPLY_PREFIX.sub("", strip_list_tags(mask_recipients(message.subject, recipients)))
    subject_words = _content_words(normalise_words(subject))
    visible = message.visible_text[:BODY_WORDS_CHARS]
    masked = normalise_text(visible, recipients)
    # The same string as the features' gets their cached words; only a footer or a recipient
    # address in the text costs a second pass.
    body_words = normalise_words(visible if masked == visible else masked)[:BODY_WORDS]
    text = (
        _pairs(subject_words, "s:")
        + _char_grams(subject[:200], "c:")
        + _pairs(_content_words(body_words), "b:")
    )
    sender = message.from_
    if sender is not None and sender.display_name:
        text.extend("d:" + word for word in normalise_words(sender.display_name))

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
        if name in _VALUE_FEATURES:
            meta.extend(f"f:{name}={str(hit.value).lower()[:40]}" for hit in hits[:5])
    meta.extend("r:" + rule_id for rule_id in rule_ids if rule_id not in _EXCLUDED_RULES)
    return Tokens(text=text, meta=meta)


class Hasher:
    """Token -> bucket, with a cache (the same words recur in every message)."""

    def __init__(self, n_features: int = N_FEATURES) -> None:
        self.n_features = n_features
        self._cache: dict[str, int] = {}

    def index(self, token: str) -> int:
        cached = self._cache.get(token)
        if cached is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            cached = abs(int(murmurhash3_32(token, seed=0))) % self.n_features
            self._cache[token] = cached
        return cached

    def vector(self, tokens: Tokens) -> tuple[np.ndarray, np.ndarray]:
        """Sorted unique bucket indices and their values (binary, each block unit length)."""
        indices, values, _names = self.vector_with_names(tokens)
        return indices, values

    def _indices(self, tokens: list[str]) -> list[int]:
        get = self._cache.get
        found = [get(token) for token in tokens]
        if None in found:
            found = [i if i is not None else self.index(t) for i, t in zip(found, tokens, strict=True)]
        return found  # type: ignore[return-value]

    def vector_with_names(self, tokens: Tokens) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
        """As ``vector``, plus a token for each bucket (for explanations)."""
        text_indices = self._indices(tokens.text)
        meta_indices = self._indices(tokens.meta)
        names = dict(zip(meta_indices, tokens.meta, strict=True))
        names.update(zip(text_indices, tokens.text, strict=True))
        text = set(text_indices)
        values = dict.fromkeys(text, 1.0 / math.sqrt(len(text))) if text else {}
        meta = set(meta_indices)
        if meta:
            weight = 1.0 / math.sqrt(len(meta))
            for bucket in meta:
                values[bucket] = values.get(bucket, 0.0) + weight
        ordered = sorted(values)
        return np.array(ordered, dtype=np.int64), np.array([values[i] for i in ordered]), names
