"""Incremental campaign clustering: each message joins a campaign or founds one, in bounded time.

A message is compared only with what the indexes return for it: an LSH lookup (datasketch
``MinHashLSH``) of its text MinHash against a few representative texts per campaign, and a
dictionary lookup of each infrastructure key. Nothing is ever compared all-pairs, so the cost
per message does not grow with the number of campaigns (except through key fan-out, capped).

Decision, in order: a near-duplicate text (estimated Jaccard >= ``text_threshold``) or one
shared strong key (link URL or domain, attachment hash) joins; otherwise two shared weak keys
(sender domain, sending IP, subject template) join; otherwise the message founds a campaign.
Every join records its reasons.

Waves are bursts in time within a campaign: a gap longer than ``wave_gap`` between consecutive
messages (ordered by their sending time) starts a new wave.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from seawall.campaigns.fingerprint import NUM_PERM, SEED, STRONG_KINDS, Fingerprint, _permutations
from seawall.config import CampaignSettings
from seawall.detect.result import CampaignMembership as Assignment

if TYPE_CHECKING:
    from datasketch import MinHash

MAX_REPRESENTATIVES = 32
"""Texts kept per campaign in the LSH index; a new one only when unlike all kept ones."""
NEW_REPRESENTATIVE_BELOW = 0.85
MAX_CAMPAIGNS_PER_KEY = 16


@dataclass(slots=True)
class Campaign:
    id: int
    timestamps: list[float] = field(default_factory=list)
    representatives: int = 0
    members: int = 0
    waves: int = 0

    def add_time(self, timestamp: float, gap_seconds: float) -> int:
        """Record a sending time; the wave it falls in. In-order arrival (the usual case)
        costs O(log n); a late message re-counts the waves once."""
        index = bisect.bisect_right(self.timestamps, timestamp)
        self.timestamps.insert(index, timestamp)
        if index == len(self.timestamps) - 1:
            if index == 0 or timestamp - self.timestamps[index - 1] > gap_seconds:
                self.waves += 1
            return self.waves
        self.waves = len(waves_of(self.timestamps, gap_seconds))
        return wave_number(self.timestamps, timestamp, gap_seconds)


def label_of(campaign_id: int) -> str:
    return f"C-{campaign_id}"


def waves_of(timestamps: Iterable[float], gap_seconds: float) -> list[tuple[float, float, int]]:
    """(start, end, count) of each burst in sorted sending times."""
    waves: list[tuple[float, float, int]] = []
    for ts in sorted(timestamps):
        if waves and ts - waves[-1][1] <= gap_seconds:
            start, _end, count = waves[-1]
            waves[-1] = (start, ts, count + 1)
        else:
            waves.append((ts, ts, 1))
    return waves


def wave_number(timestamps: list[float], timestamp: float, gap_seconds: float) -> int:
    """1-based wave of ``timestamp`` among a campaign's sorted sending times."""
    number = 1
    index = bisect.bisect_right(timestamps, timestamp)
    for previous, current in itertools.pairwise(timestamps[:index]):
        if current - previous > gap_seconds:
            number += 1
    return number


