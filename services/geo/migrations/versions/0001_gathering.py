"""Kit tables, analyses and their inputs in schema geo.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pind_kit.migrations import create_kit_tables, drop_kit_tables
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kit_tables(op, "geo")
    op.create_table(
        "analyses",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.String(11), nullable=False),
        sa.Column("expected", postgresql.ARRAY(sa.String(16)), nullable=False),
        sa.Column("state", sa.String(16), server_default="gathering", nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=True),
        sa.Column("correlation_id", sa.Text(), nullable=True),
        sa.Column("traceparent", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("job_id", name="pk_analyses"),
        schema="geo",
    )
    op.create_index(
        "ix_analyses_gathering_deadline", "analyses", ["deadline"], schema="geo",
        postgresql_where=sa.text("state = 'gathering'"),
    )
    op.create_table(
        "analysis_inputs",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["geo.analyses.job_id"], name="fk_analysis_inputs_job_id_analyses",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "kind", name="pk_analysis_inputs"),
        schema="geo",
    )


def downgrade() -> None:
    op.drop_table("analysis_inputs", schema="geo")
    op.drop_index("ix_analyses_gathering_deadline", table_name="analyses", schema="geo")
    op.drop_table("analyses", schema="geo")
    drop_kit_tables(op, "geo")
