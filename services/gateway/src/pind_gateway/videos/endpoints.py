"""``POST /api/v1/videos`` and ``GET /api/v1/videos/{video_id}``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from pind_gateway.core.deps import CurrentUser, ReaderDep, client_address
from pind_gateway.core.schemas import error_responses, place_out, unresolved_out, video_out
from pind_gateway.videos import service
from pind_gateway.videos.deps import BatcherDep
from pind_gateway.videos.schemas import JobAccepted, SubmitVideo, VideoPlacesOut

router = APIRouter(prefix="/api/v1/videos", tags=["videos"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Submit a YouTube link for analysis",
    description=(
        "Parses the link strictly to a video id and creates a job.\n\n"
        "- **202** `state: queued|running`: a new analysis started, or the job joined "
        "an analysis of the same video already in flight. Follow `status_url`.\n"
        "- **200** `state: succeeded`: the video was analysed before; the job is "
        "already finished with the stored places (send `refresh: true` to analyse again)."
    ),
    responses={
        200: {"model": JobAccepted, "description": "Answered from an earlier analysis"},
        **error_responses(401, 413, 422, 429),
    },
)
async def submit_video(
    body: SubmitVideo,
    request: Request,
    response: Response,
    batcher: BatcherDep,
    requester: CurrentUser,
) -> JobAccepted:
    # Parsed here: a bad link is answered (422) before anything is queued or counted.
    video_id = service.video_id_from_url(body.url)
    submission = await batcher.submit(
        service.SubmissionRequest(video_id, refresh=body.refresh, requester=requester),
        client_address(request),
    )
    job = submission.job
    status_url = request.app.url_path_for("get_job", job_id=str(job.id))
    response.headers["Location"] = status_url
    if submission.origin == "cached":
        response.status_code = status.HTTP_200_OK
    return JobAccepted(
        job_id=job.id,
        video_id=job.video_id,
        state=job.state,
        answered_from=submission.origin,
        status_url=status_url,
    )


@router.get(
    "/{video_id}",
    summary="A video's metadata and places with their evidence",
    responses=error_responses(404, 422),
)
async def get_video(video_id: str, session: ReaderDep) -> VideoPlacesOut:
    video, places = await service.get_video(session, video_id)
    return VideoPlacesOut(
        video_id=video.video_id,
        video=video_out(video),
        places=[place_out(vp, video.video_id) for vp in places],
        unresolved=[unresolved_out(u, video.video_id) for u in video.unresolved],
    )
