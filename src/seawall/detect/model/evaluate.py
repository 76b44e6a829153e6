"""Evaluation that tells the truth: honest splits, the figures a detection engineer asks for.

Splits: ``time`` trains on the older 70 % of messages (by arrival) and tests on the newer 30 %;
``campaign`` keeps near-duplicate lures on one side only; ``none`` scores a given model on
every message it was not trained on. A random message-level split is not offered: with
campaign duplicates it measures memory, not detection.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit

from seawall.config import VerdictThresholds
from seawall.detect.model.linear import LinearModel
from seawall.detect.model.train import Example, fit
from seawall.detect.verdict import Verdict, combine, decide, label_for, scale_odds

SCORES = ("combined", "model", "rules")


@dataclass
class Scored:
    example: Example
    probability: float
    rules: float
    combined: float

    def score(self, kind: str) -> float:
        return {"combined": self.combined, "model": 100.0 * self.probability, "rules": self.rules}[kind]


@dataclass
class Metrics:
    messages: int
    phish: int
    ham: int
    precision: float
    recall: float
    f1: float
    roc_auc: float | None
    tpr_at_fpr: dict[str, float]
    confusion: dict[str, dict[str, int]]
    suspicious_or_phishing_fpr: float
    phishing_fpr: float


@dataclass
class Report:
    split: str
    scrub: bool
    train_messages: int
    test: list[Scored]
    thresholds: VerdictThresholds
    overall: dict[str, Metrics] = field(default_factory=dict)
    by_language: dict[str, Metrics] = field(default_factory=dict)
    by_corpus: dict[str, Metrics] = field(default_factory=dict)
    english_only: Metrics | None = None
    worst_false_positives: list[Scored] = field(default_factory=list)
    worst_false_negatives: list[Scored] = field(default_factory=list)


def tpr_at_fpr(labels: np.ndarray, scores: np.ndarray, fpr: float) -> float:
    """Share of phish scored strictly above the threshold that lets at most ``fpr`` of ham through."""
    ham = np.sort(scores[labels == 0])[::-1]
    phish = scores[labels == 1]
    if phish.size == 0:
        return float("nan")
    if ham.size == 0:
        return 1.0
    allowed = math.floor(fpr * ham.size)
    threshold = ham[allowed] if allowed < ham.size else -np.inf
    return float(np.mean(phish > threshold))


def metrics(scored: list[Scored], thresholds: VerdictThresholds, kind: str = "combined") -> Metrics:
    labels = np.array([s.example.label for s in scored])
    scores = np.array([s.score(kind) for s in scored])
    predicted = np.array([label_for(v, thresholds) for v in scores])
    flagged = predicted == "phishing"
    true_positive = int(np.sum(flagged & (labels == 1)))
    false_positive = int(np.sum(flagged & (labels == 0)))
    false_negative = int(np.sum(~flagged & (labels == 1)))
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else 0.0
    recall = true_positive / (true_positive + false_negative) if true_positive + false_negative else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    auc = float(roc_auc_score(labels, scores)) if len(set(labels.tolist())) == 2 else None
    confusion = {
        truth: {
            label: int(np.sum((labels == value) & (predicted == label)))
            for label in ("clean", "suspicious", "phishing")
        }
        for truth, value in (("phish", 1), ("ham", 0))
    }
    ham_count = int(np.sum(labels == 0))
    return Metrics(
        messages=len(scored),
        phish=int(np.sum(labels == 1)),
        ham=ham_count,
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        roc_auc=None if auc is None else round(auc, 5),
        tpr_at_fpr={
            "0.1%": round(tpr_at_fpr(labels, scores, 0.001), 4),
            "1%": round(tpr_at_fpr(labels, scores, 0.01), 4),
        },
        confusion=confusion,
        suspicious_or_phishing_fpr=round(
            (confusion["ham"]["suspicious"] + confusion["ham"]["phishing"]) / ham_count, 4
        )
        if ham_count
        else 0.0,
        phishing_fpr=round(confusion["ham"]["phishing"] / ham_count, 4) if ham_count else 0.0,
    )


def score(examples: list[Example], model: LinearModel) -> list[Scored]:
    scored = []
    for example in examples:
        decision = float(model.weights[example.indices] @ example.values) + model.intercept
        probability = model.calibrate(decision)
        rules, combined = combine(example.rule_weights, scale_odds(probability, example.model_factor))
        scored.append(Scored(example, probability, rules, combined))
    return scored


def split(examples: list[Example], how: str) -> tuple[list[Example], list[Example]]:
    if how == "time":
        dated = [e for e in examples if e.timestamp is not None]
        cutoff = float(np.quantile([e.timestamp for e in dated], 0.7)) if dated else 0.0
        train = [e for e in examples if e.timestamp is None or e.timestamp <= cutoff]
        test = [e for e in examples if e.timestamp is not None and e.timestamp > cutoff]
        # A campaign straddling the cutoff belongs to the older side only.
        seen = {e.group for e in train}
        return train, [e for e in test if e.group not in seen]
    if how == "campaign":
        groups = np.array([e.group for e in examples])
        splitter = GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=20190620)
        train_index, test_index = next(splitter.split(np.zeros(len(examples)), groups=groups))
        return [examples[i] for i in train_index], [examples[i] for i in test_index]
    raise ValueError(f"unknown split {how!r} (time, campaign or none)")


def evaluate(
    examples: list[Example],
    thresholds: VerdictThresholds,
    how: str,
    scrub: bool,
    model: LinearModel | None = None,
    worst: int = 10,
    on_fit: Callable[[int], None] | None = None,
    corpus_weights: dict[str, float] | None = None,
    prior: float | None = None,
) -> Report:
    """Train on one side and score the other (``how`` time or campaign), or score ``model``.

    ``prior``: the share of phishing the scores are re-based to, as a scan does
    (``[model] phish_prior``)."""
    if how == "none":
        if model is None:
            raise ValueError("split 'none' needs a model to evaluate")
        train_count = 0
        test = [e for e in examples if not model.was_trained_on(e.sha256)]
    else:
        train, test = split(examples, how)
        if on_fit is not None:
            on_fit(len(train))
        model = fit(train, description=f"evaluation model ({how} split)", corpus_weights=corpus_weights)
        train_count = len(train)
    if prior is not None:
        model.prior = prior
    scored = score(test, model)
    report = Report(split=how, scrub=scrub, train_messages=train_count, test=scored, thresholds=thresholds)
    if not scored:
        return report
    report.overall = {kind: metrics(scored, thresholds, kind) for kind in SCORES}
    for key, attribute in (("by_language", "language"), ("by_corpus", "corpus")):
        groups: dict[str, list[Scored]] = {}
        for item in scored:
            groups.setdefault(getattr(item.example, attribute), []).append(item)
        setattr(report, key, {name: metrics(items, thresholds) for name, items in sorted(groups.items())})
    english = [s for s in scored if s.example.language == "en"]
    report.english_only = metrics(english, thresholds) if english else None
    ham = sorted((s for s in scored if s.example.label == 0), key=lambda s: -s.combined)
    phish = sorted((s for s in scored if s.example.label == 1), key=lambda s: s.combined)
    report.worst_false_positives = [s for s in ham[:worst] if label_for(s.combined, thresholds) != "clean"]
    report.worst_false_negatives = [
        s for s in phish[:worst] if label_for(s.combined, thresholds) != "phishing"
    ]
    return report


def artefact_shift(original: list[Example], scrubbed: list[Example], model: LinearModel) -> dict[str, float]:
    """How far the model's probability moves when the collector's fingerprints are removed."""
    by_sha = {e.sha256: e for e in scrubbed}
    pairs = [(e, by_sha[e.sha256]) for e in original if e.sha256 in by_sha]
    shifts = []
    for first, second in pairs:
        p1 = model.calibrate(float(model.weights[first.indices] @ first.values) + model.intercept)
        p2 = model.calibrate(float(model.weights[second.indices] @ second.values) + model.intercept)
        shifts.append(abs(p1 - p2))
    values = np.array(shifts) if shifts else np.zeros(0)
    return {
        "messages": len(shifts),
        "within_0.05": round(float(np.mean(values <= 0.05)), 4) if shifts else 1.0,
        "max_shift": round(float(values.max()), 4) if shifts else 0.0,
        "mean_shift": round(float(values.mean()), 5) if shifts else 0.0,
    }


# -- leave one source out ------------------------------------------------------------------

PHISH_WINDOWS = 4
"""phishing_pot is one collector's mail over two years: it is cut into this many windows of
equal size by the Date the messages came with, and each window is a source of its own."""
WINDOWED_CORPORA = ("phishing_pot",)


@dataclass
class SourceResult:
    """How the product labelled one held-out source, scored by a model trained without it."""

    source: str
    label: int
    final: bool
    train_messages: int
    scored: list[Scored]
    verdicts: list[str]

    def share(self, *labels: str) -> float:
        return sum(v in labels for v in self.verdicts) / len(self.verdicts) if self.verdicts else 0.0


@dataclass
class SourceReport:
    view: str
    thresholds: VerdictThresholds
    sources: list[SourceResult]

    def slices(self, attribute: str) -> dict[tuple[int, str], list[tuple[Scored, str]]]:
        """(label, value of ``attribute``: language or genre) -> the scored messages."""
        groups: dict[tuple[int, str], list[tuple[Scored, str]]] = {}
        for source in self.sources:
            for scored, verdict in zip(source.scored, source.verdicts, strict=True):
                key = (source.label, getattr(scored.example, attribute) or "unknown")
                groups.setdefault(key, []).append((scored, verdict))
        return dict(sorted(groups.items()))

    def ham_scores(self, final: bool = False, model_alone: bool = False) -> np.ndarray:
        """The held-out ham's scores (or, ``model_alone``, its model probabilities)."""
        return np.array(
            [
                s.probability if model_alone else s.combined
                for r in self.sources
                if r.label == 0 and r.final == final
                for s in r.scored
            ]
        )


