"""Who attacks, who is attacked: a model over (noun phrase, operation word) pairs.

Each phrase of an operation sentence gets a probability of being the operation's attacker, its
victim or neither, from what the dependency parse says about the pair (``syntax.pair_features``):
a multinomial logistic regression trained on CASIE's Attacker / Victim annotations and on
EuRepoC's coded initiator and receiver countries (``scripts/train_osint_roles.py``; the weights
ship as ``data/roles.json``, plain numbers, no pickle). Prediction is a sum of weights and a
softmax: scikit-learn is needed to train, not to run.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

ROLES = ("none", "attacker", "victim")
MODEL_FILE = "roles.json"


@dataclass
class RoleModel:
    weights: dict[str, list[float]]
    """feature -> one weight per role (``ROLES`` order)."""
    intercept: list[float]
    metadata: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, features: dict[str, float]) -> dict[str, float]:
        # written out for the three roles: this runs for every phrase of every operation sentence
        none, attacker, victim = self.intercept
        weights_of = self.weights.get
        for name, value in features.items():
            weights = weights_of(name)
            if weights is not None:
                none += weights[0] * value
                attacker += weights[1] * value
                victim += weights[2] * value
        top = max(none, attacker, victim)
        none, attacker, victim = math.exp(none - top), math.exp(attacker - top), math.exp(victim - top)
        total = none + attacker + victim
        return {"none": none / total, "attacker": attacker / total, "victim": victim / total}

    def save(self, path: Path) -> None:
        path.write_text(
            json.dumps(
                {"roles": list(ROLES), "intercept": self.intercept, "weights": self.weights, **self.metadata},
                sort_keys=True,
                separators=(",", ":"),
            ),
            encoding="utf-8",
        )

    @classmethod
    def from_json(cls, text: str) -> RoleModel:
        data = json.loads(text)
        if data.get("roles") != list(ROLES):
            raise ValueError(f"role model for roles {data.get('roles')}, expected {list(ROLES)}")
        metadata = {k: v for k, v in data.items() if k not in ("roles", "intercept", "weights")}
        return cls({k: list(v) for k, v in data["weights"].items()}, list(data["intercept"]), metadata)


ROLE_MODEL_ENV = "SEAWALL_OSINT_ROLE_MODEL"
"""A role model file to use instead of the shipped one (one trained on your own annotation, or
``bench/osint.py --roles-from`` reading a corpus with a model that never saw it)."""


@cache
def role_model() -> RoleModel:
    """The shipped role model, or the file ``SEAWALL_OSINT_ROLE_MODEL`` names."""
    own = os.environ.get(ROLE_MODEL_ENV)
    if own:
        return RoleModel.from_json(Path(own).read_text("utf-8"))
    text = resources.files("seawall.osint").joinpath(f"data/{MODEL_FILE}").read_text("utf-8")
    return RoleModel.from_json(text)


def train(
    examples: Sequence[tuple[dict[str, float], str]],
    c: float = 1.0,
    metadata: dict[str, Any] | None = None,
    sample_weights: Sequence[float] | None = None,
) -> RoleModel:
    """Fit the model on (features, role) pairs; weights below 1e-4 are dropped to keep it small."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([features for features, _ in examples])
    labels = [ROLES.index(role) for _, role in examples]
    # Unbalanced on purpose: most phrases of an operation sentence take no role, and the
    # probabilities should say so (balanced classes made every third phrase a victim).
    fit = LogisticRegression(C=c, max_iter=2000)
    fit.fit(matrix, labels, sample_weight=sample_weights)
    weights: dict[str, list[float]] = {}
    for column, name in enumerate(vectorizer.get_feature_names_out()):
        row = [float(fit.coef_[index, column]) for index in range(len(ROLES))]
        if max(abs(w) for w in row) >= 1e-4:
            weights[str(name)] = [round(w, 5) for w in row]
    return RoleModel(weights, [round(float(b), 5) for b in fit.intercept_], metadata or {})
