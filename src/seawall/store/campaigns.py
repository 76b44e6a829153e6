"""Recording campaigns, indicators and imported intelligence; the queries the CLI and exports use."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from seawall.campaigns.cluster import Campaign, CampaignIndex, Changes, label_of, waves_of
from seawall.intel.records import FeedIndicator
from seawall.store.database import Database
from seawall.store.models import (
    CampaignKeyRecord,
    CampaignMessageRecord,
    CampaignRecord,
    CampaignSignatureRecord,
    IndicatorRecord,
    IntelIndicatorRecord,
    SightingRecord,
)
from seawall.store.repository import _insert_for

# The catch-up's queries, built once: ``refresh_index`` runs after every message the mail flow
# records, and building a statement cost as much as running it.
_MERGES = select(CampaignRecord.id, CampaignRecord.merged_into).where(CampaignRecord.merged_into.is_not(None))
_MERGES_SINCE = _MERGES.where(CampaignRecord.updated_at >= bindparam("since"))
_MEMBERS_AFTER = select(
    CampaignMessageRecord.id,
    CampaignMessageRecord.sha256,
    CampaignMessageRecord.campaign_id,
    CampaignMessageRecord.sent_at,
).where(CampaignMessageRecord.id > bindparam("after"))
_KEYS_AFTER = select(CampaignKeyRecord.id, CampaignKeyRecord.key, CampaignKeyRecord.campaign_id).where(
    CampaignKeyRecord.id > bindparam("after")
)


def _now() -> datetime:
    return datetime.now(UTC)


def _when(timestamp: float) -> datetime:
    try:
        return datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, OSError, ValueError):
        return datetime(1970, 1, 1, tzinfo=UTC)


def _empty_campaign(campaign_id: int, now: datetime) -> dict[str, Any]:
    """A campaign row with no members yet: a reserved id, or one merged into another."""
    return {
        "id": campaign_id,
        "message_count": 0,
        "subject": "",
        "actor": "",
        "actor_country": "",
        "actor_confidence": 0,
        "actor_evidence": [],
        "updated_at": now,
    }


@dataclass(slots=True)
class MemberFacts:
    """What the store keeps about a clustered message beyond its fingerprint."""

    sha256: str
    campaign_id: int | None
    timestamp: float
    subject: str
    from_address: str
    label: str
    score: float
    attack: list[str]
    indicators: list[tuple[str, str]]
    actor: tuple[str, str, int, dict[str, Any]] | None = None
    """(actor, country, confidence, evidence) when an intel match attributes this message."""


@dataclass(slots=True)
class CampaignView:
    id: int
    label: str
    first_seen: datetime | None
    last_seen: datetime | None
    message_count: int
    subject: str
    actor: str
    actor_country: str
    actor_confidence: int
    actor_evidence: list[Any]
    waves: list[tuple[datetime, datetime, int]] = field(default_factory=list)
    recipients: Counter[str] = field(default_factory=Counter)
    messages: list[CampaignMessageRecord] = field(default_factory=list)
    indicators: list[tuple[str, str, int]] = field(default_factory=list)
    attack: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)


REFRESH_OVERLAP = 1000
"""Rows re-read below the last one seen when catching up with other scanners: a row whose
transaction committed after a later-numbered one (PostgreSQL numbers rows at insert, not at
commit) is still picked up unless this many rows landed in between."""


MERGE_CLOCK_SLACK = timedelta(hours=1)
"""Merges are found by the time their writer stamped them; scanners on other hosts may run
this far behind or ahead."""

DEEP_REFRESH_SECONDS = 2.0
"""How often the catch-up looks back ``REFRESH_OVERLAP`` rows and ``MERGE_CLOCK_SLACK``; in
between it reads only rows numbered after the last seen and merges stamped since the last
look. The mail filter catches up after every message: re-reading a thousand rows each time was
a seventh of its work (bench/mailflow.py), while a late-committed row is rare and a few seconds
late is harmless."""
_NEAR_SLACK = timedelta(seconds=5)


class CampaignRepository:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._members_seen = 0
        self._keys_seen = 0
        self._merges_seen_at: datetime | None = None
        self._deep_at = float("-inf")

    def reserve_campaign_id(self) -> int:
        """A campaign id no other scanner sharing this store can also take: the next free id,
        claimed by inserting its (empty) row; a lost race retries with the next one."""
        now = _now()
        for _attempt in range(1000):
            with self.database.engine.begin() as connection:
                insert = _insert_for(connection.dialect.name)
                candidate = int(connection.scalar(select(func.max(CampaignRecord.id))) or 0) + 1
                claimed = connection.execute(
                    insert(CampaignRecord.__table__)
                    .values(**_empty_campaign(candidate, now))
                    .on_conflict_do_nothing(index_elements=["id"])
                    .returning(CampaignRecord.id)
                ).first()
                if claimed is not None:
                    return candidate
        raise RuntimeError("could not reserve a campaign id")

    # -- the index ----------------------------------------------------------------------------
    def load_index(self, index: CampaignIndex) -> None:
        """Rebuild the in-memory indexes from the store (once per process)."""
        with self.database.session() as session:
            for campaign_id in session.scalars(select(CampaignRecord.id)):
                index.next_id = max(index.next_id, campaign_id + 1)
        self._members_seen = self._keys_seen = 0
        self._merges_seen_at = None
        self.refresh_index(index, everything=True)

    def refresh_index(self, index: CampaignIndex, everything: bool = False) -> None:
        """Catch up with what other scanners sharing this store recorded since the last look
        (members, keys, text signatures, merges), so that a wave split between two filter
        instances still lands in one campaign; ``everything`` when the index is empty."""
        looked_at = _now()
        deep = everything or time.monotonic() - self._deep_at >= DEEP_REFRESH_SECONDS
        if deep:
            self._deep_at = time.monotonic()
        overlap = REFRESH_OVERLAP if deep else 0
        with self.database.engine.connect() as connection:
            if self._merges_seen_at is not None and not everything:
                # merges stamped since the last look, with room for the writers' clocks
                slack = MERGE_CLOCK_SLACK if deep else _NEAR_SLACK
                merges = connection.execute(_MERGES_SINCE, {"since": self._merges_seen_at - slack})
            else:
                merges = connection.execute(_MERGES)
            for source, target in merges:
                if target is not None:
                    index.restore_merge(source, target)
            self._merges_seen_at = looked_at
            new_members: list[str] = []
            for row_id, sha, campaign_id, sent_at in connection.execute(
                _MEMBERS_AFTER, {"after": self._members_seen - overlap}
            ):
                self._members_seen = max(self._members_seen, row_id)
                if sha not in index.members:
                    new_members.append(sha)
                    index.restore_member(sha, campaign_id, _aware(sent_at).timestamp())
            for row_id, key, campaign_id in connection.execute(
                _KEYS_AFTER, {"after": self._keys_seen - overlap}
            ):
                self._keys_seen = max(self._keys_seen, row_id)
                index.restore_key(key, campaign_id)
            signatures = select(
                CampaignSignatureRecord.sha256,
                CampaignSignatureRecord.campaign_id,
                CampaignSignatureRecord.hashvalues,
            )
            chunks = (
                [signatures]
                if everything
                else [
                    signatures.where(CampaignSignatureRecord.sha256.in_(new_members[start : start + 500]))
                    for start in range(0, len(new_members), 500)
                ]
            )
            for chunk in chunks:
                for sha, campaign_id, values in connection.execute(chunk):
                    index.restore_signature(sha, campaign_id, values)

    def save(self, index: CampaignIndex, changes: Changes, facts: Sequence[MemberFacts]) -> None:
        """Write one batch of assignments, merges, keys, signatures, indicators and sightings."""
        with self.database.engine.begin() as connection:
            self.write(connection, index, changes, facts)

    def write(
        self, connection: Connection, index: CampaignIndex, changes: Changes, facts: Sequence[MemberFacts]
    ) -> None:
        """As ``save``, inside the caller's transaction (the scanner's, with the batch's results)."""
        now = _now()
        by_sha = {f.sha256: f for f in facts}
        insert = _insert_for(connection.dialect.name)
        touched: set[int] = set()
        members = []
        for fingerprint, assignment in changes.members:
            fact = by_sha.get(fingerprint.sha256)
            touched.add(assignment.campaign_id)
            members.append(
                {
                    "sha256": fingerprint.sha256,
                    "campaign_id": assignment.campaign_id,
                    "reasons": list(assignment.reasons),
                    "sent_at": _when(fingerprint.timestamp),
                    "joined_at": now,
                    "recipients": fingerprint.recipients,
                    "subject": fingerprint.subject[:2000],
                    "from_address": (fact.from_address if fact else "")[:320],
                    "label": fact.label if fact else "",
                    "score": fact.score if fact else 0.0,
                    "attack": fact.attack if fact else [],
                }
            )
        for _source, target in changes.merges:
            touched.add(target)
        campaign_rows = []
        for campaign_id in touched:
            root = index.resolve(campaign_id)
            campaign = index.campaigns.get(root)
            if campaign is None:
                continue
            campaign_rows.append(self._campaign_row(root, campaign, members, now))
        if campaign_rows:
            # In id order: the upsert locks each row (PostgreSQL), and two scanners locking
            # the same campaigns in the same order cannot deadlock. The lock also makes the
            # recount below see the other scanner's committed members.
            campaign_rows.sort(key=lambda row: row["id"])
            table = CampaignRecord.__table__
            statement = insert(table)
            statement = statement.on_conflict_do_update(
                index_elements=["id"],
                set_={
                    "first_seen": statement.excluded.first_seen,
                    "last_seen": statement.excluded.last_seen,
                    "message_count": statement.excluded.message_count,
                    # a reserved id's row was written empty
                    "subject": func.coalesce(func.nullif(table.c.subject, ""), statement.excluded.subject),
                    "updated_at": statement.excluded.updated_at,
                },
            )
            connection.execute(statement, campaign_rows)
        if members:
            connection.execute(
                insert(CampaignMessageRecord.__table__).on_conflict_do_nothing(index_elements=["sha256"]),
                members,
            )
        for source, target in changes.merges:
            self._carry_actor(connection, source, target)
            merged = insert(CampaignRecord.__table__).values(
                **_empty_campaign(source, now), merged_into=target
            )
            connection.execute(
                merged.on_conflict_do_update(
                    index_elements=["id"],
                    set_={"merged_into": target, "message_count": 0, "updated_at": now},
                )
            )
            connection.execute(
                update(CampaignMessageRecord)
                .where(CampaignMessageRecord.campaign_id == source)
                .values(campaign_id=target)
            )
            connection.execute(
                update(SightingRecord).where(SightingRecord.campaign_id == source).values(campaign_id=target)
            )
        if changes.keys:
            connection.execute(
                insert(CampaignKeyRecord.__table__).on_conflict_do_nothing(
                    index_elements=["key", "campaign_id"]
                ),
                [{"key": k[:1000], "campaign_id": c} for k, c in dict.fromkeys(changes.keys)],
            )
        if changes.signatures:
            connection.execute(
                insert(CampaignSignatureRecord.__table__).on_conflict_do_nothing(index_elements=["sha256"]),
                [{"sha256": s, "campaign_id": c, "hashvalues": v} for s, c, v in changes.signatures],
            )
        for fact in facts:
            if fact.actor is not None and fact.campaign_id is not None:
                actor, country, confidence, evidence = fact.actor
                root = index.resolve(fact.campaign_id)
                connection.execute(
                    update(CampaignRecord)
                    .where(CampaignRecord.id == root, CampaignRecord.actor_confidence <= confidence)
                    .values(
                        actor=actor,
                        actor_country=country,
                        actor_confidence=confidence,
                        actor_evidence=[evidence],
                    )
                )
        self._save_indicators(connection, insert, facts, index, now)
        self._recount(connection, sorted({row["id"] for row in campaign_rows}))

    @staticmethod
    def _recount(connection: Any, campaign_ids: list[int]) -> None:
        """Size and time span of each campaign from its stored members: with several scanners
        writing to one campaign, no single scanner's memory holds the whole count."""
        for start in range(0, len(campaign_ids), 500):
            chunk = campaign_ids[start : start + 500]
            totals = connection.execute(
                select(
                    CampaignMessageRecord.campaign_id,
                    func.count(),
                    func.min(CampaignMessageRecord.sent_at),
                    func.max(CampaignMessageRecord.sent_at),
                )
                .where(CampaignMessageRecord.campaign_id.in_(chunk))
                .group_by(CampaignMessageRecord.campaign_id)
            ).all()
            for campaign_id, count, first, last in totals:
                connection.execute(
                    update(CampaignRecord)
                    .where(CampaignRecord.id == campaign_id)
                    .values(message_count=count, first_seen=first, last_seen=last)
                )

    @staticmethod
    def _carry_actor(connection: Any, source: int, target: int) -> None:
        """A merged campaign's attribution moves to the surviving one when it is stronger."""
        rows = dict(
            (row.id, row)
            for row in connection.execute(
                select(
                    CampaignRecord.id,
                    CampaignRecord.actor,
                    CampaignRecord.actor_country,
                    CampaignRecord.actor_confidence,
                    CampaignRecord.actor_evidence,
                ).where(CampaignRecord.id.in_([source, target]))
            )
        )
        old, new = rows.get(source), rows.get(target)
        if old is None or not old.actor:
            return
        if new is None or old.actor_confidence > new.actor_confidence:
            connection.execute(
                update(CampaignRecord)
                .where(CampaignRecord.id == target)
                .values(
                    actor=old.actor,
                    actor_country=old.actor_country,
                    actor_confidence=old.actor_confidence,
                    actor_evidence=old.actor_evidence,
                )
            )

    @staticmethod
    def _campaign_row(
        campaign_id: int, campaign: Campaign, members: list[dict[str, Any]], now: datetime
    ) -> dict[str, Any]:
        subject = next((m["subject"] for m in members if m["campaign_id"] == campaign_id), "")
        return {
            "id": campaign_id,
            "first_seen": _when(campaign.timestamps[0]) if campaign.timestamps else None,
            "last_seen": _when(campaign.timestamps[-1]) if campaign.timestamps else None,
            "message_count": campaign.members,
            "subject": subject,
            "actor": "",
            "actor_country": "",
            "actor_confidence": 0,
            "actor_evidence": [],
            "updated_at": now,
        }

    @staticmethod
    def _save_indicators(
        connection: Any, insert: Any, facts: Sequence[MemberFacts], index: CampaignIndex, now: datetime
    ) -> None:
        sightings: dict[tuple[str, str, str], dict[str, Any]] = {}
        for fact in facts:
            campaign_id = index.resolve(fact.campaign_id) if fact.campaign_id is not None else None
            for kind, value in fact.indicators:
                sightings[(kind, value, fact.sha256)] = {
                    "kind": kind,
                    "value": value,
                    "sha256": fact.sha256,
                    "campaign_id": campaign_id,
                    "seen_at": _when(fact.timestamp),
                }
        if not sightings:
            return
        rows = list(sightings.values())
        result = connection.execute(
            insert(SightingRecord.__table__)
            .on_conflict_do_nothing(index_elements=["kind", "value", "sha256"])
            .returning(SightingRecord.kind, SightingRecord.value, SightingRecord.seen_at),
            rows,
        )
        new = result.all() if result.returns_rows else []
        counts: dict[tuple[str, str], list[datetime]] = defaultdict(list)
        for kind, value, seen_at in new:
            counts[(kind, value)].append(_aware(seen_at))
        if not counts:
            return
        statement = insert(IndicatorRecord.__table__)
        table = IndicatorRecord.__table__
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "value"],
            set_={
                "count": table.c.count + statement.excluded.count,
                "first_seen": func.min(table.c.first_seen, statement.excluded.first_seen)
                if connection.dialect.name == "sqlite"
                else func.least(table.c.first_seen, statement.excluded.first_seen),
                "last_seen": func.max(table.c.last_seen, statement.excluded.last_seen)
                if connection.dialect.name == "sqlite"
                else func.greatest(table.c.last_seen, statement.excluded.last_seen),
            },
        )
        connection.execute(
            statement,
            [
                {
                    "kind": k,
                    "value": v,
                    "first_seen": min(times),
                    "last_seen": max(times),
                    "count": len(times),
                }
                for (k, v), times in counts.items()
            ],
        )

    # -- intelligence in ----------------------------------------------------------------------
    def import_intel(self, indicators: Iterable[FeedIndicator]) -> int:
        """Store feed indicators (re-importing a feed updates, never duplicates)."""
        now = _now()
        rows = {
            (i.kind, i.value[:1000], i.source[:200]): {
                "kind": i.kind,
                "value": i.value[:1000],
                "source": i.source[:200],
                "actor": i.actor[:200],
                "actor_country": i.actor_country[:8],
                "confidence": i.confidence,
                "description": i.description,
                "imported_at": now,
            }
            for i in indicators
        }
        if not rows:
            return 0
        with self.database.engine.begin() as connection:
            insert = _insert_for(connection.dialect.name)
            statement = insert(IntelIndicatorRecord.__table__)
            statement = statement.on_conflict_do_update(
                index_elements=["kind", "value", "source"],
                set_={
                    name: statement.excluded[name]
                    for name in ("actor", "actor_country", "confidence", "description", "imported_at")
                },
            )
            connection.execute(statement, list(rows.values()))
        return len(rows)

    def intel(self) -> list[FeedIndicator]:
        with self.database.session() as session:
            return [
                FeedIndicator(
                    kind=r.kind,
                    value=r.value,
                    source=r.source,
                    actor=r.actor,
                    actor_country=r.actor_country,
                    confidence=r.confidence,
                    description=r.description,
                )
                for r in session.scalars(select(IntelIndicatorRecord).order_by(IntelIndicatorRecord.id))
            ]

    # -- queries ------------------------------------------------------------------------------
    def campaigns(self, limit: int = 100) -> list[CampaignRecord]:
        with self.database.session() as session:
            return list(
                session.scalars(
                    select(CampaignRecord)
                    .where(CampaignRecord.merged_into.is_(None), CampaignRecord.message_count > 0)
                    .order_by(CampaignRecord.last_seen.desc().nulls_last(), CampaignRecord.id.desc())
                    .limit(limit)
                )
            )

    def campaign(self, campaign_id: int, wave_gap_hours: float = 12.0) -> CampaignView | None:
        with self.database.session() as session:
            record = session.get(CampaignRecord, campaign_id)
            while record is not None and record.merged_into is not None:
                record = session.get(CampaignRecord, record.merged_into)
            if record is None:
                return None
            messages = list(
                session.scalars(
                    select(CampaignMessageRecord)
                    .where(CampaignMessageRecord.campaign_id == record.id)
                    .order_by(CampaignMessageRecord.sent_at)
                )
            )
            indicators = [
                (kind, value, int(count))
                for kind, value, count in session.execute(
                    select(SightingRecord.kind, SightingRecord.value, func.count())
                    .where(SightingRecord.campaign_id == record.id)
                    .group_by(SightingRecord.kind, SightingRecord.value)
                    .order_by(func.count().desc(), SightingRecord.kind, SightingRecord.value)
                )
            ]
        view = CampaignView(
            id=record.id,
            label=label_of(record.id),
            first_seen=_aware(record.first_seen) if record.first_seen else None,
            last_seen=_aware(record.last_seen) if record.last_seen else None,
            message_count=record.message_count,
            subject=record.subject,
            actor=record.actor,
            actor_country=record.actor_country,
            actor_confidence=record.actor_confidence,
            actor_evidence=list(record.actor_evidence or []),
            messages=messages,
            indicators=indicators,
        )
        times = [_aware(m.sent_at).timestamp() for m in messages]
        view.waves = [(_when(a), _when(b), n) for a, b, n in waves_of(times, wave_gap_hours * 3600.0)]
        for message in messages:
            view.recipients.update(str(r) for r in message.recipients)
            view.attack.update(str(a) for a in message.attack)
            view.reasons.update(str(r).split(" (")[0] for r in message.reasons)
        return view

    def all_campaign_ids(self) -> list[int]:
        with self.database.session() as session:
            return list(
                session.scalars(
                    select(CampaignRecord.id)
                    .where(CampaignRecord.merged_into.is_(None), CampaignRecord.message_count > 0)
                    .order_by(CampaignRecord.id)
                )
            )

    def recipient_scores(self) -> list[tuple[str, int, float]]:
        """(recipient, campaign, score) of every campaign message, for the most-attacked ranking."""
        with self.database.session() as session:
            return [
                (str(recipient), campaign_id, score)
                for recipients, campaign_id, score in session.execute(
                    select(
                        CampaignMessageRecord.recipients,
                        CampaignMessageRecord.campaign_id,
                        CampaignMessageRecord.score,
                    )
                )
                for recipient in recipients or []
            ]

    def indicators(self, since: datetime | None = None) -> list[IndicatorRecord]:
        with self.database.session() as session:
            query = select(IndicatorRecord).order_by(IndicatorRecord.kind, IndicatorRecord.value)
            if since is not None:
                query = query.where(IndicatorRecord.last_seen >= since)
            return list(session.scalars(query))

    def sightings(self) -> dict[tuple[str, str], set[int]]:
        """Campaigns each indicator was seen in."""
        out: dict[tuple[str, str], set[int]] = defaultdict(set)
        with self.database.session() as session:
            for kind, value, campaign_id in session.execute(
                select(SightingRecord.kind, SightingRecord.value, SightingRecord.campaign_id).distinct()
            ):
                if campaign_id is not None:
                    out[(kind, value)].add(campaign_id)
        return out


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything Seawall writes is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
