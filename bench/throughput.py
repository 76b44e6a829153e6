"""Throughput and memory of Seawall's scan on real mail, on one core.

Measures (a) parse only, (b) parse + features + rules, (c) the full ``seawall scan`` pipeline
with the store (SQLite, raw-message store on), on every message under a corpus folder
(default ``../shared/corpora/modern``). Each mode runs in a fresh process so peak RSS is its
own. Messages are streamed from disk in every mode, as a scan does.

    python bench/throughput.py [CORPUS_DIR] [--limit N] [--repeat-to N]

``--repeat-to N`` cycles through the corpus until N messages were processed (for the
10,000-message memory figure) without copying any message to disk.
"""

from __future__ import annotations

import argparse
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
    from seawall.intake.files import read_source, PlannedSource
    from seawall.mail.parse import parse_message

    settings = Settings()
    detector = Detector(settings) if mode == "detect" else None
    scanner = None
    if mode == "scan":
        from seawall.pipeline import Scanner
        scanner = Scanner(settings, record=True, keep_raw=True)
    count = 0
    elapsed = 0.0
    for path in _paths(corpus, limit, repeat_to):
        for raw in read_source(PlannedSource(path, "eml")):
            start = time.perf_counter()
            if scanner is not None:
                list(scanner.scan_items([raw]))
            else:
                message = parse_message(raw, settings.limits)  # type: ignore[arg-type]
                if detector is not None:
                    detector.analyse(message)
            elapsed += time.perf_counter() - start
            count += 1
    if scanner is not None:
        start = time.perf_counter()
        scanner.close()
        elapsed += time.perf_counter() - start
    return {"messages": count, "seconds": round(elapsed, 2), "per_second": round(count / elapsed, 1),
            "peak_rss_mb": round(_peak_rss_mb(), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N files")
    parser.add_argument("--repeat-to", type=int, default=None, help="process N messages, cycling the corpus")
    parser.add_argument("--mode", choices=["parse", "detect", "scan"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found: {args.corpus}")
    if args.mode:
        with tempfile.TemporaryDirectory() as home:
            os.environ["SEAWALL_HOME"] = home
            print(json.dumps(run_mode(args.mode, args.corpus, args.limit, args.repeat_to)))
        return
    print(f"corpus: {args.corpus} (one core: taskset -c 0)")
    labels = {"parse": "(a) parse only", "detect": "(b) parse + features + rules",
              "scan": "(c) full scan with store"}
    for mode in ("parse", "detect", "scan"):
        command = ["taskset", "-c", "0", sys.executable, __file__, str(args.corpus), "--mode", mode]
        if args.limit:
            command += ["--limit", str(args.limit)]
        if args.repeat_to:
            command += ["--repeat-to", str(args.repeat_to)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        print(f"{labels[mode]:32s} {figures['messages']:6d} messages  {figures['per_second']:8.1f} msg/s"
              f"  peak RSS {figures['peak_rss_mb']:6.1f} MB")


if __name__ == "__main__":
    main()
