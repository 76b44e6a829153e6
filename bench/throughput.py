"""Throughput and memory of Seawall's scan on real mail, on one core.

Measures (a) parse only, (b) parse + features + rules, (b+) the same with the trained model,
(c) the full ``seawall scan`` pipeline (model, SQLite store, raw-message store, campaigns and
indicators), on every message under a corpus folder
(default ``../shared/corpora/modern``). Each mode runs in a fresh process so peak RSS is its
own. Messages are streamed from disk in every mode, as a scan does.

    python bench/throughput.py [CORPUS_DIR] [--limit N] [--repeat-to N]

``--repeat-to N`` cycles through the corpus until N messages were processed (for the
10,000-message memory figure) without copying any message to disk.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "modern"
WARM_UP = 200
RUNS = 3


def _paths(corpus: Path, limit: int | None, repeat_to: int | None) -> Iterator[str]:
    from seawall.intake.files import plan

    files = [s.path for s in plan([str(corpus)])]
    if limit:
        files = files[:limit]
    if not repeat_to:
        yield from files
        return
    produced = 0
    while produced < repeat_to:
        for path in files:
            if produced >= repeat_to:
                return
            produced += 1
            yield path


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_mode(mode: str, corpus: Path, limit: int | None, repeat_to: int | None) -> dict[str, float]:
    from seawall.config import Settings
    from seawall.detect.detector import Detector
    from seawall.intake.files import PlannedSource, read_source
    from seawall.mail.parse import parse_message

    settings = Settings()
    if mode == "stdlib":
        return _stdlib_reference(corpus, limit, repeat_to)
    detector = None
    if mode == "rules":
        detector = Detector(settings, use_model=False)
    elif mode == "detect":
        detector = Detector(settings)
    scanner = None
    if mode == "scan":
        from seawall.pipeline import Scanner

        scanner = Scanner(settings, record=True, keep_raw=True)
    gc.collect()
    gc.freeze()  # as the Scanner does after loading rules and lists
    count = 0
    elapsed = 0.0
    for position, path in enumerate(_paths(corpus, limit, repeat_to)):
        for raw in read_source(PlannedSource(path, "eml")):
            start = time.perf_counter()
            if scanner is not None:
                list(scanner.scan_items([raw]))
            else:
                message = parse_message(raw, settings.limits)  # type: ignore[arg-type]
                if detector is not None:
                    detector.analyse(message)
            if position < WARM_UP:
                continue  # imports, caches and first-use costs are paid once per process
            elapsed += time.perf_counter() - start
            count += 1
    if scanner is not None:
        start = time.perf_counter()
        scanner.close()
        elapsed += time.perf_counter() - start
    return {
        "messages": count,
        "seconds": round(elapsed, 2),
        "per_second": round(count / elapsed, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def _stdlib_reference(corpus: Path, limit: int | None, repeat_to: int | None) -> dict[str, float]:
    """Python's own parser (policy.compat32) alone: the yardstick the targets refer to."""
    import email.policy
    from email.parser import BytesParser

    parser = BytesParser(policy=email.policy.compat32)
    count = 0
    elapsed = 0.0
    for position, path in enumerate(_paths(corpus, limit, repeat_to)):
        data = Path(path).read_bytes()
        start = time.perf_counter()
        parser.parsebytes(data)
        if position < WARM_UP:
            continue
        elapsed += time.perf_counter() - start
        count += 1
    return {
        "messages": count,
        "seconds": round(elapsed, 2),
        "per_second": round(count / elapsed, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N files")
    parser.add_argument("--repeat-to", type=int, default=None, help="process N messages, cycling the corpus")
    parser.add_argument(
        "--mode", choices=["stdlib", "parse", "rules", "detect", "scan"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found: {args.corpus}")
    if args.mode:
        with tempfile.TemporaryDirectory() as home:
            os.environ["SEAWALL_HOME"] = home
            print(json.dumps(run_mode(args.mode, args.corpus, args.limit, args.repeat_to)))
        return
    print(f"corpus: {args.corpus} (one core: taskset -c 0)")
    labels = {
        "stdlib": "reference: email compat32 only",
        "parse": "(a) parse only",
        "rules": "(b) parse + features + rules",
        "detect": "(b+) ... + trained model",
        "scan": "(c) full scan with store",
    }
    print(f"each mode: {RUNS} fresh processes, first {WARM_UP} files as warm-up; best and median shown")
    for mode in ("stdlib", "parse", "rules", "detect", "scan"):
        command = ["taskset", "-c", "0", sys.executable, __file__, str(args.corpus), "--mode", mode]
        if args.limit:
            command += ["--limit", str(args.limit)]
        if args.repeat_to:
            command += ["--repeat-to", str(args.repeat_to)]
        runs = []
        for _ in range(RUNS):
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(output.strip().splitlines()[-1]))
        rates = sorted(run["per_second"] for run in runs)
        peak = max(run["peak_rss_mb"] for run in runs)
        print(
            f"{labels[mode]:30s} {runs[0]['messages']:6d} messages  best {rates[-1]:6.1f} msg/s"
            f"  median {rates[len(rates) // 2]:6.1f} msg/s  peak RSS {peak:6.1f} MB"
        )


if __name__ == "__main__":
    main()
