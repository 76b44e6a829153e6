"""Training the model: prepare labelled mail once, fit a logistic regression, calibrate it.

Every message goes through the same parse, features and rules as a scan (rules hits are model
input), then through the collector-fingerprint normalisation (``normalise.py``). Calibration
is Platt scaling fitted on out-of-fold decision values, with folds that keep near-duplicate
lures of one campaign together, so the probabilities are not fitted on messages the model
has effectively seen.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from seawall.config import Settings
from seawall.detect.detector import Detector
from seawall.detect.engine import RuleMatch
from seawall.detect.model.dataset import Labelled
from seawall.detect.model.linear import MAX_TRAINING_IDS, LinearModel
from seawall.detect.model.normalise import evaluation_view, scrub_message
from seawall.detect.model.vectorize import FEATURE_VERSION, N_FEATURES, Hasher, message_tokens
from seawall.detect.verdict import Evidence, model_factor
from seawall.intake.source import RawMessage
from seawall.mail.parse import parse_message

C = 64.0
"""Inverse regularisation strength, chosen on the time split of the modern corpus and the
cross-era pair (docs/model.md)."""
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


@dataclass
class Example:
    """One labelled message, analysed once and kept in the form training and evaluation need."""

    sha256: str
    origin: str
    label: int
    corpus: str
    timestamp: float | None
    language: str
    group: str
    indices: np.ndarray
    values: np.ndarray
    rule_weights: list[float]
    model_factor: float = 1.0
    evidence: list[Evidence] = field(default_factory=list)
    subject: str = ""
    sender: str = ""
    genre: str = ""
    mailbox: str = ""
    sent_at: float | None = None
    """The Date of the message as it came, before an evaluation view fixed it."""
    matches: list[RuleMatch] = field(default_factory=list)


def campaign_key(subject: str, text: str) -> str:
    """Near-duplicate lures share a key: digits and spacing removed, first 400 characters."""
    body = _SPACES.sub(" ", _DIGITS.sub("#", text.lower()))[:400]
    head = _SPACES.sub(" ", _DIGITS.sub("#", subject.lower()))[:80]
    return hashlib.sha1(f"{head}|{body}".encode(), usedforsecurity=False).hexdigest()[:16]


def _timestamp(message_timestamp: float | None, received: list[float | None]) -> float | None:
    """When the message arrived: the top Received hop, else its Date header."""
    for value in received:
        if value is not None:
            return value
    return message_timestamp


def _genre(message_headers: dict[str, str], label: int) -> str:
    """A message's genre from its headers as they came, when its corpus has no index."""
    if label:
        return "phish"
    if "list-id" in message_headers or "x-mailman-version" in message_headers:
        return "list"
    if "list-unsubscribe" in message_headers or message_headers.get("precedence", "") in ("bulk", "junk"):
        return "bulk"
    return "business"


def prepare(
    items: Iterable[Labelled],
    settings: Settings,
    scrub: bool | str,
    progress: Callable[[int], None] | None = None,
) -> list[Example]:
    """Parse, analyse and vectorise every labelled message (rules run, the model does not).

    ``scrub``: ``True`` removes collector fingerprints (``scrub_message``); a view name
    (``normalise.VIEWS``) gives that evaluation view, with the Date fixed."""
    detector = Detector(settings, use_model=False)
    hasher = Hasher()
    examples: list[Example] = []
    seen: set[str] = set()
    for count, item in enumerate(items, start=1):
        raw = item.raw
        if raw.sha256 in seen:
            continue  # the same bytes twice would sit on both sides of a split
        seen.add(raw.sha256)
        original = parse_message(raw, settings.limits) if isinstance(scrub, str) else None
        if isinstance(scrub, str):
            raw = RawMessage.from_bytes(evaluation_view(raw.data, scrub), raw.origin)
        elif scrub:
            raw = RawMessage.from_bytes(scrub_message(raw.data), raw.origin)
        message = parse_message(raw, settings.limits)
        as_sent = original or message
        headers = {h.name.lower(): h.value.lower() for h in as_sent.headers}
        analysis = detector.analyse(message)
        rule_ids = [m.rule.id for m in analysis.matches]
        indices, values = hasher.vector(message_tokens(message, analysis.features, rule_ids))
        language_hits = analysis.features.get("text.language")
        examples.append(
            Example(
                sha256=item.raw.sha256,
                origin=str(raw.origin),
                label=item.label,
                corpus=item.corpus,
                timestamp=_timestamp(message.timestamp, [r.timestamp for r in message.received[:1]]),
                language=str(language_hits[0].value) if language_hits else "unknown",
                group=campaign_key(message.subject, message.visible_text),
                indices=indices,
                values=values,
                rule_weights=[m.weight for m in analysis.matches],
                model_factor=model_factor(analysis.matches),
                evidence=analysis.verdict.evidence,
                subject=message.subject[:200],
                sender=message.from_.address if message.from_ else "",
                genre=item.genre or _genre(headers, item.label),
                mailbox=item.mailbox,
                sent_at=as_sent.timestamp,
                matches=analysis.matches,
            )
        )
        if progress is not None:
            progress(count)
    return examples


