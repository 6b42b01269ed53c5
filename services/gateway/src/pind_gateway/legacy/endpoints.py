"""The first backend's HTTP endpoints (legacy-clients.md)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter

from pind_gateway.core.deps import ContextDep, GatewayContext, ReaderDep, SessionDep, SignedInUser
from pind_gateway.core.schemas import error_responses
from pind_gateway.domain.requester import Requester
from pind_gateway.history import service as history
from pind_gateway.jobs import service as jobs
from pind_gateway.legacy.schemas import (
    LegacyHistoryItem,
    LegacyJobResult,
    LegacyJobStatus,
    LegacyProcess,
    LegacyProcessResult,
    LegacyVideo,
    LegacyVideoPlaces,
    job_result,
    job_status,
    legacy_history_item,
    legacy_places,
    legacy_video,
    process_result,
)
from pind_gateway.limits.deps import QuotedGuest, QuotedUser
from pind_gateway.videos import service as videos

router = APIRouter(prefix="/api/v1", tags=["legacy"])

HISTORY_LIMIT = 500

_PROCESS_DESCRIPTION = (
    "Submits the link and holds the request until the analysis ends, for at most "
    "`PIND_PROCESS_WAIT_S` seconds; a video analysed before answers at once "
    "(`mode: db`). Past the limit the answer carries the job id and a running "
    "status (`PENDING`/`STARTED`/`PROGRESS`): poll `/api/v1/jobs/{job_id}/status`."
)


@router.get(
    "/jobs/{job_id}/status",
    summary="A job's status, in the first backend's words",
    responses=error_responses(404, 422),
)
async def legacy_job_status(job_id: uuid.UUID, session: ReaderDep) -> LegacyJobStatus:
    view = await jobs.get_job(session, job_id)
    return job_status(view.job)


@router.get(
    "/jobs/{job_id}/result",
    summary="A job's places and video, in the first backend's words",
    responses=error_responses(404, 422),
)
async def legacy_job_result(job_id: uuid.UUID, session: ReaderDep) -> LegacyJobResult:
    return job_result(await jobs.get_job(session, job_id))


@router.get(
    "/youtube/places/{video_id}",
    summary="A video's places",
    responses=error_responses(404, 422),
)
async def legacy_video_places(video_id: str, session: ReaderDep) -> LegacyVideoPlaces:
    video, places = await videos.get_video(session, video_id)
    return LegacyVideoPlaces(video=legacy_video(video), places=legacy_places(places))


@router.get(
    "/youtube/video/{video_id}",
    summary="A video's title and thumbnail",
    responses=error_responses(404, 422),
)
async def legacy_video_info(video_id: str, session: ReaderDep) -> LegacyVideo:
    video, _places = await videos.get_video(session, video_id)
    return legacy_video(video)


@router.post(
    "/youtube/process",
    summary="Analyse a video and answer with its places",
    description=_PROCESS_DESCRIPTION,
    responses=error_responses(401, 413, 422, 429),
)
async def legacy_process(
    body: LegacyProcess, session: SessionDep, context: ContextDep, requester: QuotedUser
) -> LegacyProcessResult:
    return await _process(body, session, context, requester)


@router.post(
    "/youtube/without-login/process",
    summary="Analyse a video as a guest (kept out of any history)",
    description=_PROCESS_DESCRIPTION,
    responses=error_responses(401, 413, 422, 429),
)
async def legacy_guest_process(
    body: LegacyProcess, session: SessionDep, context: ContextDep, guest: QuotedGuest
) -> LegacyProcessResult:
    return await _process(body, session, context, guest)


async def _process(
    body: LegacyProcess,
    session: SessionDep,
    context: GatewayContext,
    requester: Requester,
) -> LegacyProcessResult:
    settings = context.settings
    async with session.begin():
        submission = await videos.submit_video(
            session,
            url=body.url,
            refresh=False,
            requester=requester,
            stale_after=timedelta(seconds=settings.analysis_stale_after_s),
        )
    await jobs.wait_until_finished(
        context.sessionmaker,
        context.watch,
        submission.job,
        timeout_s=settings.process_wait_s,
        db_check_s=settings.process_db_check_s,
    )
    async with context.reader() as fresh:
        return process_result(await jobs.get_job(fresh, submission.job.id))


async def _legacy_history(user_id: SignedInUser, session: ReaderDep) -> list[LegacyHistoryItem]:
    return [
        legacy_history_item(entry)
        for entry in await history.entries(session, user_id, HISTORY_LIMIT)
    ]


router.add_api_route(
    "/users/history",
    _legacy_history,
    methods=["GET"],
    summary="Your history, in the first backend's shape",
    responses=error_responses(401),
    response_model=list[LegacyHistoryItem],
)
router.add_api_route(
    "/youtube/history",
    _legacy_history,
    methods=["GET"],
    summary="Your history (older name)",
    responses=error_responses(401),
    response_model=list[LegacyHistoryItem],
)
