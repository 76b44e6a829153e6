"""The report-phish mailbox's records: where the IMAP watcher got to, and who reported what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from seawall.store.database import Database
from seawall.store.models import (
    AnalystLabelRecord,
    CampaignMessageRecord,
    ImapCheckpointRecord,
    MessageRecord,
    PhishReportRecord,
)
from seawall.store.repository import _insert_for


@dataclass(frozen=True)
class ReportedMessage:
    """A message users reported, what Seawall said of it and what an analyst decided (if yet)."""

    sha256: str
    subject: str
    from_address: str
    label: str
    score: float
    reporters: int
    last_reported: datetime
    analyst_label: str | None


class ReportRepository:
    def __init__(self, database: Database) -> None:
        self.database = database

    def checkpoint(self, account: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, last UID processed) of a folder, if it was read before."""
        with self.database.session() as session:
            record = session.get(ImapCheckpointRecord, account)
            return None if record is None else (record.uidvalidity, record.last_uid)

    def save_checkpoint(self, account: str, uidvalidity: int, last_uid: int) -> None:
        with self.database.session() as session, session.begin():
            session.merge(
                ImapCheckpointRecord(
                    account=account, uidvalidity=uidvalidity, last_uid=last_uid, updated_at=datetime.now(UTC)
                )
            )

    def report(self, sha256: str, reporter: str, source: str) -> None:
        """Record that ``reporter`` reported the message (once per message and reporter)."""
        with self.database.engine.begin() as connection:
            insert = _insert_for(connection.dialect.name)
            row = {
                "sha256": sha256,
                "reporter": reporter[:320],
                "reported_at": datetime.now(UTC),
                "source": source,
            }
            connection.execute(
                insert(PhishReportRecord.__table__).on_conflict_do_nothing(
                    index_elements=["sha256", "reporter"]
                ),
                [row],
            )

    def reporters(self, sha256: str) -> list[str]:
        with self.database.session() as session:
            return list(
                session.scalars(select(PhishReportRecord.reporter).where(PhishReportRecord.sha256 == sha256))
            )

    def campaign_reporters(self, campaign_id: int) -> int:
        """How many people reported a message of this campaign."""
        with self.database.session() as session:
            found = session.scalar(
                select(func.count(func.distinct(PhishReportRecord.reporter)))
                .join(CampaignMessageRecord, CampaignMessageRecord.sha256 == PhishReportRecord.sha256)
                .where(CampaignMessageRecord.campaign_id == campaign_id)
            )
            return int(found or 0)

    def reported(self, untriaged_only: bool = False, limit: int = 100) -> list[ReportedMessage]:
        """Reported messages, most reported first: the analyst's queue for ``seawall label``
        (a user's report is a lead, not a label: users report newsletters too)."""
        count = func.count(func.distinct(PhishReportRecord.reporter))
        latest = func.max(PhishReportRecord.reported_at)
        query = (
            select(
                MessageRecord.sha256,
                MessageRecord.subject,
                MessageRecord.from_address,
                MessageRecord.label,
                MessageRecord.score,
                count,
                latest,
                AnalystLabelRecord.label,
            )
            .join(MessageRecord, MessageRecord.sha256 == PhishReportRecord.sha256)
            .outerjoin(AnalystLabelRecord, AnalystLabelRecord.sha256 == PhishReportRecord.sha256)
            .group_by(
                MessageRecord.sha256,
                MessageRecord.subject,
                MessageRecord.from_address,
                MessageRecord.label,
                MessageRecord.score,
                AnalystLabelRecord.label,
            )
            .order_by(count.desc(), latest.desc())
            .limit(limit)
        )
        if untriaged_only:
            query = query.where(AnalystLabelRecord.label.is_(None))
        with self.database.session() as session:
            return [
                ReportedMessage(sha, subject, sender, label, score, int(n), when, analyst)
                for sha, subject, sender, label, score, n, when, analyst in session.execute(query)
            ]
