"""Jobs, stages, videos, places, video places, user history; the kit's tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pind_kit.migrations import create_kit_tables, drop_kit_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "gateway"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    create_kit_tables(op, SCHEMA)

    op.create_table(
        "videos",
        sa.Column("video_id", sa.String(11), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("thumbnail_url", sa.Text()),
        sa.Column("duration_s", sa.Float()),
        sa.Column("channel", sa.Text()),
        sa.Column("metadata", postgresql.JSONB()),
        sa.Column("metadata_at", TZ),
        sa.Column("unresolved", postgresql.JSONB(), nullable=False,
                  server_default=sa.text("'[]'::jsonb")),
        sa.Column("places_job_id", sa.Uuid()),
        sa.Column("places_at", TZ),
        sa.Column("created_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("video_id", name="pk_videos"),
        schema=SCHEMA,
    )

    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.String(11), nullable=False),
        sa.Column("analysis_id", sa.Uuid(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.Uuid()),
        sa.Column("refresh", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("current_step", sa.Text(), nullable=False, server_default=sa.text("'queued'")),
        sa.Column("error", sa.Text()),
        sa.Column("places_found", sa.Integer()),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        sa.ForeignKeyConstraint(["video_id"], [f"{SCHEMA}.videos.video_id"],
                                name="fk_jobs_video_id_videos"),
        sa.ForeignKeyConstraint(["analysis_id"], [f"{SCHEMA}.jobs.id"],
                                name="fk_jobs_analysis_id_jobs"),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'succeeded', 'partial', 'failed')",
            name="ck_jobs_state",
        ),
        sa.CheckConstraint("origin IN ('new', 'joined', 'cached')", name="ck_jobs_origin"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="ck_jobs_progress"),
        schema=SCHEMA,
    )
    op.create_index("ix_jobs_video_id_created_at", "jobs", ["video_id", "created_at"],
                    schema=SCHEMA)
    op.create_index("ix_jobs_analysis_id", "jobs", ["analysis_id"], schema=SCHEMA)
    op.create_index(
        "uq_jobs_video_in_flight", "jobs", ["video_id"], unique=True, schema=SCHEMA,
        postgresql_where=sa.text("id = analysis_id AND state IN ('queued', 'running')"),
    )

    op.create_table(
        "job_stages",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False, server_default=sa.text("0")),
        sa.Column("reason", sa.Text()),
        sa.Column("error_code", sa.Text()),
        sa.Column("retryable", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("reported_at", TZ),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("job_id", "stage", name="pk_job_stages"),
        sa.ForeignKeyConstraint(["job_id"], [f"{SCHEMA}.jobs.id"], ondelete="CASCADE",
                                name="fk_job_stages_job_id_jobs"),
        sa.CheckConstraint("stage IN ('ingest', 'transcript', 'vision', 'geo')",
                           name="ck_job_stages_stage"),
        sa.CheckConstraint(
            "state IN ('pending', 'running', 'succeeded', 'failed', 'skipped')",
            name="ck_job_stages_state",
        ),
        schema=SCHEMA,
    )

    op.create_table(
        "places",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text()),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("address", sa.Text()),
        sa.Column("geocoder", sa.Text(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_places"),
        sa.UniqueConstraint("key", name="uq_places_key"),
        schema=SCHEMA,
    )

    op.create_table(
        "video_places",
        sa.Column("video_id", sa.String(11), nullable=False),
        sa.Column("place_id", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence", postgresql.JSONB(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("video_id", "place_id", name="pk_video_places"),
        sa.ForeignKeyConstraint(["video_id"], [f"{SCHEMA}.videos.video_id"], ondelete="CASCADE",
                                name="fk_video_places_video_id_videos"),
        sa.ForeignKeyConstraint(["place_id"], [f"{SCHEMA}.places.id"],
                                name="fk_video_places_place_id_places"),
        schema=SCHEMA,
    )

    op.create_table(
        "user_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.String(11), nullable=False),
        sa.Column("job_id", sa.Uuid()),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_user_history"),
        sa.UniqueConstraint("user_id", "video_id", name="uq_user_history_user_id"),
        sa.ForeignKeyConstraint(["video_id"], [f"{SCHEMA}.videos.video_id"], ondelete="CASCADE",
                                name="fk_user_history_video_id_videos"),
        schema=SCHEMA,
    )
    op.create_index("ix_user_history_user_id", "user_history", ["user_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("user_history", schema=SCHEMA)
    op.drop_table("video_places", schema=SCHEMA)
    op.drop_table("places", schema=SCHEMA)
    op.drop_table("job_stages", schema=SCHEMA)
    op.drop_table("jobs", schema=SCHEMA)
    op.drop_table("videos", schema=SCHEMA)
    drop_kit_tables(op, SCHEMA)
