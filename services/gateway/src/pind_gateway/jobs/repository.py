"""The SQL of reading jobs: one with everything its answer shows, in one
statement, and a job's state alone."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, ColumnExpressionArgument, FromClause, func, select, tuple_
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager
from sqlalchemy.types import NullType

from pind_gateway.core.models import Analysis, AnalysisStage, Job, Place, Video, VideoPlace


async def job_in_full(
    session: AsyncSession, job_id: uuid.UUID
) -> tuple[Job, Video, list[AnalysisStage], list[VideoPlace]] | None:
    """A job with its analysis (loaded), its video, the analysis' stages and the
    video's places (by rank), read in one statement: one round trip where loading them one by one
    takes three. Stages and places arrive as arrays of rows and are returned
    as model objects of no session (read them; do not change them)."""
    stages = (
        select(_rows_of(AnalysisStage.__table__))
        .where(AnalysisStage.analysis_id == Job.analysis_id)
        .scalar_subquery()
    )
    places = (
        select(_rows_of(VideoPlace.__table__, Place.__table__, order_by=VideoPlace.rank))
        .join_from(VideoPlace, Place, VideoPlace.place_id == Place.id)
        .where(VideoPlace.video_id == Job.video_id)
        .scalar_subquery()
    )
    found = (
        await session.execute(
            select(Job, Video, stages, places)
            .join(Job.analysis)
            .join(Video, Video.video_id == Job.video_id)
            .where(Job.id == job_id)
            .options(contains_eager(Job.analysis))
        )
    ).one_or_none()
    if found is None:
        return None
    job, video, stage_rows, place_rows = found
    split = len(VideoPlace.__table__.columns)
    return (
        job,
        video,
        [AnalysisStage(**_fields(AnalysisStage.__table__, row)) for row in stage_rows or ()],
        [
            VideoPlace(
                **_fields(VideoPlace.__table__, row[:split]),
                place=Place(**_fields(Place.__table__, row[split:])),
            )
            for row in place_rows or ()
        ],
    )


def _rows_of(
    *tables: FromClause, order_by: ColumnExpressionArgument[Any] | None = None
) -> ColumnElement[Any]:
    """``array_agg`` of every column of ``tables``, one row value per element."""
    row = tuple_(*(column for table in tables for column in table.columns))
    return func.array_agg(
        aggregate_order_by(row, order_by) if order_by is not None else row, type_=NullType()
    )


def _fields(table: FromClause, row: Sequence[Any]) -> dict[str, Any]:
    return dict(zip((column.key for column in table.columns), row, strict=True))


async def job_state(session: AsyncSession, job_id: uuid.UUID) -> str | None:
    """A job's state (its analysis'), read fresh (for requests waiting on
    another instance's projection)."""
    return await session.scalar(
        select(Analysis.state).join(Job, Job.analysis_id == Analysis.id).where(Job.id == job_id)
    )
