"""ParsedMessage -> features -> rules -> verdict: the detection stage as one object."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from seawall.config import Settings
from seawall.detect.engine import RuleMatch, RuleSet, load_rules
from seawall.detect.exceptions import apply_exceptions
from seawall.detect.features import FeatureContext, Features, extract_features
from seawall.detect.model.linear import LinearModel, load_model
from seawall.detect.verdict import Verdict, assemble, decide, failure_evidence
from seawall.mail.model import ParsedMessage

log = logging.getLogger(__name__)


@dataclass
class Analysis:
    """Everything detection found for one message; the verdict is what gets reported."""

    features: Features
    matches: list[RuleMatch]
    verdict: Verdict


class Detector:
    """Holds what is loaded once (rules, lists, lexicon) and analyses messages."""

    def __init__(
        self,
        settings: Settings,
        rules: RuleSet | None = None,
        use_model: bool = True,
        model: LinearModel | None = None,
    ) -> None:
        self.settings = settings
        self.context = FeatureContext.from_settings(settings)
        self.rules = (
            rules
            if rules is not None
            else load_rules(settings.rules.directories, disabled=settings.rules.disabled)
        )
        self.weights = dict(settings.rules.weights)
        if model is None and use_model and settings.model.enabled:
            # load_model is cached and shared: each detector re-bases its own copy
            loaded = load_model(settings.model.path)
            model = None if loaded is None else replace(loaded, prior=settings.model.phish_prior)
        elif model is not None and model.prior is None:
            model = replace(model, prior=settings.model.phish_prior)
        self.model = model

    def analyse(self, message: ParsedMessage) -> Analysis:
        """Features, rules and verdict of one message; never raises. A failure inside (and a
        parser error already recorded as a defect) keeps the message at least suspicious."""
        failures = [f"{d.kind}: {d.detail}" for d in message.defects if d.kind == "parser_error"]
        try:
            return self._analyse(message, failures)
        except Exception as exc:
            log.debug("analysis error on %s", message.origin, exc_info=True)
            failures.append(f"analysis_error: {type(exc).__name__}: {exc}")
            lines = [failure_evidence("; ".join(failures), self.settings.verdict)]
            return Analysis({}, [], assemble(lines, self.settings.verdict))

    def _analyse(self, message: ParsedMessage, failures: list[str]) -> Analysis:
        features = extract_features(message, self.context)
        matches = self.rules.evaluate(features, self.weights or None)
        adjustments = (
            apply_exceptions(self.settings.exceptions, message, features, matches)
            if self.settings.exceptions
            else []
        ) or []
        if failures:
            adjustments.append(failure_evidence("; ".join(failures), self.settings.verdict))
        if self.model is None:
            return Analysis(
                features, matches, decide(matches, self.settings.verdict, adjustments=adjustments)
            )
        prediction = self.model.predict(message, features, [m.rule.id for m in matches])
        verdict = decide(
            matches,
            self.settings.verdict,
            prediction.probability,
            [(c.token, c.weight) for c in prediction.contributions],
            adjustments,
        )
        return Analysis(features, matches, verdict)
