"""Every SQL statement the gateway runs. Callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from pind_gateway.domain.progress import STAGES, JobStatus, StageName, StageSnapshot
from pind_gateway.models import (
    Job,
    JobStage,
    Place,
    RateLimit,
    UserHistory,
    Video,
    VideoPlace,
)

JOBS_CHANNEL = "pind_gateway_jobs"
"""PostgreSQL channel on which every change of an analysis is announced (payload: its id)."""

# --- videos ------------------------------------------------------------------


async def ensure_video(session: AsyncSession, video_id: str, url: str) -> None:
    await session.execute(insert(Video).values(video_id=video_id, url=url).on_conflict_do_nothing())


async def lock_video(session: AsyncSession, video_id: str) -> Video:
    """The video row, locked: requests and projections of one video queue here."""
    video = await session.scalar(
        select(Video)
        .where(Video.video_id == video_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if video is None:
        raise LookupError(f"video {video_id} vanished inside its transaction")
    return video


async def get_video(session: AsyncSession, video_id: str) -> Video | None:
    return await session.scalar(select(Video).where(Video.video_id == video_id))


async def save_video_metadata(
    session: AsyncSession, video_id: str, values: dict[str, Any], reported_at: datetime
) -> bool:
    """Store ingest's description unless a later one is stored already."""
    result = await session.execute(
        update(Video)
        .where(
            Video.video_id == video_id,
            (Video.metadata_at.is_(None)) | (Video.metadata_at <= reported_at),
        )
        .values(**values, metadata_at=reported_at, updated_at=reported_at)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- places ------------------------------------------------------------------


async def upsert_place(session: AsyncSession, values: dict[str, Any]) -> int:
    """The id of the place with ``values['key']``, inserted or refreshed."""
    statement = insert(Place).values(**values)
    refreshed = ("name", "name_en", "category", "lat", "lon", "address", "geocoder", "updated_at")
    upsert = statement.on_conflict_do_update(
        index_elements=[Place.key],
        set_={column: statement.excluded[column] for column in refreshed},
    ).returning(Place.id)
    place_id: int | None = await session.scalar(upsert)
    if place_id is None:
        raise LookupError(f"upsert of place {values['key']!r} returned no id")
    return place_id


async def replace_video_places(
    session: AsyncSession, video_id: str, rows: Sequence[dict[str, Any]]
) -> None:
    await session.execute(delete(VideoPlace).where(VideoPlace.video_id == video_id))
    if rows:
        await session.execute(
            insert(VideoPlace).values([{**r, "video_id": video_id} for r in rows])
        )


async def save_places_result(
    session: AsyncSession,
    video_id: str,
    *,
    job_id: uuid.UUID,
    reported_at: datetime,
    unresolved: list[dict[str, Any]],
) -> None:
    await session.execute(
        update(Video)
        .where(Video.video_id == video_id)
        .values(
            places_job_id=job_id,
            places_at=reported_at,
            unresolved=unresolved,
            updated_at=reported_at,
        )
    )


async def video_places(session: AsyncSession, video_id: str) -> Sequence[VideoPlace]:
    return (
        await session.scalars(
            select(VideoPlace)
            .where(VideoPlace.video_id == video_id)
            .options(joinedload(VideoPlace.place))
            .order_by(VideoPlace.rank)
        )
    ).all()


# --- jobs --------------------------------------------------------------------


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    return await session.scalar(select(Job).where(Job.id == job_id).options(joinedload(Job.video)))


async def lock_job(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """The job, locked against concurrent projections and joins (FOR NO KEY UPDATE)."""
    return await session.scalar(
        select(Job)
        .where(Job.id == job_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


async def in_flight_analysis(session: AsyncSession, video_id: str) -> Job | None:
    """The lead job of the analysis of ``video_id`` still running, if any.

    Share-locked: a projection of that analysis waits until the caller's new
    job is committed, so its status update reaches the new job too."""
    return await session.scalar(
        select(Job)
        .where(
            Job.video_id == video_id,
            Job.id == Job.analysis_id,
            Job.state.in_(("queued", "running")),
        )
        .with_for_update(read=True)
    )


async def latest_succeeded_analysis(session: AsyncSession, video_id: str) -> Job | None:
    """The lead job of the newest analysis of ``video_id`` that ended, if it succeeded."""
    latest = await session.scalar(
        select(Job)
        .where(
            Job.video_id == video_id,
            Job.id == Job.analysis_id,
            Job.finished_at.is_not(None),
        )
        .order_by(Job.finished_at.desc())
        .limit(1)
    )
    if latest is None or latest.state != "succeeded":
        return None
    # Share-lock it, as in_flight_analysis does, and re-check under the lock.
    locked = await session.scalar(
        select(Job)
        .where(Job.id == latest.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    return locked if locked is not None and locked.state == "succeeded" else None


async def add_job(session: AsyncSession, job: Job, *, with_stages: bool) -> None:
    session.add(job)
    await session.flush()  # the stages' foreign key needs the job row first
    if with_stages:
        await session.execute(
            insert(JobStage).values(
                [
                    {
                        "job_id": job.id,
                        "stage": stage,
                        "state": "pending",
                        "updated_at": job.created_at,
                    }
                    for stage in STAGES
                ]
            )
        )


async def stages_of(session: AsyncSession, analysis_id: uuid.UUID) -> dict[StageName, JobStage]:
    rows = await session.scalars(select(JobStage).where(JobStage.job_id == analysis_id))
    return {row.stage: row for row in rows}  # type: ignore[misc]


async def save_stage(
    session: AsyncSession,
    analysis_id: uuid.UUID,
    stage: StageName,
    snapshot: StageSnapshot,
    now: datetime,
) -> None:
    values = {
        "state": snapshot.status,
        "progress": snapshot.progress,
        "reason": snapshot.reason,
        "error_code": snapshot.error_code,
        "retryable": snapshot.retryable,
        "reported_at": snapshot.reported_at,
        "updated_at": now,
    }
    statement = insert(JobStage).values(job_id=analysis_id, stage=stage, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[JobStage.job_id, JobStage.stage], set_=values
        )
    )


async def save_analysis_status(
    session: AsyncSession,
    analysis_id: uuid.UUID,
    status: JobStatus,
    now: datetime,
    *,
    places_found: int | None = None,
) -> None:
    """Copy the analysis' status to every job that shares it, and announce the
    change to every gateway instance (delivered when the transaction commits)."""
    values: dict[str, Any] = {
        "state": status.state,
        "progress": status.progress,
        "current_step": status.current_step,
        "error": status.error,
        "updated_at": now,
    }
    await session.execute(
        update(Job)
        .where(Job.analysis_id == analysis_id)
        .values(
            **values,
            finished_at=func.coalesce(Job.finished_at, now) if status.final else None,
        )
    )
    if places_found is not None:
        await session.execute(
            update(Job).where(Job.id == analysis_id).values(places_found=places_found)
        )
    await announce(session, analysis_id)


async def announce(session: AsyncSession, analysis_id: uuid.UUID) -> None:
    """NOTIFY the analysis' change; listeners re-read it after this transaction commits."""
    await session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": JOBS_CHANNEL, "payload": str(analysis_id)},
    )


async def silent_analyses(
    session: AsyncSession, silent_since: datetime, limit: int
) -> Sequence[Job]:
    """Lead jobs still in flight with no report since ``silent_since``, locked
    (skipping those another instance's sweeper holds)."""
    return (
        await session.scalars(
            select(Job)
            .where(
                Job.id == Job.analysis_id,
                Job.state.in_(("queued", "running")),
                Job.updated_at < silent_since,
            )
            .order_by(Job.updated_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def mark_timed_out(session: AsyncSession, analysis_id: uuid.UUID, now: datetime) -> None:
    await session.execute(update(Job).where(Job.id == analysis_id).values(timed_out_at=now))


async def job_state(session: AsyncSession, job_id: uuid.UUID) -> str | None:
    """A job's state, read fresh (for requests waiting on another instance's projection)."""
    return await session.scalar(select(Job.state).where(Job.id == job_id))


# --- history -----------------------------------------------------------------


async def record_history(
    session: AsyncSession, user_id: uuid.UUID, video_id: str, job_id: uuid.UUID, now: datetime
) -> None:
    statement = insert(UserHistory).values(
        user_id=user_id, video_id=video_id, job_id=job_id, created_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[UserHistory.user_id, UserHistory.video_id],
            set_={"job_id": job_id, "created_at": now},
        )
    )


async def forget_user(session: AsyncSession, user_id: uuid.UUID) -> int:
    result = await session.execute(delete(UserHistory).where(UserHistory.user_id == user_id))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def history_page(
    session: AsyncSession,
    user_id: uuid.UUID,
    limit: int,
    before: tuple[datetime, int] | None = None,
) -> Sequence[UserHistory]:
    """A user's history, newest first, with the videos loaded."""
    query = (
        select(UserHistory)
        .where(UserHistory.user_id == user_id)
        .options(joinedload(UserHistory.video))
        .order_by(UserHistory.created_at.desc(), UserHistory.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(tuple_(UserHistory.created_at, UserHistory.id) < tuple_(*before))
    return (await session.scalars(query)).all()


async def places_of_videos(
    session: AsyncSession, video_ids: Sequence[str]
) -> dict[str, list[VideoPlace]]:
    rows = await session.scalars(
        select(VideoPlace)
        .where(VideoPlace.video_id.in_(video_ids))
        .options(joinedload(VideoPlace.place))
        .order_by(VideoPlace.video_id, VideoPlace.rank)
    )
    found: dict[str, list[VideoPlace]] = {video_id: [] for video_id in video_ids}
    for row in rows:
        found[row.video_id].append(row)
    return found


async def delete_history(
    session: AsyncSession, user_id: uuid.UUID, video_id: str | None = None
) -> int:
    """Remove one video (or, with ``video_id`` None, everything) from a user's history."""
    statement = delete(UserHistory).where(UserHistory.user_id == user_id)
    if video_id is not None:
        statement = statement.where(UserHistory.video_id == video_id)
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- places across videos ------------------------------------------------------


async def places_in_box(
    session: AsyncSession,
    min_lon: float,
    min_lat: float,
    max_lon: float,
    max_lat: float,
    limit: int,
) -> Sequence[VideoPlace]:
    """Video places whose place lies in the box (west may exceed east: the box
    crosses the antimeridian), most confident first, with place and video loaded."""
    lon = (
        Place.lon.between(min_lon, max_lon)
        if min_lon <= max_lon
        else (Place.lon >= min_lon) | (Place.lon <= max_lon)
    )
    return (
        await session.scalars(
            select(VideoPlace)
            .join(VideoPlace.place)
            .where(Place.lat.between(min_lat, max_lat), lon)
            .options(joinedload(VideoPlace.place), joinedload(VideoPlace.video))
            .order_by(VideoPlace.confidence.desc(), Place.id, VideoPlace.video_id)
            .limit(limit)
        )
    ).all()


# --- rate limits ------------------------------------------------------------------


async def count_hit(session: AsyncSession, key: str, window_start: datetime) -> int:
    """Count one request of ``key`` in the window starting at ``window_start``;
    the number of requests counted there so far, this one included."""
    statement = insert(RateLimit).values(key=key, window_start=window_start, hits=1)
    hits: int | None = await session.scalar(
        statement.on_conflict_do_update(
            index_elements=[RateLimit.key, RateLimit.window_start],
            set_={"hits": RateLimit.hits + 1},
        ).returning(RateLimit.hits)
    )
    if hits is None:
        raise LookupError(f"rate-limit upsert of {key!r} returned nothing")
    return hits


async def forget_windows(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(RateLimit).where(RateLimit.window_start < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
