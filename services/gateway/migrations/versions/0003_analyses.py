"""Analyses get a table of their own: a job (a request) references the
analysis that answers it, and the analysis' status is stored once instead of
being copied to every job that shares it. Stages belong to the analysis
(``job_stages`` becomes ``analysis_stages``).

Data: every lead job (``id = analysis_id``) becomes an analysis with the same
id, status, places count and timeout. Downgrade copies the status back to each
job as the gateway used to keep it: state, progress, step and error of its
analysis; updated and finished no earlier than the job was asked.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "gateway"
TZ = sa.DateTime(timezone=True)
IN_FLIGHT = "state IN ('queued', 'running')"
STATUS_COLUMNS = ("state", "progress", "current_step", "error")


def upgrade() -> None:
    op.create_table(
        "analyses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("video_id", sa.String(11), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("current_step", sa.Text(), nullable=False, server_default=sa.text("'queued'")),
        sa.Column("error", sa.Text()),
        sa.Column("places_found", sa.Integer()),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("timed_out_at", TZ),
        sa.PrimaryKeyConstraint("id", name="pk_analyses"),
        sa.ForeignKeyConstraint(["video_id"], [f"{SCHEMA}.videos.video_id"],
                                name="fk_analyses_video_id_videos"),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'succeeded', 'partial', 'failed')",
            name=op.f("ck_analyses_state"),
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_analyses_progress")),
        schema=SCHEMA,
    )
    op.execute(
        f"""
        INSERT INTO {SCHEMA}.analyses (id, video_id, state, progress, current_step, error,
            places_found, created_at, updated_at, finished_at, timed_out_at)
        SELECT id, video_id, state, progress, current_step, error,
            places_found, created_at, updated_at, finished_at, timed_out_at
        FROM {SCHEMA}.jobs WHERE id = analysis_id
        """
    )
    op.create_index("ix_analyses_video_id_finished_at", "analyses", ["video_id", "finished_at"],
                    schema=SCHEMA)
    op.create_index("ix_analyses_in_flight_updated_at", "analyses", ["updated_at"],
                    schema=SCHEMA, postgresql_where=sa.text(IN_FLIGHT))
    op.create_index("uq_analyses_video_in_flight", "analyses", ["video_id"], unique=True,
                    schema=SCHEMA, postgresql_where=sa.text(IN_FLIGHT))

    # Stages: keyed by the analysis (same ids as the lead jobs they were keyed by).
    op.drop_constraint("fk_job_stages_job_id_jobs", "job_stages", schema=SCHEMA)
    op.rename_table("job_stages", "analysis_stages", schema=SCHEMA)
    op.alter_column("analysis_stages", "job_id", new_column_name="analysis_id", schema=SCHEMA)
    # (0001's check constraints got their names prefixed twice; these are their real names.)
    for old, new in (
        ("pk_job_stages", "pk_analysis_stages"),
        ("ck_job_stages_ck_job_stages_stage", "ck_analysis_stages_stage"),
        ("ck_job_stages_ck_job_stages_state", "ck_analysis_stages_state"),
    ):
        op.execute(f"ALTER TABLE {SCHEMA}.analysis_stages RENAME CONSTRAINT {old} TO {new}")
    op.create_foreign_key("fk_analysis_stages_analysis_id_analyses", "analysis_stages",
                          "analyses", ["analysis_id"], ["id"], ondelete="CASCADE",
                          source_schema=SCHEMA, referent_schema=SCHEMA)

    # Jobs: requests only.
    op.drop_constraint("fk_jobs_analysis_id_jobs", "jobs", schema=SCHEMA)
    op.create_foreign_key("fk_jobs_analysis_id_analyses", "jobs", "analyses",
                          ["analysis_id"], ["id"], source_schema=SCHEMA, referent_schema=SCHEMA)
    op.drop_index("uq_jobs_video_in_flight", table_name="jobs", schema=SCHEMA)
    op.drop_index("ix_jobs_in_flight_updated_at", table_name="jobs", schema=SCHEMA)
    for column in (*STATUS_COLUMNS, "places_found", "updated_at", "finished_at", "timed_out_at"):
        op.drop_column("jobs", column, schema=SCHEMA)


def downgrade() -> None:
    op.add_column("jobs", sa.Column("state", sa.String(16)), schema=SCHEMA)
    op.add_column("jobs", sa.Column("progress", sa.Integer(), server_default=sa.text("0")),
                  schema=SCHEMA)
    op.add_column("jobs", sa.Column("current_step", sa.Text(),
                                    server_default=sa.text("'queued'")), schema=SCHEMA)
    op.add_column("jobs", sa.Column("error", sa.Text()), schema=SCHEMA)
    op.add_column("jobs", sa.Column("places_found", sa.Integer()), schema=SCHEMA)
    op.add_column("jobs", sa.Column("updated_at", TZ), schema=SCHEMA)
    op.add_column("jobs", sa.Column("finished_at", TZ), schema=SCHEMA)
    op.add_column("jobs", sa.Column("timed_out_at", TZ), schema=SCHEMA)
    op.execute(
        f"""
        UPDATE {SCHEMA}.jobs AS j SET
            state = a.state, progress = a.progress, current_step = a.current_step,
            error = a.error,
            updated_at = GREATEST(j.created_at, a.updated_at),
            finished_at = CASE WHEN a.finished_at IS NULL THEN NULL
                               ELSE GREATEST(j.created_at, a.finished_at) END,
            places_found = CASE WHEN j.id = a.id THEN a.places_found END,
            timed_out_at = CASE WHEN j.id = a.id THEN a.timed_out_at END
        FROM {SCHEMA}.analyses AS a WHERE a.id = j.analysis_id
        """
    )
    for column in ("state", "progress", "current_step", "updated_at"):
        op.alter_column("jobs", column, nullable=False, schema=SCHEMA)
    op.create_check_constraint(
        op.f("ck_jobs_ck_jobs_state"), "jobs",
        "state IN ('queued', 'running', 'succeeded', 'partial', 'failed')", schema=SCHEMA,
    )
    op.create_check_constraint(op.f("ck_jobs_ck_jobs_progress"), "jobs",
                               "progress BETWEEN 0 AND 100", schema=SCHEMA)
    lead_in_flight = f"id = analysis_id AND {IN_FLIGHT}"
    op.create_index("ix_jobs_in_flight_updated_at", "jobs", ["updated_at"], schema=SCHEMA,
                    postgresql_where=sa.text(lead_in_flight))
    op.create_index("uq_jobs_video_in_flight", "jobs", ["video_id"], unique=True,
                    schema=SCHEMA, postgresql_where=sa.text(lead_in_flight))
    op.drop_constraint("fk_jobs_analysis_id_analyses", "jobs", schema=SCHEMA)
    op.create_foreign_key("fk_jobs_analysis_id_jobs", "jobs", "jobs", ["analysis_id"], ["id"],
                          source_schema=SCHEMA, referent_schema=SCHEMA)

    op.drop_constraint("fk_analysis_stages_analysis_id_analyses", "analysis_stages",
                       schema=SCHEMA)
    for old, new in (
        ("pk_analysis_stages", "pk_job_stages"),
        ("ck_analysis_stages_stage", "ck_job_stages_ck_job_stages_stage"),
        ("ck_analysis_stages_state", "ck_job_stages_ck_job_stages_state"),
    ):
        op.execute(f"ALTER TABLE {SCHEMA}.analysis_stages RENAME CONSTRAINT {old} TO {new}")
    op.alter_column("analysis_stages", "analysis_id", new_column_name="job_id", schema=SCHEMA)
    op.rename_table("analysis_stages", "job_stages", schema=SCHEMA)
    op.create_foreign_key("fk_job_stages_job_id_jobs", "job_stages", "jobs", ["job_id"], ["id"],
                          ondelete="CASCADE", source_schema=SCHEMA, referent_schema=SCHEMA)

    op.drop_table("analyses", schema=SCHEMA)
