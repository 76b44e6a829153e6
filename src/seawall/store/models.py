"""The store's tables (SQLAlchemy 2 typed ORM). The same models serve SQLite and PostgreSQL;
the schema is created and changed only by the Alembic migrations in ``store/migrations``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JsonType, list[Any]: JsonType}


class MessageRecord(Base):
    """One distinct message (by sha256 of its bytes) and its latest verdict."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    message_id: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    from_address: Mapped[str] = mapped_column(String(320), default="", index=True)
    from_display: Mapped[str] = mapped_column(Text, default="")
    from_domain: Mapped[str] = mapped_column(String(255), default="", index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    label: Mapped[str] = mapped_column(String(16), index=True)
    score: Mapped[float] = mapped_column(Float)
    rules_score: Mapped[float] = mapped_column(Float)
    model_probability: Mapped[float | None] = mapped_column(Float, nullable=True)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    defects: Mapped[list[Any]] = mapped_column(default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raw_stored: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_scanned: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    scan_count: Mapped[int] = mapped_column(Integer, default=1)

    origins: Mapped[list[OriginRecord]] = relationship(back_populates="message", cascade="all, delete-orphan")
    rule_hits: Mapped[list[RuleHitRecord]] = relationship(
        back_populates="message", cascade="all, delete-orphan"
    )


class OriginRecord(Base):
    """Every place a message was read from (the same bytes may arrive many times)."""

    __tablename__ = "origins"
    __table_args__ = (UniqueConstraint("message_pk", "location", name="uq_origin_message_location"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    location: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    message: Mapped[MessageRecord] = relationship(back_populates="origins")


class RuleHitRecord(Base):
    """Which rules matched a message at its latest scan (for "all mail that hit rule X")."""

    __tablename__ = "rule_hits"
    __table_args__ = (Index("ix_rule_hits_rule", "rule_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(100))
    weight: Mapped[float] = mapped_column(Float)
    attack: Mapped[str] = mapped_column(String(100), default="")

    message: Mapped[MessageRecord] = relationship(back_populates="rule_hits")


class IntakeErrorRecord(Base):
    """An input that could not be read at all: recorded so nothing disappears silently."""

    __tablename__ = "intake_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    location: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    error: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AnalystLabelRecord(Base):
    """An analyst's verdict on one message (phish or ham); the latest one counts."""

    __tablename__ = "analyst_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    label: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text, default="")
    labelled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CampaignRecord(Base):
    """A campaign: messages that share text or infrastructure. ``merged_into`` is set when one
    message proved two campaigns to be one operation (the older id survives)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    merged_into: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    first_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    subject: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200), default="")
    actor_country: Mapped[str] = mapped_column(String(8), default="")
    actor_confidence: Mapped[int] = mapped_column(Integer, default=0)
    actor_evidence: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CampaignMessageRecord(Base):
    """A message's membership of a campaign, with why it joined."""

    __tablename__ = "campaign_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    campaign_id: Mapped[int] = mapped_column(Integer, index=True)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(Text, default="")
    from_address: Mapped[str] = mapped_column(String(320), default="")
    label: Mapped[str] = mapped_column(String(16), default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    attack: Mapped[list[Any]] = mapped_column(default=list)


class CampaignKeyRecord(Base):
    """Infrastructure keys (link, domain, attachment, sender, IP, subject) of each campaign."""

    __tablename__ = "campaign_keys"
    __table_args__ = (UniqueConstraint("key", "campaign_id", name="uq_campaign_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(Text)
    campaign_id: Mapped[int] = mapped_column(Integer, index=True)


class CampaignSignatureRecord(Base):
    """Representative text MinHashes of each campaign (for the LSH index)."""

    __tablename__ = "campaign_signatures"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(Integer, index=True)
    hashvalues: Mapped[bytes] = mapped_column(LargeBinary)


class IndicatorRecord(Base):
    """An indicator seen in suspicious or phishing mail, with when and how often."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class SightingRecord(Base):
    """One message carrying one indicator (and its campaign)."""

    __tablename__ = "indicator_sightings"
    __table_args__ = (UniqueConstraint("kind", "value", "sha256", name="uq_sighting"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IntelIndicatorRecord(Base):
    """An indicator imported from a feed (STIX, MISP, CSV) that scanned mail is matched against."""

    __tablename__ = "intel_indicators"
    __table_args__ = (UniqueConstraint("kind", "value", "source", name="uq_intel_indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(200), default="")
    actor_country: Mapped[str] = mapped_column(String(8), default="")
    confidence: Mapped[int] = mapped_column(Integer, default=50)
    description: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OsintArticleRecord(Base):
    """A piece of reporting read by ``seawall osint ingest`` (id: sha256 of its clean text)."""

    __tablename__ = "osint_articles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[str] = mapped_column(String(10), default="", index=True)
    outlet: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(Text, default="")
    path: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OsintEventRecord(Base):
    """A cyber operation reported in one or more articles (the event itself is JSON)."""

    __tablename__ = "osint_events"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    attackers: Mapped[str] = mapped_column(String(200), default="", index=True)
    victims: Mapped[str] = mapped_column(String(200), default="", index=True)
    date_start: Mapped[str] = mapped_column(String(10), default="", index=True)
    date_end: Mapped[str] = mapped_column(String(10), default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuarantineRecord(Base):
    """A message the mail flow held instead of delivering (``seawall quarantine``). The raw
    bytes live in the database so that every filter instance on one PostgreSQL sees them."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64))
    mail_from: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    label: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    subject: Mapped[str] = mapped_column(Text, default="")
    from_address: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="held", index=True)
    """held, released, deleted or expired (a deleted or expired message's bytes are emptied)."""


class MailflowDeliveryRecord(Base):
    """A message the mail flow already delivered or held, by its key (``store/quarantine.py``):
    when Postfix retries it (the filter died before answering 250), it is not delivered again."""

    __tablename__ = "mailflow_deliveries"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(16))
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class AlertOutboxRecord(Base):
    """An alert to send to one webhook (``store/outbox.py``): written before it is sent, marked
    when the receiver accepted it, so that a restart loses none."""

    __tablename__ = "alert_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    event: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


class ImapCheckpointRecord(Base):
    """How far the IMAP watcher read a folder: UIDVALIDITY and the last UID processed."""

    __tablename__ = "imap_checkpoints"

    account: Mapped[str] = mapped_column(String(400), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PhishReportRecord(Base):
    """A user reported a message as phishing (the report-phish mailbox): who, when, which."""

    __tablename__ = "phish_reports"
    __table_args__ = (UniqueConstraint("sha256", "reporter", name="uq_phish_reports_sha256_reporter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    reporter: Mapped[str] = mapped_column(String(320))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(Text, default="")
