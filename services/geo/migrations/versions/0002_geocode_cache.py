"""Cache of online geocoder answers (Kakao, Google Places, Nominatim), with a TTL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "geocode_cache",
        sa.Column("geocoder", sa.String(32), nullable=False),
        sa.Column("query_key", sa.Text(), nullable=False),
        sa.Column("results", postgresql.JSONB(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("geocoder", "query_key", name="pk_geocode_cache"),
        schema="geo",
    )
    op.create_index(
        "ix_geocode_cache_expires_at", "geocode_cache", ["expires_at"], schema="geo"
    )


def downgrade() -> None:
    op.drop_index("ix_geocode_cache_expires_at", table_name="geocode_cache", schema="geo")
    op.drop_table("geocode_cache", schema="geo")
