"""False positives on legitimate mail, per ham corpus and per rule, with phishing recall beside.

    python bench/false_positives.py [--labels ../shared/corpora/labels.tsv] [--commercial-weight 10]
                                    [--show-flagged]

Split: the time split of ``seawall eval`` (train on the oldest 70 %, test on the newest, no
campaign on both sides), with ``--scrub`` (collector artefacts normalised on both classes), and
``commercial_markup`` additionally **sender-disjoint**: its senders (registered From domains)
are split 70 / 30 by a hash, and a sender's mail is only ever on its own side, so the figure
measures legitimate bulk mail from senders the model has never seen.

Prints, for the shipped weighting of commercial mail and without it: phishing recall on the
test phish (labelled phishing; and suspicious or phishing), then per ham corpus the share of
test messages labelled phishing and suspicious-or-phishing, the rules that fired on those
messages, and how many were pushed over by the model (probability > 0.5) versus the rules.

Scrubbing removes every receiving-side header, the receiver's Authentication-Results too, so
the scrubbed figures are those of a Seawall that cannot tell who signed a message. Deployed,
Seawall trusts the Authentication-Results of the organisation's own receiving MTA
(``[authentication] trusted_authserv_ids``). The **deployed view** simulates that on both
classes: the scrubbed message plus the verdicts of the receiver that collected it (its
topmost Authentication-Results: Gmail's for ``commercial_markup``, Microsoft 365's for
phishing_pot, the list archive's for the lists), under one trusted authserv-id. The model
and its tokens are the same (it never reads authentication); only the rules that do change.
"""

from __future__ import annotations

import argparse
import hashlib
from collections import Counter, defaultdict
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path

from seawall.config import Settings, settings_from_toml
from seawall.detect.detector import Detector
from seawall.detect.model import dataset
from seawall.detect.model.dataset import Labelled
from seawall.detect.model.evaluate import Scored, score, split
from seawall.detect.model.linear import LinearModel
from seawall.detect.model.normalise import scrub_message
from seawall.detect.model.train import Example, fit, prepare
from seawall.detect.verdict import label_for
from seawall.intake.source import RawMessage
from seawall.mail.auth import parse_authentication_results
from seawall.mail.domains import registered_domain
from seawall.mail.parse import parse_message

COMMERCIAL = "commercial_markup"


def _sender_side(example: Example) -> str:
    domain = example.sender.rpartition("@")[2].lower()
    domain = registered_domain(domain) or domain
    bucket = int(hashlib.sha256(domain.encode()).hexdigest(), 16) % 10
    return "test" if bucket >= 7 else "train"