def source_names(examples: list[Example], windows: int = PHISH_WINDOWS) -> list[str]:
    """Each example's source: its corpus, or its corpus and time window for a windowed corpus."""
    names = [e.corpus for e in examples]
    for corpus in WINDOWED_CORPORA:
        members = [i for i, e in enumerate(examples) if e.corpus == corpus]
        members.sort(key=lambda i: examples[i].sent_at or 0.0)
        for window, chunk in enumerate(np.array_split(np.array(members, dtype=int), windows), start=1):
            for i in chunk.tolist():
                names[i] = f"{corpus}/w{window}"
    return names


def final_sources(names: list[str], examples: list[Example]) -> set[int]:
    """The examples kept back from development: the newest phishing_pot window and the
    mailboxes of the Enron inboxes whose name hashes odd. They are scored only with
    ``final=True`` (docs/benchmarks.md says how often that was printed)."""
    import hashlib

    newest = {f"{corpus}/w{PHISH_WINDOWS}" for corpus in WINDOWED_CORPORA}
    kept: set[int] = set()
    for i, (name, example) in enumerate(zip(names, examples, strict=True)):
        if name in newest or (
            example.mailbox and int(hashlib.sha256(example.mailbox.encode()).hexdigest(), 16) % 2
        ):
            kept.add(i)
    return kept


