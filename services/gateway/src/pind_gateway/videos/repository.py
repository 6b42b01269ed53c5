"""The SQL of submitting videos and reading one: videos, the analyses in
flight or done, new analyses and jobs. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
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
    """Lock the videos' rows in id order, in one statement: the first step of
    the gateway's one lock order (videos by id, then analyses by id), which
    submissions and the projection both follow, so they never deadlock.
    Requests and projections of one video queue here."""
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


async def lock_analyses_of(
    session: AsyncSession, video_ids: Sequence[str], reusable: Sequence[str]
) -> tuple[dict[str, Analysis], dict[str, Analysis]]:
    """The videos' analyses in flight, and of the ``reusable`` videos with none
    in flight, the newest that ended where it succeeded; both by video id.

    Share-locked in one statement in id order, after the caller locked the
    videos: the one lock order of the gateway (videos by id, then analyses by
    id) that the projection follows too, so neither waits on the other in a
    cycle. A projection of such an analysis waits until the caller's new jobs
    are committed, so the jobs see every change of it from their start. The
    candidates are read first, unlocked; their state is read under the lock
    (an analysis that ended meanwhile is no longer in flight, and may answer)."""
    in_flight = select(Analysis.id).where(
        Analysis.video_id.in_(video_ids), Analysis.state.in_(("queued", "running"))
    )
    latest = (
        select(Analysis.id)
        .where(Analysis.video_id.in_(reusable), Analysis.finished_at.is_not(None))
        .order_by(Analysis.video_id, Analysis.finished_at.desc())
        .ext(distinct_on(Analysis.video_id))
    )
    candidates = (await session.scalars(in_flight.union(latest))).all()
    if not candidates:
        return {}, {}
    analyses = (
        await session.scalars(
            select(Analysis)
            .where(Analysis.id.in_(candidates))
            .order_by(Analysis.id)
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
    ).all()
    flying = {a.video_id: a for a in analyses if a.state in ("queued", "running")}
    ended: dict[str, tuple[datetime, Analysis]] = {}
    for a in analyses:
        if a.finished_at is None or a.video_id in flying:
            continue
        if a.video_id not in ended or a.finished_at > ended[a.video_id][0]:
            ended[a.video_id] = (a.finished_at, a)
    reuse = set(reusable)
    done = {v: a for v, (_, a) in ended.items() if v in reuse and a.state == "succeeded"}
    return flying, done


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
