"""Held messages: recorded by the mail flow, listed, shown, released or deleted by an analyst."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from seawall.store.database import Database
from seawall.store.models import QuarantineRecord


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
    ) -> int:
        """Record a held message; committed before the caller answers the MTA 250."""
        with self.database.session() as session, session.begin():
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

    def mark(self, held_id: int, status: str) -> None:
        values: dict[str, object] = {"status": status}
        if status == "deleted":
            values["data"] = b""
        with self.database.session() as session, session.begin():
            session.execute(update(QuarantineRecord).where(QuarantineRecord.id == held_id).values(**values))
