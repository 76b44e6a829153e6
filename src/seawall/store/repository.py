"""Recording scan results: one row per distinct message, updated on re-scan, never duplicated."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from seawall.detect.result import ScanResult
from seawall.store.database import Database
from seawall.store.models import IntakeErrorRecord, MessageRecord, OriginRecord, RuleHitRecord


def _now() -> datetime:
    return datetime.now(UTC)


def _plain(value: object) -> object:
    """msgspec Structs -> JSON-compatible builtins for the JSON columns."""
    return msgspec.to_builtins(value)


class ScanRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    def save(self, results: Sequence[ScanResult], raw_stored: set[str] | None = None) -> None:
        """Record a batch in one transaction; retried once per batch on a concurrent insert."""
        for attempt in (1, 2):
            try:
                self._save(results, raw_stored or set())
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def _save(self, results: Sequence[ScanResult], raw_stored: set[str]) -> None:
        now = _now()
        with self.database.session() as session, session.begin():
            shas = {r.sha256 for r in results if r.status == "ok"}
            existing = {
                record.sha256: record
                for record in session.scalars(select(MessageRecord).where(MessageRecord.sha256.in_(shas)))
            } if shas else {}
            known_origins: set[tuple[int, str]] = set()
            if existing:
                known_origins = {
                    (pk, location) for pk, location in session.execute(
                        select(OriginRecord.message_pk, OriginRecord.location)
                        .where(OriginRecord.message_pk.in_([r.id for r in existing.values()]))
                    )
                }
            for result in results:
                if result.status != "ok":
                    session.add(IntakeErrorRecord(location=result.origin, kind=result.source.kind,
                                                  error=result.error, at=now))
                    continue
                record = existing.get(result.sha256)
                fields = self._fields(result)
                if record is None:
                    record = MessageRecord(sha256=result.sha256, first_seen=now, last_scanned=now,
                                           scan_count=1, raw_stored=result.sha256 in raw_stored, **fields)
                    session.add(record)
                    session.flush()
                    existing[result.sha256] = record
                else:
                    for name, value in fields.items():
                        setattr(record, name, value)
                    record.last_scanned = now
                    record.scan_count += 1
                    record.raw_stored = record.raw_stored or result.sha256 in raw_stored
                    session.execute(delete(RuleHitRecord).where(RuleHitRecord.message_pk == record.id))
                if (record.id, result.origin) not in known_origins:
                    session.add(OriginRecord(message_pk=record.id, location=result.origin,
                                             kind=result.source.kind, seen_at=now))
                    known_origins.add((record.id, result.origin))
                verdict = result.verdict
                if verdict is not None:
                    for evidence in verdict.evidence:
                        session.add(RuleHitRecord(message_pk=record.id, rule_id=evidence.rule,
                                                  weight=evidence.weight, attack=",".join(evidence.attack)))

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

    def origins_of(self, sha256: str) -> list[str]:
        with self.database.session() as session:
            return list(session.scalars(
                select(OriginRecord.location).join(MessageRecord)
                .where(MessageRecord.sha256 == sha256).order_by(OriginRecord.id)
            ))

    def rule_hits_of(self, sha256: str) -> list[str]:
        with self.database.session() as session:
            return sorted(session.scalars(
                select(RuleHitRecord.rule_id).join(MessageRecord).where(MessageRecord.sha256 == sha256)
            ))

    def intake_errors(self) -> list[tuple[str, str]]:
        with self.database.session() as session:
            return [(r.location, r.error) for r in session.scalars(
                select(IntakeErrorRecord).order_by(IntakeErrorRecord.id))]
