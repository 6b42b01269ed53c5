"""Submitting videos (start an analysis, join one in flight, or answer from
the database) and reading a video. Callers own the transaction; nothing here
commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from pind_contracts import VIDEO_REQUESTED, AnalysisOptions, Envelope, VideoRequested
from pind_gateway.core.errors import InvalidVideoUrlError, VideoNotFound
from pind_gateway.core.models import Analysis, Job, Video, VideoPlace
from pind_gateway.domain.requester import Requester
from pind_gateway.domain.video_url import (
    InvalidVideoUrl,
    VideoId,
    canonical_url,
    parse_video_id,
    parse_video_url,
)
from pind_gateway.history import service as history
from pind_gateway.projection import service as projection
from pind_gateway.videos import repository as repo
from pind_kit.outbox import OutboxEvent, enqueue_many
from pind_kit.tracing import current_traceparent

log = structlog.get_logger(__name__)

PRODUCER = "gateway"
Origin = Literal["new", "joined", "cached"]


@dataclass(frozen=True, slots=True)
class Submission:
    job: Job
    origin: Origin


def video_id_from_url(url: str) -> VideoId:
    try:
        return parse_video_url(url)
    except InvalidVideoUrl as exc:
        raise InvalidVideoUrlError(exc.reason) from exc


@dataclass(frozen=True, slots=True)
class SubmissionRequest:
    """One request to analyse a video, its link already parsed."""

    video_id: VideoId
    refresh: bool = False
    requester: Requester = field(default_factory=Requester)
    languages: tuple[str, ...] = ()
    traceparent: str | None = field(default_factory=current_traceparent)
    """The request's span, taken where the request is made: the batcher
    writes the event from its own task, outside the request's context."""


async def submit_video(
    session: AsyncSession,
    *,
    url: str,
    refresh: bool,
    requester: Requester,
    stale_after: timedelta,
    languages: Sequence[str] | None = None,
) -> Submission:
    """Create a job for the video ``url`` points at: :func:`submit_videos` of one."""
    request = SubmissionRequest(video_id_from_url(url), refresh, requester, tuple(languages or ()))
    [submission] = await submit_videos(session, [request], stale_after=stale_after)
    return submission


async def submit_videos(
    session: AsyncSession, requests: Sequence[SubmissionRequest], *, stale_after: timedelta
) -> list[Submission]:
    """Create a job for each request, as if they came one after another in order.

    - an analysis of the video is in flight: the job joins it (an analysis in
      flight that reported nothing for ``stale_after`` is ended as failed and
      replaced by a new one);
    - the video's last analysis succeeded and no refresh was asked: the job is
      created already succeeded, answered from the database;
    - otherwise a new analysis starts: the analysis, its stages, the job and
      the ``pind.video.requested.v1`` outbox row are written together; a later
      request for the same video in ``requests`` joins it.

    Signed-in requesters get the video in their history. Set-based: a few
    statements whatever the number of requests.
    """
    now = datetime.now(UTC)
    video_ids = sorted({request.video_id for request in requests})
    await repo.ensure_videos(session, {video_id: canonical_url(video_id) for video_id in video_ids})
    await repo.lock_videos(session, video_ids)  # one submission per video at a time

    # Then their analyses, in one statement: videos before analyses, each by id,
    # is the order the projection locks in too.
    reusable = sorted({r.video_id for r in requests if not r.refresh})
    flying, done = await repo.lock_analyses_of(session, video_ids, reusable)
    stale = {v: a for v, a in flying.items() if now - a.updated_at > stale_after}
    if stale:
        await _end_stale(session, stale, now, stale_after)
        flying = {v: a for v, a in flying.items() if v not in stale}

    submissions: list[Submission] = []
    for request in requests:
        submission = _decide(request, flying.get(request.video_id), done, now)
        if submission.origin == "new":
            flying[request.video_id] = submission.job.analysis
        submissions.append(submission)
        log.info(
            "video submitted",
            job_id=str(submission.job.id),
            video_id=request.video_id,
            origin=submission.origin,
        )

    await repo.add_jobs(
        session,
        [s.job for s in submissions],
        started=[s.job.analysis for s in submissions if s.origin == "new"],
    )
    await enqueue_many(
        session,
        [
            _analysis_request(s.job, request)
            for s, request in zip(submissions, requests, strict=True)
            if s.origin == "new"
        ],
    )
    await history.record(
        session,
        [
            (request.requester.user_id, request.video_id, s.job.id, now)
            for s, request in zip(submissions, requests, strict=True)
            if request.requester.user_id is not None
        ],
    )
    return submissions


def _decide(
    request: SubmissionRequest,
    flying: Analysis | None,
    done: Mapping[str, Analysis],
    now: datetime,
) -> Submission:
    job_id = uuid.uuid4()
    if flying is not None:
        return Submission(_job(job_id, request, flying, "joined", now), "joined")
    if not request.refresh and (succeeded := done.get(request.video_id)) is not None:
        return Submission(_job(job_id, request, succeeded, "cached", now), "cached")
    started = Analysis(
        id=job_id,  # the id the workers' events carry as their job id
        video_id=request.video_id,
        state="queued",
        progress=0,
        current_step="queued",
        created_at=now,
        updated_at=now,
    )
    return Submission(_job(job_id, request, started, "new", now), "new")


def _job(
    job_id: uuid.UUID, request: SubmissionRequest, analysis: Analysis, origin: Origin, now: datetime
) -> Job:
    return Job(
        id=job_id,
        video_id=request.video_id,
        analysis_id=analysis.id,
        analysis=analysis,
        origin=origin,
        requested_by=request.requester.user_id,
        refresh=request.refresh,
        created_at=now,
    )


def _analysis_request(job: Job, request: SubmissionRequest) -> OutboxEvent:
    options = AnalysisOptions(refresh=request.refresh)
    if request.languages:
        options = AnalysisOptions(refresh=request.refresh, languages=list(request.languages))
    event = VideoRequested(
        job_id=job.id,
        video_id=request.video_id,
        url=canonical_url(request.video_id),
        requested_by=request.requester.user_id,
        requested_at=job.created_at,
        options=options,
    )
    envelope = Envelope(
        type=VIDEO_REQUESTED.event_type,
        producer=PRODUCER,
        subject=request.video_id,
        schema_version=VIDEO_REQUESTED.schema_version,
        job_id=job.id,
        correlation_id=str(job.id),
        traceparent=request.traceparent,
    )
    return OutboxEvent(VIDEO_REQUESTED, event, envelope)


async def _end_stale(
    session: AsyncSession, stale: dict[str, Analysis], now: datetime, stale_after: timedelta
) -> None:
    minutes = int(stale_after.total_seconds() // 60)
    await projection.fail_analyses(
        session,
        [analysis.id for analysis in stale.values()],
        lambda last_step: (
            f"the analysis stopped reporting progress for over {minutes} minute(s) "
            f"(last step: {last_step}); it was replaced by a new one"
        ),
        now,
    )
    for video_id, analysis in stale.items():
        log.warning("stale analysis ended", analysis_id=str(analysis.id), video_id=video_id)


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