def verdict_of(example: Example, probability: float | None, thresholds: VerdictThresholds) -> Verdict:
    """The verdict a scan gives this message with this model probability (the product's own
    ``decide``, so that evaluation measures what `seawall scan` labels)."""
    return decide(example.matches, thresholds, probability)


def leave_source_out(
    examples: list[Example],
    thresholds: VerdictThresholds,
    view: str,
    final: bool = False,
    prior: float | None = None,
    on_source: Callable[[str], None] | None = None,
    fit_model: Callable[[list[Example]], LinearModel] | None = None,
) -> SourceReport:
    """For every source, train without it (and without any campaign it shares) and label it.

    Without ``final`` the kept-back part is neither trained on nor scored: development
    figures. With it, the kept-back sources are scored too, each by a model trained on all
    other mail (development and kept-back alike)."""
    names = source_names(examples)
    kept_back = final_sources(names, examples)
    for i in kept_back:
        names[i] = names[i] if "/" in names[i] else f"{names[i]}/final"
    fitter = fit_model or (lambda train: fit(train, description="leave-source-out evaluation model"))
    results: list[SourceResult] = []
    for source in sorted(set(names)):
        members = [i for i, name in enumerate(names) if name == source]
        is_final = members[0] in kept_back
        if is_final and not final:
            continue
        held = [examples[i] for i in members]
        groups = {e.group for e in held}
        train = [
            e
            for i, e in enumerate(examples)
            if names[i] != source and e.group not in groups and (final or i not in kept_back)
        ]
        if on_source is not None:
            on_source(source)
        model = fitter(train)
        if prior is not None:
            model.prior = prior
        scored = score(held, model)
        verdicts = [verdict_of(s.example, s.probability, thresholds) for s in scored]
        for item, verdict in zip(scored, verdicts, strict=True):
            item.combined = verdict.score
        results.append(
            SourceResult(
                source,
                held[0].label,
                is_final,
                len(train),
                scored,
                [v.label for v in verdicts],
            )
        )
    return SourceReport(view, thresholds, results)


