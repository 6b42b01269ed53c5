"""Jobs ended by the timeout sweeper; fixed-window rate-limit counters; a
spatial index for bounding-box queries over places.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "gateway"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("jobs", sa.Column("timed_out_at", TZ), schema=SCHEMA)
    op.create_index(
        "ix_jobs_in_flight_updated_at",
        "jobs",
        ["updated_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("id = analysis_id AND state IN ('queued', 'running')"),
    )
    op.create_index("ix_places_lat_lon", "places", ["lat", "lon"], schema=SCHEMA)
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("window_start", TZ, nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name="pk_rate_limits"),
        schema=SCHEMA,
    )
    op.create_index("ix_rate_limits_window_start", "rate_limits", ["window_start"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("rate_limits", schema=SCHEMA)
    op.drop_index("ix_places_lat_lon", table_name="places", schema=SCHEMA)
    op.drop_index("ix_jobs_in_flight_updated_at", table_name="jobs", schema=SCHEMA)
    op.drop_column("jobs", "timed_out_at", schema=SCHEMA)
