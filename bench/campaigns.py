"""Campaign clustering quality and speed.

    python bench/campaigns.py [--corpora ../shared/corpora/modern] [--ham-limit N]

(a) ``phishing_pot`` against weak ground truth: messages whose normalised bodies are identical
    must share a campaign (reported as the share of such pairs kept together); how often
    different lures are merged is reported as the share of same-campaign pairs whose bodies
    have a shingle Jaccard similarity below 0.2 (a different text, joined by infrastructure).
(b) synthetic waves (``bench/synthetic_waves.py``: personalised greetings, per-recipient
    tracking URLs, rotated senders, subject variants, reworded sentences, several waves over
    several days) mixed into the real ham and phish. Every message of the mix is clustered,
    whatever its verdict (harder than production, where only suspicious and phishing mail
    is). Pairwise precision and recall count every pair with at least one synthetic message:
    real messages have no ground truth among themselves.
Speed: fingerprinting and assignment only (after parsing), one core.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seawall.campaigns.cluster import CampaignIndex
from seawall.campaigns.fingerprint import _personal_words, make_fingerprint, normalised_words
from seawall.intake.files import plan, read_source
from seawall.intake.source import Origin, RawMessage
from seawall.mail.limits import Limits
from seawall.mail.model import ParsedMessage
from seawall.mail.parse import parse_message
from synthetic_waves import generate


def parse_folder(folder: Path, limit: int | None = None) -> list[ParsedMessage]:
    out: list[ParsedMessage] = []
    limits = Limits()
    for source in plan([str(folder)]):
        for item in read_source(source):
            if isinstance(item, RawMessage):
                out.append(parse_message(item, limits))
                if limit and len(out) >= limit:
                    return out
    return out


def body_words(message: ParsedMessage) -> list[str]:
    html = message.html.visible_text if message.html is not None else ""
    text = html if len(html) > len(message.text) else message.text
    return normalised_words(text, _personal_words(message))


def shingles(words: list[str]) -> set[str]:
    return {" ".join(words[i : i + 3]) for i in range(max(len(words) - 2, 1))}


def cluster(messages: list[ParsedMessage]) -> tuple[list[int], float]:
    index = CampaignIndex()
    started = time.perf_counter()
    labels = []
    for message in messages:
        fingerprint = make_fingerprint(message, message.timestamp or 0.0)
        labels.append(index.assign(fingerprint).campaign_id)
    seconds = time.perf_counter() - started
    return [index.resolve(label) for label in labels], seconds


def weak_truth(messages: list[ParsedMessage]) -> None:
    labels, seconds = cluster(messages)
    words = [body_words(m) for m in messages]
    by_body: dict[str, list[int]] = defaultdict(list)
    for i, w in enumerate(words):
        if len(w) >= 8:
            by_body[" ".join(w)].append(i)
    identical_pairs = together = 0
    for members in by_body.values():
        for a, b in combinations(members, 2):
            identical_pairs += 1
            together += labels[a] == labels[b]
    by_campaign: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        by_campaign[label].append(i)
    sets = [shingles(w) for w in words]
    same_pairs = different_lures = 0
    for members in by_campaign.values():
        for a, b in combinations(members[:200], 2):
            if len(words[a]) < 8 or len(words[b]) < 8:
                continue
            same_pairs += 1
            union = len(sets[a] | sets[b]) or 1
            if len(sets[a] & sets[b]) / union < 0.2:
                different_lures += 1
    sizes = Counter(len(m) for m in by_campaign.values())
    print(
        f"(a) phishing_pot: {len(messages)} messages -> {len(by_campaign)} campaigns "
        f"({sum(v for k, v in sizes.items() if k > 1)} with 2+ messages, largest {max(sizes)})"
    )
    print(
        f"    identical normalised bodies kept together: {together}/{identical_pairs} pairs "
        f"({together / max(identical_pairs, 1):.4f})"
    )
    print(
        "    same-campaign pairs with different lures (shingle Jaccard < 0.2): "
        f"{different_lures}/{same_pairs} "
        f"({different_lures / max(same_pairs, 1):.4f})"
    )
    print(f"    clustering speed: {len(messages) / seconds:.0f} messages/s")


def synthetic_mix(real: list[ParsedMessage]) -> None:
    limits = Limits()
    synthetic = generate()
    parsed_synthetic = [
        parse_message(RawMessage.from_bytes(s.data, Origin("synthetic", f"{s.campaign}-{i}")), limits)
        for i, s in enumerate(synthetic)
    ]
    truth: list[str | None] = [s.campaign for s in synthetic] + [None] * len(real)
    messages = parsed_synthetic + real
    # Interleave by sending time, as mail arrives.
    order = sorted(range(len(messages)), key=lambda i: messages[i].timestamp or 0.0)
    labels_in_order, seconds = cluster([messages[i] for i in order])
    labels = [0] * len(messages)
    for position, i in enumerate(order):
        labels[i] = labels_in_order[position]
    synthetic_idx = [i for i, t in enumerate(truth) if t is not None]
    tp = fp = fn = 0
    by_label: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        by_label[label].append(i)
    for members in by_label.values():
        for a, b in combinations(members, 2):
            if truth[a] is None and truth[b] is None:
                continue
            if truth[a] is not None and truth[a] == truth[b]:
                tp += 1
            else:
                fp += 1
    by_truth: dict[str, list[int]] = defaultdict(list)
    for i in synthetic_idx:
        by_truth[str(truth[i])].append(i)
    for members in by_truth.values():
        for a, b in combinations(members, 2):
            fn += labels[a] != labels[b]
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    waves = len({(s.campaign, s.wave) for s in synthetic})
    print(
        f"(b) synthetic waves: {len(synthetic)} messages in {len(by_truth)} campaigns / {waves} waves, "
        f"mixed with {len(real)} real messages"
    )
    print(f"    pairwise precision {precision:.4f}  recall {recall:.4f}  (tp {tp}, fp {fp}, fn {fn})")
    print(
        f"    clustering speed: {len(messages) / seconds:.0f} messages/s (fingerprint + assignment, one core)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpora", default=str(Path(__file__).resolve().parents[2] / "shared/corpora/modern")
    )
    parser.add_argument("--ham-limit", type=int, default=None)
    args = parser.parse_args()
    corpora = Path(args.corpora)
    phish = parse_folder(corpora / "phishing_pot")
    weak_truth(phish)
    ham: list[ParsedMessage] = []
    for folder in sorted(corpora.iterdir()):
        if folder.is_dir() and folder.name != "phishing_pot":
            ham.extend(parse_folder(folder, args.ham_limit))
    synthetic_mix(ham + phish)


if __name__ == "__main__":
    main()
