"""What the API does: submit a video (start, join or answer from the database)
and read jobs and videos. Callers own the transaction; nothing here commits."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_contracts import VIDEO_REQUESTED, AnalysisOptions, Envelope, VideoRequested
from pind_gateway import repository as repo
from pind_gateway.domain.progress import (
    FINAL_JOB_STATES,
    STAGES,
    JobStatus,
    StageName,
    StageSnapshot,
    derive_job_status,
)
from pind_gateway.domain.video_url import (
    InvalidVideoUrl,
    VideoId,
    canonical_url,
    parse_video_id,
    parse_video_url,
)
from pind_gateway.errors import InvalidVideoUrlError, JobNotFound, VideoNotFound
from pind_gateway.models import Job, JobStage, Video, VideoPlace
from pind_gateway.watch import AnalysisWatch
from pind_kit.outbox import enqueue

log = structlog.get_logger(__name__)

PRODUCER = "gateway"
Origin = Literal["new", "joined", "cached"]


@dataclass(frozen=True, slots=True)
class Requester:
    """Who asks: a signed-in user's id, or nobody (guest)."""

    user_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Submission:
    job: Job
    origin: Origin


@dataclass(frozen=True, slots=True)
class JobView:
    """A job with everything its answer shows."""

    job: Job
    video: Video
    stages: dict[StageName, StageSnapshot]
    stage_times: dict[StageName, datetime]
    places: Sequence[VideoPlace]


def video_id_from_url(url: str) -> VideoId:
    try:
        return parse_video_url(url)
    except InvalidVideoUrl as exc:
        raise InvalidVideoUrlError(exc.reason) from exc


async def submit_video(
    session: AsyncSession,
    *,
    url: str,
    refresh: bool,
    requester: Requester,
    stale_after: timedelta,
    languages: Sequence[str] | None = None,
) -> Submission:
    """Create a job for the video ``url`` points at.

    - an analysis of the video is in flight: the job joins it;
    - the video's last analysis succeeded and no refresh was asked: the job is
      created already succeeded, answered from the database;
    - otherwise a new analysis starts: the job, its stages and the
      ``pind.video.requested.v1`` outbox row are written together.
    """
    video_id = video_id_from_url(url)
    now = datetime.now(UTC)
    await repo.ensure_video(session, video_id, canonical_url(video_id))
    await repo.lock_video(session, video_id)  # one submission per video at a time

    flying = await repo.in_flight_analysis(session, video_id)
    if flying is not None and now - flying.updated_at > stale_after:
        await _end_stale(session, flying, now, stale_after)
        flying = None

    job_id = uuid.uuid4()
    if flying is not None:
        job = _job(job_id, video_id, flying.id, "joined", requester, refresh, now, flying)
        await repo.add_job(session, job, with_stages=False)
        origin: Origin = "joined"
    elif not refresh and (done := await repo.latest_succeeded_analysis(session, video_id)):
        job = _job(job_id, video_id, done.id, "cached", requester, refresh, now, done)
        job.finished_at = now
        await repo.add_job(session, job, with_stages=False)
        origin = "cached"
    else:
        job = _job(job_id, video_id, job_id, "new", requester, refresh, now, None)
        await repo.add_job(session, job, with_stages=True)
        await _request_analysis(session, job, requester, refresh, languages)
        origin = "new"

    if requester.user_id is not None:
        await repo.record_history(session, requester.user_id, video_id, job.id, now)
    log.info("video submitted", job_id=str(job.id), video_id=video_id, origin=origin)
    return Submission(job, origin)


def _job(
    job_id: uuid.UUID,
    video_id: str,
    analysis_id: uuid.UUID,
    origin: Origin,
    requester: Requester,
    refresh: bool,
    now: datetime,
    follows: Job | None,
) -> Job:
    return Job(
        id=job_id,
        video_id=video_id,
        analysis_id=analysis_id,
        origin=origin,
        requested_by=requester.user_id,
        refresh=refresh,
        state=follows.state if follows else "queued",
        progress=follows.progress if follows else 0,
        current_step=follows.current_step if follows else "queued",
        error=follows.error if follows else None,
        created_at=now,
        updated_at=now,
    )


