"""The SQL of submitting videos and reading one: videos, the analyses in
flight or done, new jobs. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ARRAY, String, Table, func, literal, select, true
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from pind_gateway.core.models import Job, JobStage, Video, VideoPlace
from pind_gateway.core.sql import types_of, unnest
from pind_gateway.domain.progress import STAGES


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


async def video_places(session: AsyncSession, video_id: str) -> Sequence[VideoPlace]:
    return (
        await session.scalars(
            select(VideoPlace)
            .where(VideoPlace.video_id == video_id)
            .options(joinedload(VideoPlace.place))
            .order_by(VideoPlace.rank)
        )
    ).all()


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


def _rows(table: Table, *columns: str) -> Any:
    return select(*unnest(types_of(table, *columns)).c)


_VIDEOS = cast(Table, Video.__table__)
_JOBS = cast(Table, Job.__table__)
_JOB_STAGES = cast(Table, JobStage.__table__)
_INSERT_VIDEOS = (
    insert(_VIDEOS)
    .from_select(["video_id", "url"], _rows(_VIDEOS, "video_id", "url"))
    .on_conflict_do_nothing()
)
_INSERT_JOBS = insert(_JOBS).from_select(_NEW_JOB_COLUMNS, _rows(_JOBS, *_NEW_JOB_COLUMNS))
_STAGE_NAMES = (
    func.unnest(literal(list(STAGES), ARRAY(String))).table_valued("stage").render_derived()
)
_LEADS = _rows(_JOB_STAGES, "job_id", "updated_at").subquery()
_INSERT_PENDING_STAGES = insert(_JOB_STAGES).from_select(
    ["job_id", "stage", "state", "updated_at"],
    select(_LEADS.c.job_id, _STAGE_NAMES.c.stage, literal("pending"), _LEADS.c.updated_at)
    .select_from(_LEADS)
    .join(_STAGE_NAMES, true()),
)
