"""The trained model: a calibrated linear model over hashed tokens, stored without pickle.

A model file (``.npz``) holds the weight vector (float32), the intercept, the two Platt
calibration parameters and JSON metadata (feature version, training set, figures). Loading
runs no code from the file, unlike a pickle, and does not depend on the scikit-learn version
that trained it. Prediction is a sparse dot product; the tokens that pushed the probability
most are read off the same product.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from seawall.detect.features import Features
from seawall.detect.model.vectorize import FEATURE_VERSION, Hasher, Tokens, message_tokens
from seawall.mail.model import ParsedMessage

DEFAULT_MODEL = "default-model.npz"
MAX_TRAINING_IDS = 200_000


class ModelError(ValueError):
    """A model file cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Contribution:
    token: str
    weight: float


@dataclass(frozen=True)
class Prediction:
    probability: float
    contributions: list[Contribution] = field(default_factory=list)


@dataclass
class LinearModel:
    weights: np.ndarray
    intercept: float
    calibration_a: float
    calibration_b: float
    metadata: dict[str, Any]
    hasher: Hasher = field(default_factory=Hasher)
    prior: float | None = None
    """Share of phishing in the mail being scored; ``None`` keeps the training share."""
    _training_ids: frozenset[str] | None = None

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        metadata = {**self.metadata, "feature_version": FEATURE_VERSION, "n_features": int(self.weights.size)}
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                weights=self.weights.astype(np.float32),
                scalars=np.array([self.intercept, self.calibration_a, self.calibration_b]),
                metadata=np.frombuffer(json.dumps(metadata, sort_keys=True).encode("utf-8"), dtype=np.uint8),
            )

    @classmethod
    def load(cls, path: Path | str) -> LinearModel:
        try:
            with np.load(path, allow_pickle=False) as archive:
                weights = archive["weights"].astype(np.float64)
                intercept, a, b = (float(x) for x in archive["scalars"])
                metadata = json.loads(archive["metadata"].tobytes().decode("utf-8"))
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"{path}: not a Seawall model file ({exc})") from exc
        version = metadata.get("feature_version")
        if version != FEATURE_VERSION:
            raise ModelError(
                f"{path}: model trained with feature version {version!r}, but this Seawall computes "
                f"{FEATURE_VERSION!r}; retrain it with `seawall train` (see docs/model.md)"
            )
        if weights.size != metadata.get("n_features"):
            raise ModelError(f"{path}: weight vector size {weights.size} does not match its metadata")
        return cls(
            weights=weights,
            intercept=intercept,
            calibration_a=a,
            calibration_b=b,
            metadata=metadata,
            hasher=Hasher(int(weights.size)),
        )

    # -- prediction --------------------------------------------------------------------------
    def decision(self, tokens: Tokens) -> tuple[float, np.ndarray, np.ndarray]:
        indices, values = self.hasher.vector(tokens)
        score = float(self.weights[indices] @ values) + self.intercept if indices.size else self.intercept
        return score, indices, values

    @cached_property
    def training_share(self) -> float:
        """Share of phish among the messages the calibration was fitted on."""
        counts = self.metadata.get("messages") or {}
        phish, ham = int(counts.get("phish", 0)), int(counts.get("ham", 0))
        return phish / (phish + ham) if phish and ham else 0.5

    def calibrate(self, decision: float) -> float:
        """Platt scaling, then the odds re-based from the training share to ``prior``."""
        # Platt scaling as scikit-learn's _SigmoidCalibration: p = 1 / (1 + exp(a * f + b)).
        exponent = self.calibration_a * decision + self.calibration_b
        if self.prior is not None:
            share = self.training_share
            # posterior odds scale with prior odds: log(odds') = log(odds) + log(k)
            exponent -= math.log((self.prior / (1.0 - self.prior)) / (share / (1.0 - share)))
        if exponent > 50:
            return 0.0
        if exponent < -50:
            return 1.0
        return 1.0 / (1.0 + math.exp(exponent))

    def predict(
        self, message: ParsedMessage, features: Features, rule_ids: list[str], explain: int = 8
    ) -> Prediction:
        tokens = message_tokens(message, features, rule_ids)
        indices, values, names = self.hasher.vector_with_names(tokens)
        decision = float(self.weights[indices] @ values) + self.intercept if indices.size else self.intercept
        probability = self.calibrate(decision)
        if explain <= 0 or indices.size == 0:
            return Prediction(probability)
        contributions = self.weights[indices] * values
        # Tokens sharing a bucket share its weight; a bucket is named by its first token.
        top = np.argpartition(-np.abs(contributions), min(explain, contributions.size - 1))[:explain]
        order = [int(i) for i in top[np.argsort(-np.abs(contributions[top]))] if contributions[i] != 0]
        buckets = [int(indices[i]) for i in order]
        named = names.names(buckets)
        return Prediction(
            probability,
            [
                Contribution(named.get(bucket, f"#{bucket}"), round(float(contributions[i]), 4))
                for i, bucket in zip(order, buckets, strict=True)
            ],
        )

    def was_trained_on(self, sha256: str) -> bool:
        """Whether this message (by the first 16 hex digits of its sha256) was in training."""
        if self._training_ids is None:
            self._training_ids = frozenset(self.metadata.get("training_ids", []))
        return sha256[:16] in self._training_ids


def default_model_path() -> Path:
    return Path(str(resources.files("seawall.detect.model").joinpath(DEFAULT_MODEL)))


@cache
def load_model(path: str = "") -> LinearModel | None:
    """The configured model, or the shipped default; None when no default is shipped."""
    if path:
        return LinearModel.load(path)
    default = default_model_path()
    return LinearModel.load(default) if default.is_file() else None