async def _request_analysis(
    session: AsyncSession,
    job: Job,
    requester: Requester,
    refresh: bool,
    languages: Sequence[str] | None,
) -> None:
    video_id = parse_video_id(job.video_id)
    options = AnalysisOptions(refresh=refresh)
    if languages:
        options = AnalysisOptions(refresh=refresh, languages=list(languages))
    event = VideoRequested(
        job_id=job.id,
        video_id=video_id,
        url=canonical_url(video_id),
        requested_by=requester.user_id,
        requested_at=job.created_at,
        options=options,
    )
    envelope = Envelope(
        type=VIDEO_REQUESTED.event_type,
        producer=PRODUCER,
        subject=video_id,
        schema_version=VIDEO_REQUESTED.schema_version,
        job_id=job.id,
        correlation_id=str(job.id),
    )
    await enqueue(session, VIDEO_REQUESTED, event, envelope)


async def _end_stale(
    session: AsyncSession, lead: Job, now: datetime, stale_after: timedelta
) -> None:
    minutes = int(stale_after.total_seconds() // 60)
    stages = await snapshots(session, lead.id)
    status = derive_job_status(stages, lead.places_found)
    await repo.save_analysis_status(
        session,
        lead.id,
        JobStatus(
            "failed",
            100,
            f"the analysis stopped reporting progress for over {minutes} minute(s) "
            f"(last step: {status.current_step}); it was replaced by a new one",
            "failed",
        ),
        now,
    )
    await repo.mark_timed_out(session, lead.id, now)
    log.warning("stale analysis ended", analysis_id=str(lead.id), video_id=lead.video_id)


async def snapshots(
    session: AsyncSession, analysis_id: uuid.UUID
) -> dict[StageName, StageSnapshot]:
    rows = await repo.stages_of(session, analysis_id)
    return {name: snapshot_of(rows[name]) for name in STAGES if name in rows}


def snapshot_of(row: JobStage) -> StageSnapshot:
    return StageSnapshot(
        status=row.state,  # type: ignore[arg-type]
        progress=row.progress,
        reason=row.reason,
        error_code=row.error_code,
        retryable=row.retryable,
        reported_at=row.reported_at,
    )


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> JobView:
    job = await repo.get_job(session, job_id)
    if job is None:
        raise JobNotFound(job_id)
    rows = await repo.stages_of(session, job.analysis_id)
    stages = {name: snapshot_of(rows[name]) if name in rows else StageSnapshot() for name in STAGES}
    times = {name: rows[name].updated_at if name in rows else job.created_at for name in STAGES}
    places = await repo.video_places(session, job.video_id)
    return JobView(job, job.video, stages, times, places)


async def get_video(session: AsyncSession, video_id: str) -> tuple[Video, Sequence[VideoPlace]]:
    """A video we know of, with its places (possibly none yet)."""
    try:
        checked = parse_video_id(video_id)
    except InvalidVideoUrl as exc:
        raise InvalidVideoUrlError(exc.reason) from exc
    video = await repo.get_video(session, checked)
    if video is None:
        raise VideoNotFound(checked)
    return video, await repo.video_places(session, checked)


async def wait_until_finished(
    sessionmaker: async_sessionmaker[AsyncSession],
    watch: AnalysisWatch,
    job: Job,
    *,
    timeout_s: float,
    db_check_s: float,
) -> bool:
    """Hold until ``job`` ended or ``timeout_s`` passed; True if it ended.

    Woken at once by this process's projection; re-reads the database every
    ``db_check_s`` for results another gateway instance projected.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    with watch.subscribe(job.analysis_id) as changed:
        while True:
            changed.clear()  # before reading, so a notify after the read is not lost
            async with sessionmaker() as session:
                state = await repo.job_state(session, job.id)
            if state is None or state in FINAL_JOB_STATES:
                return state is not None
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=min(db_check_s, remaining))