def sender_disjoint(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    train, test = split(examples, "time")
    train = [e for e in train if e.corpus != COMMERCIAL or _sender_side(e) == "train"]
    test = [e for e in test if e.corpus != COMMERCIAL]
    test += [e for e in examples if e.corpus == COMMERCIAL and _sender_side(e) == "test"]
    return train, test


RECEIVER = "receiver.invalid"
"""The authserv-id the deployed view gives the collecting receiver's verdicts."""


def deployed_bytes(data: bytes) -> bytes:
    """The scrubbed message with its final receiver's Authentication-Results put back."""
    scrubbed = scrub_message(data)
    try:
        values = BytesHeaderParser(policy=compat32).parsebytes(data).get_all("Authentication-Results")
    except Exception:  # an unparseable message keeps no verdict
        return scrubbed
    if not values:
        return scrubbed
    value = " ".join(str(values[0]).split())
    if parse_authentication_results(value, 0).authserv_id:
        value = value.split(";", 1)[1] if ";" in value else ""
    return f"Authentication-Results: {RECEIVER}; {value.strip()}\r\n".encode() + scrubbed


def deployed_examples(items: list[Labelled]) -> dict[str, Example]:
    """Each message in the deployed view, by origin."""
    settings = settings_from_toml(f'[authentication]\ntrusted_authserv_ids = ["{RECEIVER}"]\n')
    deployed = [
        Labelled(RawMessage.from_bytes(deployed_bytes(i.raw.data), i.raw.origin), i.label, i.corpus)
        for i in items
    ]
    return {e.origin: e for e in prepare(deployed, settings, scrub=False)}


def report(
    scored: list[Scored],
    settings: Settings,
    title: str,
    show_flagged: bool = False,
    model: LinearModel | None = None,
) -> None:
    thresholds = settings.verdict
    print(f"\n== {title}")
    phish = [s for s in scored if s.example.label == 1]
    labels = Counter(label_for(s.combined, thresholds) for s in phish)
    total = max(len(phish), 1)
    print(
        f"phishing recall on {len(phish)} test phish: labelled phishing {labels['phishing'] / total:.3f}, "
        f"suspicious or phishing {(labels['phishing'] + labels['suspicious']) / total:.3f}"
    )
    by_corpus: dict[str, list[Scored]] = defaultdict(list)
    for item in scored:
        if item.example.label == 0:
            by_corpus[item.example.corpus].append(item)
    for corpus, items in sorted(by_corpus.items()):
        verdicts = [label_for(s.combined, thresholds) for s in items]
        flagged = [s for s, v in zip(items, verdicts, strict=True) if v != "clean"]
        phishing = sum(v == "phishing" for v in verdicts)
        rules: Counter[str] = Counter()
        for item in flagged:
            rules.update(e.rule for e in item.example.evidence if e.weight > 0 and e.rule != "model")
        by_model = sum(1 for s in flagged if s.probability > 0.5)
        print(
            f"  {corpus:<36} {len(items):>5} ham  phishing {phishing / len(items):.4f} ({phishing})  "
            f"suspicious+ {len(flagged) / len(items):.4f} ({len(flagged)})  "
            f"model-driven {by_model}/{len(flagged)}"
        )
        if rules:
            print("      rules on flagged ham: " + ", ".join(f"{r} {n}" for r, n in rules.most_common(6)))
        if show_flagged:
            detector = Detector(settings, use_model=False) if model is not None and flagged else None
            for item in flagged:
                _show(item, model, detector)


def _show(item: Scored, model: LinearModel | None, detector: Detector | None) -> None:
    """One flagged legitimate message: what it is, the rules and the model tokens that flagged it."""
    example = item.example
    print(f"        {Path(example.origin).name}  {example.subject[:60]!r}  from {example.sender}")
    rules = ", ".join(f"{e.rule} {e.weight:+g}" for e in example.evidence if e.rule != "model" and e.weight)
    print(f"          score {item.combined:.0f}, model p {item.probability:.3f}; rules: {rules or 'none'}")
    if model is None or detector is None:
        return
    scrubbed = scrub_message(Path(example.origin).read_bytes())
    message = parse_message(RawMessage.from_bytes(scrubbed, example.origin), detector.settings.limits)
    analysis = detector.analyse(message)
    prediction = model.predict(message, analysis.features, [m.rule.id for m in analysis.matches], explain=8)
    print("          model: " + ", ".join(f"{c.token} {c.weight:+.2f}" for c in prediction.contributions))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    root = Path(__file__).resolve().parents[2] / "shared" / "corpora"
    parser.add_argument("--labels", default=str(root / "labels.tsv"))
    parser.add_argument("--commercial-weight", type=float, default=3.0)
    parser.add_argument(
        "--show-flagged", action="store_true", help="list each flagged legitimate message and why"
    )
    args = parser.parse_args()
    settings = Settings()
    items = list(dataset.load(Path(args.labels), ("modern/",), ()))
    examples = prepare(items, settings, scrub=True)
    train, test = sender_disjoint(examples)
    commercial_train = sum(1 for e in train if e.corpus == COMMERCIAL)
    commercial_test = sum(1 for e in test if e.corpus == COMMERCIAL)
    print(
        f"{len(examples)} messages; train {len(train)} (commercial {commercial_train}), "
        f"test {len(test)} (commercial {commercial_test}, senders never seen in training)"
    )
    print("rules alone (no model):")
    rules_only = [
        Scored(e, 0.0, s.rules, s.rules) for e, s in zip(test, score(test, fit(train)), strict=True)
    ]
    report(rules_only, settings, "rules only")
    deployed = deployed_examples(items)
    deployed_test = [deployed.get(e.origin, e) for e in test]
    for weight in sorted({args.commercial_weight, 1.0}, reverse=True):
        model = fit(train, corpus_weights={COMMERCIAL: weight} if weight != 1.0 else None)
        model.prior = settings.model.phish_prior  # as a scan re-bases it
        shipped = " (as shipped)" if weight == 1.0 else ""
        report(
            score(test, model),
            settings,
            f"rules + model, commercial_markup weight {weight:g}{shipped}, scrubbed",
            args.show_flagged,
            model,
        )
        report(
            score(deployed_test, model),
            settings,
            f"rules + model, commercial_markup weight {weight:g}{shipped}, deployed view",
            args.show_flagged,
            model,
        )


if __name__ == "__main__":
    main()