def matrix(examples: list[Example], n_features: int = N_FEATURES) -> sparse.csr_matrix:
    indptr = np.zeros(len(examples) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([e.indices.size for e in examples])
    indices = np.concatenate([e.indices for e in examples]) if examples else np.zeros(0, dtype=np.int64)
    data = np.concatenate([e.values for e in examples]) if examples else np.zeros(0)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(examples), n_features))


def _platt(decisions: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling: p = 1 / (1 + exp(a f + b)), fitted by (unregularised) logistic regression."""
    fit = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000)
    fit.fit(decisions.reshape(-1, 1), labels)
    return -float(fit.coef_[0, 0]), -float(fit.intercept_[0])


def _classifier() -> LogisticRegression:
    # No intercept: with one, a message with little text (a short notice, a two-line
    # newsletter) scored as whichever class the corpus's short messages belonged to; without
    # it, only what a message contains moves it, which held up better across eras.
    return LogisticRegression(
        C=C,
        class_weight="balanced",
        solver="liblinear",
        max_iter=2000,
        fit_intercept=False,
        random_state=0,  # liblinear shuffles: the documented command must rebuild the same file
    )


def fit(
    examples: list[Example], description: str = "", corpus_weights: dict[str, float] | None = None
) -> LinearModel:
    """A calibrated model from prepared examples (both classes needed).

    ``corpus_weights`` multiplies the weight of every message of a corpus; it lets a small
    corpus of the kind the others lack (legitimate bulk mail) count for more.
    """
    labels = np.array([e.label for e in examples])
    weights = np.array([(corpus_weights or {}).get(e.corpus, 1.0) for e in examples])
    if len(set(labels.tolist())) < 2:
        raise ValueError("training needs both phish and ham messages")
    features = matrix(examples)
    groups = np.array([e.group for e in examples])
    folds = min(5, len(set(groups.tolist())))
    out_of_fold = np.zeros(len(examples))
    for train_index, test_index in GroupKFold(n_splits=folds).split(features, labels, groups):
        if len(set(labels[train_index].tolist())) < 2:
            continue
        model = _classifier().fit(
            features[train_index], labels[train_index], sample_weight=weights[train_index]
        )
        out_of_fold[test_index] = model.decision_function(features[test_index])
    a, b = _platt(out_of_fold, labels)
    final = _classifier().fit(features, labels, sample_weight=weights)
    corpora: dict[str, dict[str, int]] = {}
    for example in examples:
        counts = corpora.setdefault(example.corpus, {"phish": 0, "ham": 0})
        counts["phish" if example.label else "ham"] += 1
    metadata = {
        "description": description,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "feature_version": FEATURE_VERSION,
        "algorithm": f"logistic regression (liblinear, C={C}, balanced, no intercept), "
        f"Platt-calibrated on {folds}-fold campaign-grouped out-of-fold decisions",
        "messages": {"phish": int(labels.sum()), "ham": int(len(labels) - labels.sum())},
        "corpus_weights": corpus_weights or {},
        "corpora": corpora,
        "training_ids": sorted(e.sha256[:16] for e in examples)[:MAX_TRAINING_IDS],
    }
    return LinearModel(
        weights=final.coef_[0].astype(np.float64),
        intercept=0.0,
        calibration_a=a,
        calibration_b=b,
        metadata=metadata,
    )
