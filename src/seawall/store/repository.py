"""Recording scan results: one row per distinct message, updated on re-scan, never duplicated."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

import msgspec
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy import insert as plain_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from seawall.detect.result import ScanResult
from seawall.store.database import Database
from seawall.store.models import (
    AnalystLabelRecord,
    IntakeErrorRecord,
    MessageRecord,
    OriginRecord,
    RuleHitRecord,
)


def _now() -> datetime:
    return datetime.now(UTC)


def _insert_for(dialect: str) -> Any:
    """The dialect's INSERT with ON CONFLICT support (SQLite and PostgreSQL share the syntax)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def _plain(value: object) -> object:
    """msgspec Structs -> JSON-compatible builtins for the JSON columns."""
    return msgspec.to_builtins(value)


@cache
def _message_upsert(dialect: str, columns: tuple[str, ...]) -> Any:
    """The statement that records messages, built once per dialect: building it (its
    ``excluded`` alias above all) cost as much as executing it, and the mail flow records one
    message per transaction."""
    table = MessageRecord.__table__
    statement = _insert_for(dialect)(table)
    update = {
        name: statement.excluded[name]
        for name in columns
        if name not in ("sha256", "first_seen", "scan_count", "raw_stored")
    }
    update["scan_count"] = table.c.scan_count + statement.excluded.scan_count
    update["raw_stored"] = table.c.raw_stored | statement.excluded.raw_stored
    return statement.on_conflict_do_update(index_elements=["sha256"], set_=update)


_IDS_OF = select(MessageRecord.sha256, MessageRecord.id).where(
    MessageRecord.sha256.in_(bindparam("shas", expanding=True))
)
_DELETE_HITS = delete(RuleHitRecord).where(RuleHitRecord.message_pk.in_(bindparam("pks", expanding=True)))


_INSERT_HITS = plain_insert(RuleHitRecord)
_INSERT_ERRORS = plain_insert(IntakeErrorRecord)


@cache
def _origin_insert(dialect: str) -> Any:
    return _insert_for(dialect)(OriginRecord.__table__).on_conflict_do_nothing(
        index_elements=["message_pk", "location"]
    )


class ScanRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    def save(self, results: Sequence[ScanResult], raw_stored: set[str] | None = None) -> None:
        """Record a batch in one transaction, with set-based statements (not row by row)."""
        if results:
            with self.database.engine.begin() as connection:
                self.write(connection, results, raw_stored)

    def write(
        self, connection: Connection, results: Sequence[ScanResult], raw_stored: set[str] | None = None
    ) -> None:
        """Record a batch inside the caller's transaction (the scanner writes a batch's results
        and its campaigns in one)."""
        if not results:
            return
        now = _now()
        stored = raw_stored or set()
        latest: dict[str, ScanResult] = {}
        seen_count: dict[str, int] = {}
        for result in results:
            if result.status == "ok":
                latest[result.sha256] = result
                seen_count[result.sha256] = seen_count.get(result.sha256, 0) + 1
        errors = [r for r in results if r.status != "ok"]
        dialect = connection.dialect.name
        ids: dict[str, int] = {}
        if latest:
            rows = [
                {
                    "sha256": sha,
                    "first_seen": now,
                    "last_scanned": now,
                    "scan_count": seen_count[sha],
                    "raw_stored": sha in stored,
                    **self._fields(result),
                }
                for sha, result in latest.items()
            ]
            connection.execute(_message_upsert(dialect, tuple(rows[0])), rows)
            ids = dict(connection.execute(_IDS_OF, {"shas": list(latest)}).all())
            connection.execute(_DELETE_HITS, {"pks": list(ids.values())})
            hits = [
                {
                    "message_pk": ids[sha],
                    "rule_id": evidence.rule,
                    "weight": evidence.weight,
                    "attack": ",".join(evidence.attack),
                }
                for sha, result in latest.items()
                if result.verdict is not None
                for evidence in result.verdict.evidence
            ]
            if hits:
                connection.execute(_INSERT_HITS, hits)
            origins = {(ids[r.sha256], r.origin): r.source.kind for r in results if r.status == "ok"}
            connection.execute(
                _origin_insert(dialect),
                [
                    {"message_pk": pk, "location": location, "kind": kind, "seen_at": now}
                    for (pk, location), kind in origins.items()
                ],
            )
        if errors:
            connection.execute(
                _INSERT_ERRORS,
                [{"location": r.origin, "kind": r.source.kind, "error": r.error, "at": now} for r in errors],
            )

    @staticmethod
    def _fields(result: ScanResult) -> dict[str, object]:
        summary = result.message
        verdict = result.verdict
        assert summary is not None and verdict is not None
        sent_at = None
        if summary.timestamp is not None:
            try:
                sent_at = datetime.fromtimestamp(summary.timestamp, UTC)
            except (OverflowError, OSError, ValueError):
                sent_at = None
        from_domain = summary.from_address.rsplit("@", 1)[-1] if "@" in summary.from_address else ""
        return {
            "message_id": summary.message_id[:2000],
            "subject": summary.subject[:2000],
            "from_address": summary.from_address[:320],
            "from_display": summary.from_display[:1000],
            "from_domain": from_domain[:255],
            "sent_at": sent_at,
            "size": summary.size,
            "label": verdict.label,
            "score": verdict.score,
            "rules_score": verdict.rules_score,
            "model_probability": verdict.model_probability,
            "evidence": _plain(verdict.evidence),
            "defects": _plain(result.defects),
            "summary": _plain(summary),
        }

    # -- queries ------------------------------------------------------------------------------
    def count_messages(self) -> int:
        with self.database.session() as session:
            return int(session.scalar(select(func.count()).select_from(MessageRecord)) or 0)

    def get(self, sha256: str) -> MessageRecord | None:
        with self.database.session() as session:
            return session.scalar(select(MessageRecord).where(MessageRecord.sha256 == sha256))

    def recent(self, label: str | None = None, limit: int = 100, offset: int = 0) -> list[MessageRecord]:
        """The messages scanned last, newest first (of one label, when given)."""
        query = select(MessageRecord).order_by(MessageRecord.last_scanned.desc(), MessageRecord.id.desc())
        if label:
            query = query.where(MessageRecord.label == label)
        with self.database.session() as session:
            return list(session.scalars(query.limit(limit).offset(offset)))

    def label_counts(self) -> dict[str, int]:
        """How many stored messages carry each label."""
        query = select(MessageRecord.label, func.count()).group_by(MessageRecord.label)
        with self.database.session() as session:
            return {str(label): int(count) for label, count in session.execute(query)}

    def origins_of(self, sha256: str) -> list[str]:
        with self.database.session() as session:
            return list(
                session.scalars(
                    select(OriginRecord.location)
                    .join(MessageRecord)
                    .where(MessageRecord.sha256 == sha256)
                    .order_by(OriginRecord.id)
                )
            )

    def rule_hits_of(self, sha256: str) -> list[str]:
        with self.database.session() as session:
            return sorted(
                session.scalars(
                    select(RuleHitRecord.rule_id).join(MessageRecord).where(MessageRecord.sha256 == sha256)
                )
            )

    def intake_errors(self) -> list[tuple[str, str]]:
        with self.database.session() as session:
            return [
                (r.location, r.error)
                for r in session.scalars(select(IntakeErrorRecord).order_by(IntakeErrorRecord.id))
            ]

    # -- analyst labels ------------------------------------------------------------------------
    def find_message(self, reference: str) -> MessageRecord | None:
        """A message by sha256 (or a unique prefix of at least 8 digits) or by Message-ID."""
        text = reference.strip().strip("<>")
        with self.database.session() as session:
            if len(text) >= 8 and all(c in "0123456789abcdef" for c in text.lower()):
                found = list(
                    session.scalars(
                        select(MessageRecord).where(MessageRecord.sha256.startswith(text.lower())).limit(2)
                    )
                )
                if len(found) == 1:
                    return found[0]
                if len(found) > 1:
                    raise LookupError(f"{text} matches more than one message; give more digits")
            return session.scalars(select(MessageRecord).where(MessageRecord.message_id == text)).first()

    def mark_raw_stored(self, sha256: str) -> None:
        """The message's bytes are in the blob store now (kept later, e.g. on release)."""
        with self.database.session() as session, session.begin():
            stored = update(MessageRecord).where(MessageRecord.sha256 == sha256).values(raw_stored=True)
            session.execute(stored)

    def set_label(self, sha256: str, label: str, note: str = "") -> None:
        if label not in ("phish", "ham"):
            raise ValueError("label must be phish or ham")
        with self.database.engine.begin() as connection:
            insert = _insert_for(connection.dialect.name)
            statement = insert(AnalystLabelRecord.__table__).values(
                sha256=sha256, label=label, note=note, labelled_at=_now()
            )
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["sha256"],
                    set_={
                        "label": statement.excluded.label,
                        "note": statement.excluded.note,
                        "labelled_at": statement.excluded.labelled_at,
                    },
                )
            )

    def analyst_label(self, sha256: str) -> tuple[str, str] | None:
        """The analyst's label of a message and its note, if one was given."""
        with self.database.session() as session:
            record = session.scalar(select(AnalystLabelRecord).where(AnalystLabelRecord.sha256 == sha256))
            return None if record is None else (record.label, record.note)

    def labels(self) -> list[tuple[str, str]]:
        with self.database.session() as session:
            return [
                (r.sha256, r.label)
                for r in session.scalars(select(AnalystLabelRecord).order_by(AnalystLabelRecord.id))
            ]
