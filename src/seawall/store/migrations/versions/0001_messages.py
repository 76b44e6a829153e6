"""Messages, their origins, rule hits and intake errors.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("from_address", sa.String(320), nullable=False),
        sa.Column("from_display", sa.Text(), nullable=False),
        sa.Column("from_domain", sa.String(255), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rules_score", sa.Float(), nullable=False),
        sa.Column("model_probability", sa.Float(), nullable=True),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("defects", JSON, nullable=False),
        sa.Column("summary", JSON, nullable=False),
        sa.Column("raw_stored", sa.Boolean(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_scanned", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scan_count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_messages_sha256", "messages", ["sha256"], unique=True)
    op.create_index("ix_messages_from_address", "messages", ["from_address"])
    op.create_index("ix_messages_from_domain", "messages", ["from_domain"])
    op.create_index("ix_messages_label", "messages", ["label"])
    op.create_index("ix_messages_last_scanned", "messages", ["last_scanned"])
    op.create_table(
        "origins",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "message_pk", sa.Integer(), sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("message_pk", "location", name="uq_origin_message_location"),
    )
    op.create_index("ix_origins_message_pk", "origins", ["message_pk"])
    op.create_table(
        "rule_hits",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "message_pk", sa.Integer(), sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("attack", sa.String(100), nullable=False),
    )
    op.create_index("ix_rule_hits_message_pk", "rule_hits", ["message_pk"])
    op.create_index("ix_rule_hits_rule", "rule_hits", ["rule_id"])
    op.create_table(
        "intake_errors",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_intake_errors_at", "intake_errors", ["at"])


def downgrade() -> None:
    op.drop_table("intake_errors")
    op.drop_table("rule_hits")
    op.drop_table("origins")
    op.drop_table("messages")
