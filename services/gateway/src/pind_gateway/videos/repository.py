"""The SQL of submitting videos and reading one: videos, the analyses in
flight or done, new analyses and jobs. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ARRAY, String, Table, func, literal, select, true
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from pind_gateway.core.models import Analysis, AnalysisStage, Job, Video, VideoPlace
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


async def in_flight_analyses(
    session: AsyncSession, video_ids: Sequence[str]
) -> dict[str, Analysis]:
    """The videos' analyses still running, by video id.

    Share-locked: a projection of such an analysis waits until the caller's new
    jobs are committed, so the jobs see every change of it from their start."""
    analyses = await session.scalars(
        select(Analysis)
        .where(Analysis.video_id.in_(video_ids), Analysis.state.in_(("queued", "running")))
        .order_by(Analysis.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    return {analysis.video_id: analysis for analysis in analyses}


async def latest_succeeded_analyses(
    session: AsyncSession, video_ids: Sequence[str]
) -> dict[str, Analysis]:
    """Each video's newest analysis that ended, where it succeeded, by video
    id. Share-locked, as in :func:`in_flight_analyses`; the state is read
    under the lock."""
    latest = (
        select(Analysis.id)
        .where(Analysis.video_id.in_(video_ids), Analysis.finished_at.is_not(None))
        .order_by(Analysis.video_id, Analysis.finished_at.desc())
        .ext(distinct_on(Analysis.video_id))
    )
    analyses = await session.scalars(
        select(Analysis)
        .where(Analysis.id.in_(latest))
        .order_by(Analysis.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    return {a.video_id: a for a in analyses if a.state == "succeeded"}


_NEW_ANALYSIS_COLUMNS = (
    "id",
    "video_id",
    "state",
    "progress",
    "current_step",
    "created_at",
    "updated_at",
)
_NEW_JOB_COLUMNS = (
    "id",
    "video_id",
    "analysis_id",
    "origin",
    "requested_by",
    "refresh",
    "created_at",
)


async def add_jobs(
    session: AsyncSession, jobs: Sequence[Job], *, started: Sequence[Analysis]
) -> None:
    """Insert the analyses ``started`` with their stages pending, then ``jobs``
    (all as built: they are not added to the session)."""
    if started:
        await session.execute(
            _INSERT_ANALYSES,
            {c: [getattr(a, c) for a in started] for c in _NEW_ANALYSIS_COLUMNS},
        )
        await session.execute(
            _INSERT_PENDING_STAGES,
            {
                "analysis_id": [a.id for a in started],
                "updated_at": [a.created_at for a in started],
            },
        )
    await session.execute(
        _INSERT_JOBS,
        {column: [getattr(job, column) for job in jobs] for column in _NEW_JOB_COLUMNS},
    )


def _rows(table: Table, *columns: str) -> Any:
    return select(*unnest(types_of(table, *columns)).c)


_VIDEOS = cast(Table, Video.__table__)
_ANALYSES = cast(Table, Analysis.__table__)
_JOBS = cast(Table, Job.__table__)
_STAGES = cast(Table, AnalysisStage.__table__)
_INSERT_VIDEOS = (
    insert(_VIDEOS)
    .from_select(["video_id", "url"], _rows(_VIDEOS, "video_id", "url"))
    .on_conflict_do_nothing()
)
_INSERT_ANALYSES = insert(_ANALYSES).from_select(
    _NEW_ANALYSIS_COLUMNS, _rows(_ANALYSES, *_NEW_ANALYSIS_COLUMNS)
)
_INSERT_JOBS = insert(_JOBS).from_select(_NEW_JOB_COLUMNS, _rows(_JOBS, *_NEW_JOB_COLUMNS))
_STAGE_NAMES = (
    func.unnest(literal(list(STAGES), ARRAY(String))).table_valued("stage").render_derived()
)
_STARTED = _rows(_STAGES, "analysis_id", "updated_at").subquery()
_INSERT_PENDING_STAGES = insert(_STAGES).from_select(
    ["analysis_id", "stage", "state", "updated_at"],
    select(_STARTED.c.analysis_id, _STAGE_NAMES.c.stage, literal("pending"), _STARTED.c.updated_at)
    .select_from(_STARTED)
    .join(_STAGE_NAMES, true()),
)
