"""The alert outbox: alerts are written here first and sent from here, so that a restart loses
none; each has a unique key, so the same campaign, wave or match is never queued twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from seawall.store.database import Database
from seawall.store.models import AlertOutboxRecord
from seawall.store.repository import _insert_for

MAX_BACKOFF_SECONDS = 3600


@dataclass(frozen=True)
class Alert:
    id: int
    key: str
    event: str
    url: str
    payload: dict[str, Any]
    attempts: int


class Outbox:
    def __init__(self, database: Database) -> None:
        self.database = database

    def enqueue(self, key: str, event: str, url: str, payload: dict[str, Any]) -> bool:
        """Queue an alert once per key and webhook; False when it was queued before."""
        now = datetime.now(UTC)
        with self.database.engine.begin() as connection:
            insert = _insert_for(connection.dialect.name)
            row = {
                "key": f"{key}|{url}"[:200],
                "event": event,
                "url": url,
                "payload": payload,
                "created_at": now,
                "attempts": 0,
                "next_attempt_at": now,
                "delivered_at": None,
                "last_error": "",
            }
            result = connection.execute(
                insert(AlertOutboxRecord.__table__).on_conflict_do_nothing(index_elements=["key"]), [row]
            )
            return bool(result.rowcount)

    def due(self, limit: int = 50, max_attempts: int = 12) -> list[Alert]:
        now = datetime.now(UTC)
        with self.database.session() as session:
            rows = session.scalars(
                select(AlertOutboxRecord)
                .where(
                    AlertOutboxRecord.delivered_at.is_(None),
                    AlertOutboxRecord.next_attempt_at <= now,
                    AlertOutboxRecord.attempts < max_attempts,
                )
                .order_by(AlertOutboxRecord.id)
                .limit(limit)
            )
            return [Alert(r.id, r.key, r.event, r.url, dict(r.payload), r.attempts) for r in rows]

    def delivered(self, alert_id: int) -> None:
        with self.database.session() as session, session.begin():
            session.execute(
                update(AlertOutboxRecord)
                .where(AlertOutboxRecord.id == alert_id)
                .values(delivered_at=datetime.now(UTC), attempts=AlertOutboxRecord.attempts + 1)
            )

    def failed(self, alert: Alert, error: str) -> None:
        """Another attempt later: 2, 4, 8 … seconds, at most an hour."""
        delay = min(MAX_BACKOFF_SECONDS, 2 ** (alert.attempts + 1))
        with self.database.session() as session, session.begin():
            session.execute(
                update(AlertOutboxRecord)
                .where(AlertOutboxRecord.id == alert.id)
                .values(
                    attempts=alert.attempts + 1,
                    next_attempt_at=datetime.now(UTC) + timedelta(seconds=delay),
                    last_error=error[:500],
                )
            )

    def pending(self) -> int:
        with self.database.session() as session:
            return len(
                list(
                    session.scalars(
                        select(AlertOutboxRecord.id).where(AlertOutboxRecord.delivered_at.is_(None))
                    )
                )
            )
