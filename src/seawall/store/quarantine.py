"""Held messages (recorded by the mail flow, listed, shown, released or deleted by an analyst),
and the deliveries the mail flow has made, so that a retried message is not delivered twice."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from seawall.store.database import Database
from seawall.store.models import MailflowDeliveryRecord, QuarantineRecord
from seawall.store.repository import _insert_for


@dataclass(frozen=True)
class Held:
    id: int
    sha256: str
    mail_from: str
    recipients: list[str]
    label: str
    score: float
    subject: str
    from_address: str
    held_at: datetime
    status: str


def _held(record: QuarantineRecord) -> Held:
    return Held(
        record.id,
        record.sha256,
        record.mail_from,
        list(record.recipients),
        record.label,
        record.score,
        record.subject,
        record.from_address,
        record.held_at,
        record.status,
    )


class QuarantineRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    def hold(
        self,
        data: bytes,
        sha256: str,
        mail_from: str,
        recipients: list[str],
        label: str,
        score: float,
        subject: str = "",
        from_address: str = "",
        key: str = "",
    ) -> int:
        """Record a held message (and, with ``key``, its delivery key in the same transaction);
        committed before the caller answers the MTA 250."""
        with self.database.session() as session, session.begin():
            if key:
                session.add(MailflowDeliveryRecord(key=key, action="quarantine", done_at=datetime.now(UTC)))
            record = QuarantineRecord(
                sha256=sha256,
                mail_from=mail_from,
                recipients=recipients,
                label=label,
                score=score,
                subject=subject[:2000],
                from_address=from_address[:500],
                data=data,
                held_at=datetime.now(UTC),
                status="held",
            )
            session.add(record)
            session.flush()
            return int(record.id)

    def held(self, status: str = "held") -> list[Held]:
        with self.database.session() as session:
            query = select(QuarantineRecord).order_by(QuarantineRecord.id)
            if status != "all":
                query = query.where(QuarantineRecord.status == status)
            return [_held(r) for r in session.scalars(query)]

    def get(self, held_id: int) -> tuple[Held, bytes] | None:
        with self.database.session() as session:
            record = session.get(QuarantineRecord, held_id)
            return None if record is None else (_held(record), bytes(record.data))

    def expire(self, before: datetime) -> list[int]:
        """Drop the bytes of messages held since before ``before`` (status ``expired``; the
        record stays, as a deleted one's does). Returns their ids."""
        with self.database.session() as session, session.begin():
            ids = list(
                session.scalars(
                    select(QuarantineRecord.id).where(
                        QuarantineRecord.status == "held", QuarantineRecord.held_at < before
                    )
                )
            )
            if ids:
                session.execute(
                    update(QuarantineRecord)
                    .where(QuarantineRecord.id.in_(ids))
                    .values(status="expired", data=b"")
                )
            return [int(i) for i in ids]

    def mark(self, held_id: int, status: str) -> None:
        values: dict[str, object] = {"status": status}
        if status == "deleted":
            values["data"] = b""
        with self.database.session() as session, session.begin():
            session.execute(update(QuarantineRecord).where(QuarantineRecord.id == held_id).values(**values))


KEEP_DELIVERIES = timedelta(days=7)
"""Longer than Postfix keeps retrying a message (maximal_queue_lifetime, 5 days)."""


def delivery_key(data: bytes, mail_from: str, recipients: list[str]) -> str:
    """One message to one set of recipients: what Postfix retries is the same key."""
    digest = hashlib.sha256(data)
    digest.update(b"\0" + mail_from.encode("utf-8", "surrogateescape"))
    for recipient in sorted(recipients):
        digest.update(b"\0" + recipient.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


# Built once: the mail flow asks and records once per message.
_ACTION_OF = select(MailflowDeliveryRecord.action).where(MailflowDeliveryRecord.key == bindparam("key"))


@cache
def _delivery_upsert(dialect: str) -> Any:
    statement = _insert_for(dialect)(MailflowDeliveryRecord.__table__)
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"action": statement.excluded.action, "done_at": statement.excluded.done_at},
    )


class DeliveryLedger:
    """Keys of messages already delivered or held by the mail flow."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._pruned = datetime.min.replace(tzinfo=UTC)

    def done(self, key: str) -> str | None:
        """The action already taken for this key, if any."""
        with self.database.engine.connect() as connection:
            action = connection.execute(_ACTION_OF, {"key": key}).scalar()
            return None if action is None else str(action)

    def record(self, key: str, action: str) -> None:
        """Called the moment Postfix has taken the re-injected message: a filter killed between
        that and this commit makes Postfix deliver the message again, so the commit is one
        statement (an upsert, not a read and a write) and, on PostgreSQL, does not wait for the
        WAL flush (the row is visible to every other session at once; only a crash of the
        server itself within a fraction of a second could lose it, and that would mean a
        duplicate, never a lost message)."""
        now = datetime.now(UTC)
        with self.database.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            connection.execute(
                _delivery_upsert(connection.dialect.name), {"key": key, "action": action, "done_at": now}
            )
            if now - self._pruned > timedelta(hours=1):
                connection.execute(
                    delete(MailflowDeliveryRecord).where(
                        MailflowDeliveryRecord.done_at < now - KEEP_DELIVERIES
                    )
                )
                self._pruned = now