class CampaignIndex:
    """The in-memory indexes; :class:`seawall.store.campaigns.CampaignRepository` persists them."""

    def __init__(
        self, settings: CampaignSettings | None = None, allocate: Callable[[], int] | None = None
    ) -> None:
        self.settings = settings or CampaignSettings()
        self.allocate = allocate
        """Where new campaign ids come from: the store when several scanners share it, so two
        processes never found the same id; an in-memory counter otherwise."""
        # imported when an index is built: datasketch brings in SciPy (~0.4 s of every command)
        from datasketch import MinHashLSH

        self.lsh = MinHashLSH(threshold=self.settings.text_threshold, num_perm=NUM_PERM)
        self.signatures: dict[str, tuple[int, MinHash]] = {}
        self.keys: dict[str, list[int]] = {}
        self.campaigns: dict[int, Campaign] = {}
        self.members: dict[str, int] = {}
        self.merged_into: dict[int, int] = {}
        """Campaigns merged into an older one (union-find parents; ids in indexes stay as written)."""
        self.next_id = 1
        # What changed since the last drain (the repository writes it in one transaction).
        self.new_keys: list[tuple[str, int]] = []
        self.new_signatures: list[tuple[str, int, bytes]] = []
        self.new_members: list[tuple[Fingerprint, Assignment]] = []
        self.new_merges: list[tuple[int, int]] = []

    def resolve(self, campaign_id: int) -> int:
        """The campaign an id now belongs to (after merges)."""
        root = campaign_id
        while root in self.merged_into:
            root = self.merged_into[root]
        while campaign_id != root:  # path compression
            parent = self.merged_into[campaign_id]
            self.merged_into[campaign_id] = root
            campaign_id = parent
        return root

    def restore_merge(self, source: int, target: int) -> None:
        """A merge recorded in the store (at start, or by another scanner since)."""
        if self.merged_into.get(source) == target:
            return
        self._fold(source, target)
        self.next_id = max(self.next_id, source + 1, target + 1)

    def _merge(self, sources: list[int], target: int) -> None:
        """Fold campaigns into ``target`` (the oldest): one message proved them one operation."""
        for source in sources:
            self._fold(source, target)
            self.new_merges.append((source, target))

    def _fold(self, source: int, target: int) -> None:
        campaign = self.campaigns.pop(source, None)
        self.merged_into[source] = target
        if campaign is not None:
            into = self._campaign(self.resolve(target))
            into.timestamps = sorted(into.timestamps + campaign.timestamps)
            into.waves = len(waves_of(into.timestamps, self.settings.wave_gap_hours * 3600.0))
            into.members += campaign.members
            into.representatives += campaign.representatives

    # -- loading persisted state --------------------------------------------------------------
    def restore_signature(self, key: str, campaign_id: int, hashvalues: bytes) -> None:
        from datasketch import MinHash

        values = np.frombuffer(hashvalues, dtype=np.uint64).copy()
        minhash = MinHash(
            num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashvalues=values, permutations=_permutations()
        )
        self._index_signature(key, campaign_id, minhash)

    def restore_key(self, key: str, campaign_id: int) -> None:
        owners = self.keys.setdefault(key, [])
        if campaign_id not in owners and len(owners) < MAX_CAMPAIGNS_PER_KEY:
            owners.append(campaign_id)

    def restore_member(self, sha256: str, campaign_id: int, timestamp: float) -> None:
        if sha256 in self.members:  # read back after this scanner wrote it
            return
        campaign = self._campaign(self.resolve(campaign_id))
        campaign.add_time(timestamp, self.settings.wave_gap_hours * 3600.0)
        campaign.members += 1
        self.members[sha256] = campaign_id
        self.next_id = max(self.next_id, campaign_id + 1)

    # -- assignment ---------------------------------------------------------------------------
    def assign(self, fingerprint: Fingerprint) -> Assignment:
        gap = self.settings.wave_gap_hours * 3600.0
        known = self.members.get(fingerprint.sha256)
        if known is not None:  # the same bytes again: same campaign, no double count
            known = self.resolve(known)
            campaign = self.campaigns[known]
            wave = wave_number(campaign.timestamps, fingerprint.timestamp, gap)
            return Assignment(label_of(known), known, wave, False, ["already a member"])
        chosen, reasons, best_similarity, also = self._choose(fingerprint)
        if chosen is not None and also:
            target = min([chosen, *also])
            sources = sorted(c for c in {chosen, *also} if c != target)
            self._merge(sources, target)
            merged = ", ".join(label_of(c) for c in sources)
            reasons = [*reasons, f"merged {merged} into {label_of(target)}"]
            chosen = target
        founded = chosen is None
        if chosen is None:
            if self.allocate is not None:
                chosen = self.allocate()
            else:
                chosen = self.next_id
                self.next_id += 1
            reasons = ["founded: no earlier message shares its text or infrastructure"]
        campaign = self._campaign(chosen)
        wave = campaign.add_time(fingerprint.timestamp, gap)
        campaign.members += 1
        self.members[fingerprint.sha256] = chosen
        if fingerprint.minhash is not None and (
            campaign.representatives < MAX_REPRESENTATIVES and best_similarity < NEW_REPRESENTATIVE_BELOW
        ):
            self._index_signature(fingerprint.sha256, chosen, fingerprint.minhash)
            self.new_signatures.append(
                (fingerprint.sha256, chosen, fingerprint.minhash.hashvalues.astype(np.uint64).tobytes())
            )
        for key in fingerprint.keys:
            owners = self.keys.setdefault(key, [])
            if len(owners) < MAX_CAMPAIGNS_PER_KEY and chosen not in {self.resolve(o) for o in owners}:
                owners.append(chosen)
                self.new_keys.append((key, chosen))
        assignment = Assignment(
            label_of(chosen),
            chosen,
            wave,
            founded,
            reasons,
        )
        self.new_members.append((fingerprint, assignment))
        return assignment

    def _choose(self, fingerprint: Fingerprint) -> tuple[int | None, list[str], float, list[int]]:
        """The best campaign, why, its text similarity, and other campaigns this message
        proves to be the same operation (near-duplicate text or a strong key: merge them)."""
        text: dict[int, float] = {}
        if fingerprint.minhash is not None:
            for key in self.lsh.query(fingerprint.minhash):
                campaign_id, representative = self.signatures[key]
                campaign_id = self.resolve(campaign_id)
                similarity = float(fingerprint.minhash.jaccard(representative))
                if similarity > text.get(campaign_id, 0.0):
                    text[campaign_id] = similarity
        strong: dict[int, list[str]] = {}
        weak: dict[int, list[str]] = {}
        for key, kind in fingerprint.keys.items():
            for owner in self.keys.get(key, ()):
                campaign_id = self.resolve(owner)
                (strong if kind in STRONG_KINDS else weak).setdefault(campaign_id, []).append(key)
        threshold = self.settings.text_threshold
        candidates: list[tuple[tuple[float, ...], int, list[str]]] = []
        for campaign_id in set(text) | set(strong) | set(weak):
            similarity = text.get(campaign_id, 0.0)
            strong_keys = strong.get(campaign_id, [])
            weak_keys = weak.get(campaign_id, [])
            near_duplicate = similarity >= threshold
            if not (near_duplicate or strong_keys or len(weak_keys) >= 2):
                continue
            reasons = []
            if near_duplicate:
                reasons.append(f"near-duplicate text (estimated Jaccard {similarity:.2f})")
            reasons.extend(f"shared {key}" for key in strong_keys[:5])
            reasons.extend(f"shared {key}" for key in weak_keys[:5])
            rank = (float(near_duplicate) + min(len(strong_keys), 3), len(weak_keys), similarity)
            candidates.append((rank, campaign_id, reasons))
        if not candidates:
            return None, [], max(text.values(), default=0.0), []
        candidates.sort(key=lambda c: (c[0], -c[1]), reverse=True)
        _rank, campaign_id, reasons = candidates[0]
        also = [c for r, c, _ in candidates[1:] if r[0] > 0.0 or r[1] > 0]
        return campaign_id, reasons, text.get(campaign_id, 0.0), also

    def consolidate(self) -> int:
        """Merge the campaigns that assigning their messages one after the other would have
        made one: those that own the same strong key (a link, a domain, an attachment) or
        near-duplicate representative texts. Scanners that ran at once (a retro-hunt's
        workers) can each found a campaign for one wave before either sees the other's.
        Returns how many campaigns were merged away; the merges are drained as any others."""
        merged = 0

        def join(ids: set[int]) -> None:
            nonlocal merged
            roots = sorted({self.resolve(c) for c in ids})
            if len(roots) > 1:
                self._merge(roots[1:], roots[0])  # into the oldest, as ``assign`` does
                merged += len(roots) - 1

        # (Not two shared weak keys: one campaign gets them from different messages, so two
        # campaigns of a sequential scan can share two, and would be merged wrongly.)
        for key, owners in self.keys.items():
            if key.split(":", 1)[0] in STRONG_KINDS:
                join(set(owners))
        threshold = self.settings.text_threshold
        for campaign_id, minhash in list(self.signatures.values()):
            near = {
                other
                for other_key in self.lsh.query(minhash)
                for other, representative in [self.signatures[other_key]]
                if float(minhash.jaccard(representative)) >= threshold
            }
            join(near | {campaign_id})
        return merged

    # -- helpers ------------------------------------------------------------------------------
    def _campaign(self, campaign_id: int) -> Campaign:
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            campaign = self.campaigns[campaign_id] = Campaign(campaign_id)
        return campaign

    def _index_signature(self, key: str, campaign_id: int, minhash: MinHash) -> None:
        if key in self.signatures:
            return
        self.signatures[key] = (campaign_id, minhash)
        self.lsh.insert(key, minhash)
        self._campaign(campaign_id).representatives += 1

    def drain(self) -> Changes:
        """What changed since the last drain, for the repository to write."""
        changes = Changes(self.new_keys, self.new_signatures, self.new_members, self.new_merges)
        self.new_keys, self.new_signatures, self.new_members, self.new_merges = [], [], [], []
        return changes


@dataclass(slots=True)
class Changes:
    keys: list[tuple[str, int]]
    signatures: list[tuple[str, int, bytes]]
    members: list[tuple[Fingerprint, Assignment]]
    merges: list[tuple[int, int]]
