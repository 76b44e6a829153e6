"""Leave one source out: what `seawall scan` labels on mail from a source it never trained on.

    python bench/holdout.py [--labels ../shared/corpora/labels.tsv] [--view scrubbed|bare|both]
                            [--final] [--no-cache]

Every source of the labels file (each ham corpus; phishing_pot cut into four time windows;
Nazario's phish) is held out in turn: a model is trained on all other sources (minus any
campaign the held-out source shares), and the held-out messages get the product's own
verdict (rules, that model, ``decide``). Messages are read in an evaluation view
(``normalise.evaluation_view``): collector and list headers, recipient placeholders and the
receiver's Authentication-Results removed on both classes and every Date fixed; the ``bare``
view also drops every header but From, To, Cc, Subject, Date and MIME.

The newest phishing_pot window and half of the Enron mailboxes are kept back: they are
scored only with ``--final``. docs/benchmarks.md records each time that was printed.

The same protocol is `seawall eval --protocol leave-source-out`; this script adds a cache of
the analysed messages (keyed by the source code of Seawall's detection) so that a change to
the model or the verdict is measured in seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import time
from pathlib import Path

from seawall.config import Settings
from seawall.detect.engine import RuleMatch, load_rules
from seawall.detect.model import dataset
from seawall.detect.model.evaluate import leave_source_out, source_report_markdown
from seawall.detect.model.train import Example, prepare

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "bench-cache"


def _code_key() -> str:
    digest = hashlib.sha256()
    for folder in ("detect", "mail"):
        for path in sorted((ROOT / "src" / "seawall" / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yml", ".txt") and "model" not in path.parts[-2:-1]:
                digest.update(path.read_bytes())
    for name in ("vectorize.py", "train.py", "normalise.py"):
        digest.update((ROOT / "src" / "seawall" / "detect" / "model" / name).read_bytes())
    return digest.hexdigest()[:16]


def load_examples(labels: Path, view: str, use_cache: bool, settings: Settings) -> list[Example]:
    """The analysed messages of the labels file in ``view`` (cached between runs)."""
    path = CACHE / f"{view}-{_code_key()}.pickle"
    rules = load_rules([]).by_id()
    if use_cache and path.is_file():
        examples: list[Example] = pickle.loads(path.read_bytes())
        for example in examples:
            example.matches = [RuleMatch(rules[i], h, w, n) for i, h, w, n in example.matches]  # type: ignore[misc]
        return examples
    started = time.perf_counter()
    examples = prepare(dataset.load(labels), settings, view)
    print(
        f"analysed {len(examples)} messages ({view}) in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    saved = [m for e in examples for m in [e.matches]]
    for example in examples:
        example.matches = [(m.rule.id, m.hits, m.weight, m.note) for m in example.matches]  # type: ignore[misc]
    path.write_bytes(pickle.dumps(examples, protocol=pickle.HIGHEST_PROTOCOL))
    for example, matches in zip(examples, saved, strict=True):
        example.matches = matches
    return examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", default=str(ROOT.parent / "shared" / "corpora" / "labels.tsv"))
    parser.add_argument("--view", choices=("scrubbed", "bare", "both"), default="both")
    parser.add_argument("--final", action="store_true", help="also score the kept-back sources")
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--show-flagged", type=int, default=0, help="list N flagged ham per source")
    parser.add_argument(
        "--model-without-deception",
        type=float,
        help="points the model may add when nothing deceives (default: the shipped setting)",
    )
    parser.add_argument("--show-missed", type=int, default=0, help="list N missed phish per source")
    args = parser.parse_args()
    settings = Settings()
    settings.model.enabled = False
    if args.model_without_deception is not None:
        settings.verdict.model_without_deception = args.model_without_deception
    for view in ("scrubbed", "bare") if args.view == "both" else (args.view,):
        examples = load_examples(Path(args.labels), view, not args.no_cache, settings)
        report = leave_source_out(
            examples,
            settings.verdict,
            view,
            final=args.final,
            prior=Settings().model.phish_prior,
            on_source=lambda s: print(f"holding out {s}", file=sys.stderr),
        )
        print(source_report_markdown(report))
        for source in report.sources:
            shown = args.show_missed if source.label else args.show_flagged
            if not shown:
                continue
            listed = [
                (s, v)
                for s, v in zip(source.scored, source.verdicts, strict=True)
                if (v == "clean") == bool(source.label)
            ]
            # Flagged ham strongest first; missed phish in a fixed arbitrary order (a sample).
            listed.sort(key=lambda item: item[0].example.sha256 if source.label else -item[0].combined)
            for scored, verdict in listed[:shown]:
                rules = ",".join(m.rule.id for m in scored.example.matches if m.weight)
                print(
                    f"  {source.source} {verdict} {scored.combined:.0f} p={scored.probability:.2f} "
                    f"{scored.example.subject[:60]!r} <{scored.example.sender[:40]}> [{rules}] "
                    f"{scored.example.origin}"
                )


if __name__ == "__main__":
    main()
