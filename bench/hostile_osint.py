"""Hostile files named as articles through `seawall osint ingest` (issue 19, item 5).

    python bench/hostile_osint.py [--timeout 120]

Each input is generated into a temporary folder and ingested by the real command in its own
process (a fresh store); the wall time, the exit code and the line the command printed for the
file are reported. An input that is not an article must give a per-file skip or a result in
bounded time, never a stall or a crash of the run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

STORY = (
    "Iranian hackers linked to APT33 targeted US energy companies with spear-phishing e-mail "
    "in June 2019, according to FireEye. "
)


def plain_20mb() -> tuple[str, bytes]:
    return "article.txt", (STORY * (19_500_000 // len(STORY))).encode()


def many_attributes() -> tuple[str, bytes]:
    attributes = " ".join(f'data-a{n}="{n}"' for n in range(200_000))
    return "page.html", f"<html><body><p {attributes}>{STORY}</p></body></html>".encode()


def escaped_divs_in_atom() -> tuple[str, bytes]:
    divs = "&lt;div&gt;" * 200_000
    feed = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        f"<entry><title>APT33</title><updated>2019-06-20T00:00:00Z</updated>"
        f'<content type="html">{divs}{STORY}</content></entry></feed>'
    )
    return "feed.atom", feed.encode()


def nested_tags() -> tuple[str, bytes]:
    return "deep.html", ("<div>" * 200_000 + STORY + "</div>" * 200_000).encode()


def endless_title() -> tuple[str, bytes]:
    # a CASIE-style tagged article whose <title> is read as the headline, which is parsed whole
    # rather than as sentences
    title = "Hackers from Russia hacked Iran, and Iran was behind the attack vs. Russia. " * 20_000
    return "title.txt", f"<title>{title}</title>\n<text>{STORY}</text>\n".encode()


def unattributed_paragraph() -> tuple[str, bytes]:
    # one paragraph of operations without an author: the paragraph is searched for the groups
    # and the state-called attackers it names, tens of thousands of names in one text
    story = "Hackers hacked the servers of a ministry. Iranian hackers and other hackers were there. "
    return "paragraph.txt", (story * (1_990_000 // len(story))).encode()


def binary_named_txt() -> tuple[str, bytes]:
    return "report.txt", os.urandom(5_000_000)


def pdf_named_html() -> tuple[str, bytes]:
    return "report.html", b"%PDF-1.7\n" + os.urandom(2_000_000)


INPUTS: dict[str, Callable[[], tuple[str, bytes]]] = {
    "20 MB plain text": plain_20mb,
    "200,000 attributes on one tag": many_attributes,
    "200,000 escaped <div> in an Atom entry": escaped_divs_in_atom,
    "200,000 nested <div>": nested_tags,
    "a <title> of 1.5 million characters": endless_title,
    "one paragraph of 2 MB naming 66,000 unnamed attackers": unattributed_paragraph,
    "5 MB of random bytes named .txt": binary_named_txt,
    "a PDF named .html": pdf_named_html,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--only", help="run only the inputs whose title contains this")
    args = parser.parse_args()
    print("| input | seconds | exit | what the command said |")
    print("|---|---:|---:|---|")
    for title, make in INPUTS.items():
        if args.only and args.only not in title:
            continue
        with tempfile.TemporaryDirectory() as folder:
            name, data = make()
            path = Path(folder) / name
            path.write_bytes(data)
            env = {**os.environ, "SEAWALL_HOME": str(Path(folder) / "home")}
            env.pop("SEAWALL_DATABASE_URL", None)
            started = time.perf_counter()
            try:
                done = subprocess.run(
                    [sys.executable, "-m", "seawall", "osint", "ingest", str(path)],
                    capture_output=True,
                    text=True,
                    env=env,
                    timeout=args.timeout,
                )
                said = (done.stderr + done.stdout).strip().splitlines()
                line = next((s for s in said if name in s or "skipp" in s), said[-1] if said else "")
                code = str(done.returncode)
            except subprocess.TimeoutExpired:
                line, code = f"did not finish in {args.timeout:.0f} s", "-"
            elapsed = time.perf_counter() - started
            line = line.replace(folder, "").replace("|", "/")[:110]
            print(f"| {title} | {elapsed:.1f} | {code} | {line} |", flush=True)


if __name__ == "__main__":
    main()