def _pct(value: float) -> str:
    return f"{100 * value:5.1f} %"


def source_report_markdown(report: SourceReport) -> str:
    """The leave-source-out report as Markdown tables (docs/benchmarks.md quotes them)."""
    lines: list[str] = []
    out = lines.append
    out(f"\n## view: {report.view}\n")
    # The last column ranks by the model's probability alone: what the model would catch if its
    # word alone decided (it does not, docs/scoring.md), on mail from a source it never saw.
    out(
        "| held-out source | msgs | trained on | phishing | suspicious or worse | TPR@0.1%FPR | TPR@1%FPR "
        "| model alone TPR@0.1%FPR |"
    )
    out("|---|---:|---:|---:|---:|---:|---:|---:|")
    for final in (False, True):
        # Kept-back phish are ranked against all held-out ham, development ham against its own.
        ham = np.concatenate([report.ham_scores(False), report.ham_scores(True) if final else []])
        ham_alone = np.concatenate(
            [
                report.ham_scores(False, model_alone=True),
                report.ham_scores(True, model_alone=True) if final else [],
            ]
        )
        for source in (s for s in report.sources if s.final == final):
            tpr = ("", "", "")
            if source.label == 1 and ham.size:
                labels = np.array([0] * ham.size + [1] * len(source.scored))
                scores = np.concatenate([ham, [s.combined for s in source.scored]])
                alone = np.concatenate([ham_alone, [s.probability for s in source.scored]])
                tpr = (
                    f"{tpr_at_fpr(labels, scores, 0.001):.3f}",
                    f"{tpr_at_fpr(labels, scores, 0.01):.3f}",
                    f"{tpr_at_fpr(labels, alone, 0.001):.3f}",
                )
            kind = "phish" if source.label else "ham"
            out(
                f"| {source.source} ({kind}{', kept back' if final else ''}) | {len(source.verdicts)} "
                f"| {source.train_messages} | {_pct(source.share('phishing'))} "
                f"| {_pct(source.share('phishing', 'suspicious'))} | {tpr[0]} | {tpr[1]} | {tpr[2]} |"
            )
    for attribute in ("language", "genre"):
        out(f"\n| by {attribute} | msgs | phishing | suspicious or worse |")
        out("|---|---:|---:|---:|")
        for (label, value), items in report.slices(attribute).items():
            verdicts = [v for _, v in items]
            phishing = sum(v == "phishing" for v in verdicts) / len(verdicts)
            flagged = sum(v != "clean" for v in verdicts) / len(verdicts)
            kind = "phish" if label else "ham"
            out(f"| {kind} {value} | {len(verdicts)} | {_pct(phishing)} | {_pct(flagged)} |")
    ham_sources = [s for s in report.sources if s.label == 0]
    if ham_sources:
        worst = max(ham_sources, key=lambda s: s.share("phishing", "suspicious"))
        out(f"\nworst ham source: {worst.source}, {_pct(worst.share('phishing', 'suspicious'))} flagged")
    phish_sources = [s for s in report.sources if s.label == 1]
    if phish_sources:
        worst = min(phish_sources, key=lambda s: s.share("phishing", "suspicious"))
        out(f"worst phish source: {worst.source}, {_pct(worst.share('phishing', 'suspicious'))} caught")
    return "\n".join(lines)


def source_report_dict(report: SourceReport) -> dict[str, object]:
    """The leave-source-out report as plain data (``seawall eval --json``)."""
    return {
        "view": report.view,
        "sources": [
            {
                "source": s.source,
                "kind": "phish" if s.label else "ham",
                "kept_back": s.final,
                "messages": len(s.verdicts),
                "trained_on": s.train_messages,
                "phishing": round(s.share("phishing"), 4),
                "suspicious_or_worse": round(s.share("phishing", "suspicious"), 4),
            }
            for s in report.sources
        ],
        **{
            f"by_{attribute}": {
                f"{'phish' if label else 'ham'} {value}": {
                    "messages": len(items),
                    "phishing": round(sum(v == "phishing" for _, v in items) / len(items), 4),
                    "suspicious_or_worse": round(sum(v != "clean" for _, v in items) / len(items), 4),
                }
                for (label, value), items in report.slices(attribute).items()
            }
            for attribute in ("language", "genre")
        },
    }
