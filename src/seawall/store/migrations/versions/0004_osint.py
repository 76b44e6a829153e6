"""Open-source reporting: articles and the cyber-operation events read from them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JsonType = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "osint_articles",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("published", sa.String(10), nullable=False),
        sa.Column("outlet", sa.String(200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_osint_articles_published", "osint_articles", ["published"])
    op.create_table(
        "osint_events",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("attackers", sa.String(200), nullable=False),
        sa.Column("victims", sa.String(200), nullable=False),
        sa.Column("date_start", sa.String(10), nullable=False),
        sa.Column("date_end", sa.String(10), nullable=False),
        sa.Column("data", JsonType, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_osint_events_attackers", "osint_events", ["attackers"])
    op.create_index("ix_osint_events_victims", "osint_events", ["victims"])
    op.create_index("ix_osint_events_date_start", "osint_events", ["date_start"])


def downgrade() -> None:
    op.drop_table("osint_events")
    op.drop_table("osint_articles")
