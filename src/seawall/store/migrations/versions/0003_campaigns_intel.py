"""Campaigns, indicators and imported intelligence.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JsonType = sa.JSON().with_variant(JSONB(), "postgresql")


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        _when("first_seen", True),
        _when("last_seen", True),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_country", sa.String(8), nullable=False),
        sa.Column("actor_confidence", sa.Integer(), nullable=False),
        sa.Column("actor_evidence", JsonType, nullable=False),
        _when("updated_at"),
    )
    op.create_index("ix_campaigns_merged_into", "campaigns", ["merged_into"])
    op.create_index("ix_campaigns_last_seen", "campaigns", ["last_seen"])
    op.create_table(
        "campaign_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("reasons", JsonType, nullable=False),
        _when("sent_at"),
        _when("joined_at"),
        sa.Column("recipients", JsonType, nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("from_address", sa.String(320), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("attack", JsonType, nullable=False),
    )
    op.create_index("ix_campaign_messages_sha256", "campaign_messages", ["sha256"], unique=True)
    op.create_index("ix_campaign_messages_campaign_id", "campaign_messages", ["campaign_id"])
    op.create_index("ix_campaign_messages_sent_at", "campaign_messages", ["sent_at"])
    op.create_table(
        "campaign_keys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.UniqueConstraint("key", "campaign_id", name="uq_campaign_key"),
    )
    op.create_index("ix_campaign_keys_campaign_id", "campaign_keys", ["campaign_id"])
    op.create_table(
        "campaign_signatures",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("hashvalues", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_campaign_signatures_campaign_id", "campaign_signatures", ["campaign_id"])
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _when("first_seen"),
        _when("last_seen"),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("kind", "value", name="uq_indicator"),
    )
    op.create_index("ix_indicators_last_seen", "indicators", ["last_seen"])
    op.create_table(
        "indicator_sightings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        _when("seen_at"),
        sa.UniqueConstraint("kind", "value", "sha256", name="uq_sighting"),
    )
    op.create_index("ix_indicator_sightings_sha256", "indicator_sightings", ["sha256"])
    op.create_index("ix_indicator_sightings_campaign_id", "indicator_sightings", ["campaign_id"])
    op.create_table(
        "intel_indicators",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_country", sa.String(8), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _when("imported_at"),
        sa.UniqueConstraint("kind", "value", "source", name="uq_intel_indicator"),
    )


def downgrade() -> None:
    for table in (
        "intel_indicators",
        "indicator_sightings",
        "indicators",
        "campaign_signatures",
        "campaign_keys",
        "campaign_messages",
        "campaigns",
    ):
        op.drop_table(table)
