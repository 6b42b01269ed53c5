"""Every SQL statement the gateway runs. Callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    ColumnExpressionArgument,
    FromClause,
    Select,
    String,
    Table,
    bindparam,
    column,
    delete,
    func,
    literal,
    select,
    text,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by, distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.types import NullType

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


async def ensure_videos(session: AsyncSession, urls: Mapping[str, str]) -> None:
    """Insert the videos of ``urls`` (video id → canonical link) not known yet."""
    await session.execute(_INSERT_VIDEOS, {"video_id": list(urls), "url": list(urls.values())})


async def lock_videos(session: AsyncSession, video_ids: Sequence[str]) -> None:
    """Lock the videos' rows in id order (so concurrent batches never deadlock):
    requests and projections of one video queue here."""
    locked = (
        await session.scalars(
            select(Video.video_id)
            .where(Video.video_id.in_(video_ids))
            .order_by(Video.video_id)
            .with_for_update()
        )
    ).all()
    if len(locked) != len(set(video_ids)):
        raise LookupError(
            f"videos {set(video_ids) - set(locked)} vanished inside their transaction"
        )


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


async def job_in_full(
    session: AsyncSession, job_id: uuid.UUID
) -> tuple[Job, Video, list[JobStage], list[VideoPlace]] | None:
    """A job with its video, its analysis' stages and the video's places (by
    rank), read in one statement: one round trip where loading them one by one
    takes three. Stages and places arrive as arrays of rows and are returned
    as model objects of no session (read them; do not change them)."""
    stages = (
        select(_rows_of(JobStage.__table__))
        .where(JobStage.job_id == Job.analysis_id)
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
            .join(Video, Video.video_id == Job.video_id)
            .where(Job.id == job_id)
        )
    ).one_or_none()
    if found is None:
        return None
    job, video, stage_rows, place_rows = found
    split = len(VideoPlace.__table__.columns)
    return (
        job,
        video,
        [JobStage(**_fields(JobStage.__table__, row)) for row in stage_rows or ()],
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


async def lock_job(session: AsyncSession, job_id: uuid.UUID) -> Job | None:
    """The job, locked against concurrent projections and joins (FOR NO KEY UPDATE)."""
    return await session.scalar(
        select(Job)
        .where(Job.id == job_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


async def in_flight_analyses(session: AsyncSession, video_ids: Sequence[str]) -> dict[str, Job]:
    """The lead jobs of the videos' analyses still running, by video id.

    Share-locked: a projection of such an analysis waits until the caller's new
    jobs are committed, so its status update reaches them too."""
    leads = await session.scalars(
        select(Job)
        .where(
            Job.video_id.in_(video_ids),
            Job.id == Job.analysis_id,
            Job.state.in_(("queued", "running")),
        )
        .order_by(Job.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    return {lead.video_id: lead for lead in leads}


async def latest_succeeded_analyses(
    session: AsyncSession, video_ids: Sequence[str]
) -> dict[str, Job]:
    """The lead job of each video's newest analysis that ended, where it
    succeeded, by video id. Share-locked, as in :func:`in_flight_analyses`;
    the state is read under the lock."""
    latest = (
        select(Job.id)
        .where(
            Job.video_id.in_(video_ids),
            Job.id == Job.analysis_id,
            Job.finished_at.is_not(None),
        )
        .order_by(Job.video_id, Job.finished_at.desc())
        .ext(distinct_on(Job.video_id))
    )
    leads = await session.scalars(
        select(Job)
        .where(Job.id.in_(latest))
        .order_by(Job.id)
        .with_for_update(read=True, of=Job)
        .execution_options(populate_existing=True)
    )
    return {lead.video_id: lead for lead in leads if lead.state == "succeeded"}


_NEW_JOB_COLUMNS = (
    "id",
    "video_id",
    "analysis_id",
    "origin",
    "requested_by",
    "refresh",
    "state",
    "progress",
    "current_step",
    "error",
    "created_at",
    "updated_at",
    "finished_at",
)


async def add_jobs(session: AsyncSession, jobs: Sequence[Job], *, leads: Sequence[Job]) -> None:
    """Insert ``jobs`` as built (they are not added to the session) and, for
    ``leads``, the jobs that start an analysis, their stages as pending."""
    await session.execute(
        _INSERT_JOBS,
        {column: [getattr(job, column) for job in jobs] for column in _NEW_JOB_COLUMNS},
    )
    if leads:
        await session.execute(
            _INSERT_PENDING_STAGES,
            {
                "job_id": [lead.id for lead in leads],
                "updated_at": [lead.created_at for lead in leads],
            },
        )


def _unnested(table: Table, columns: Sequence[str]) -> Select[Any]:
    """Rows from one array parameter per column, named after it (``unnest``):
    a statement executed once whatever the number of rows, whose text does not
    depend on it (built once, compiled once)."""
    arrays = [bindparam(name, type_=ARRAY(table.c[name].type)) for name in columns]
    unnested = (
        func.unnest(*arrays)
        .table_valued(*(column(name, table.c[name].type) for name in columns))
        .render_derived()
    )
    return select(*unnested.c)


_VIDEOS = cast(Table, Video.__table__)
_JOBS = cast(Table, Job.__table__)
_JOB_STAGES = cast(Table, JobStage.__table__)
_INSERT_VIDEOS = (
    insert(_VIDEOS)
    .from_select(["video_id", "url"], _unnested(_VIDEOS, ["video_id", "url"]))
    .on_conflict_do_nothing()
)
_INSERT_JOBS = insert(_JOBS).from_select(_NEW_JOB_COLUMNS, _unnested(_JOBS, _NEW_JOB_COLUMNS))
_STAGE_NAMES = (
    func.unnest(literal(list(STAGES), ARRAY(String))).table_valued("stage").render_derived()
)
_LEADS = _unnested(_JOB_STAGES, ["job_id", "updated_at"]).subquery()
_INSERT_PENDING_STAGES = insert(_JOB_STAGES).from_select(
    ["job_id", "stage", "state", "updated_at"],
    select(_LEADS.c.job_id, _STAGE_NAMES.c.stage, literal("pending"), _LEADS.c.updated_at)
    .select_from(_LEADS)
    .join(_STAGE_NAMES, true()),
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
    session: AsyncSession, requests: Sequence[tuple[uuid.UUID, str, uuid.UUID, datetime]]
) -> None:
    """Put each (user id, video id, job id, time) first in the user's history;
    a later request for the same user and video wins."""
    if not requests:
        return
    statement = insert(UserHistory)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[UserHistory.user_id, UserHistory.video_id],
            set_={"job_id": statement.excluded.job_id, "created_at": statement.excluded.created_at},
        ),
        [
            {"user_id": user_id, "video_id": video_id, "job_id": job_id, "created_at": at}
            for user_id, video_id, job_id, at in requests
        ],
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


async def count_hits(
    session: AsyncSession, requests: Mapping[str, int], window_start: datetime
) -> dict[str, int]:
    """Count ``requests[key]`` more requests of each key in the window starting
    at ``window_start``, in one statement (keys in order, so concurrent counts
    never deadlock); the number counted there so far per key, these included.

    The count's commit does not wait for the WAL to reach the disk
    (``synchronous_commit`` off for this transaction only): a caller's counter
    row stays locked from the update to the commit, so waiting for a disk flush
    would let one busy caller's requests count only one flush at a time. A
    crash may forget the last fraction of a second of counts; a rate limit can
    afford that."""
    keys = sorted(requests)
    rows = await session.execute(
        _COUNT_HITS,
        {
            "key": keys,
            "hits": [requests[key] for key in keys],
            "window_start": window_start,
        },
    )
    counts: dict[str, int] = {key: hits for key, hits in rows}
    if counts.keys() != requests.keys():
        raise LookupError(f"rate-limit upsert of {keys!r} returned {sorted(counts)!r}")
    return counts


_RATE_LIMITS = cast(Table, RateLimit.__table__)
_RELAXED = select(func.set_config("synchronous_commit", "off", True)).subquery()
_COUNTED = _unnested(_RATE_LIMITS, ["key", "hits"]).subquery()
_COUNT = insert(_RATE_LIMITS).from_select(
    ["key", "window_start", "hits"],
    select(
        _COUNTED.c.key,
        bindparam("window_start", type_=_RATE_LIMITS.c.window_start.type),
        _COUNTED.c.hits,
    )
    .select_from(_RELAXED)
    .join(_COUNTED, true())
    .order_by(_COUNTED.c.key),
)
_COUNT_HITS = _COUNT.on_conflict_do_update(
    index_elements=[_RATE_LIMITS.c.key, _RATE_LIMITS.c.window_start],
    set_={"hits": _RATE_LIMITS.c.hits + _COUNT.excluded.hits},
).returning(_RATE_LIMITS.c.key, _RATE_LIMITS.c.hits)


async def forget_windows(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(RateLimit).where(RateLimit.window_start < before))
    return int(result.rowcount)  # type: ignore[attr-defined]
