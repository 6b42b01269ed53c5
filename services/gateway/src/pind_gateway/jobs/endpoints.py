"""``GET /api/v1/jobs/{job_id}``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from pind_gateway.core.deps import ContextDep
from pind_gateway.core.schemas import JobOut, error_responses
from pind_gateway.jobs import service

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


@router.get(
    "/{job_id}",
    name="get_job",
    summary="A job's state, stages, video and places",
    response_model=JobOut,
    responses=error_responses(404, 422),
)
async def get_job(job_id: uuid.UUID, context: ContextDep) -> Response:
    # Polled far more often than it changes: recent answers are kept as sent
    # (see core/cache.py for what that may serve); the JSON is made once, here.
    cache = context.job_answers
    body = cache.get(job_id)
    if body is None:
        generation = cache.generation
        async with context.reader() as session:
            view = await service.get_job(session, job_id)
        body = JobOut.of(view).model_dump_json().encode()
        cache.put(
            job_id, view.job.analysis_id, view.job.video_id, body, read_at_generation=generation
        )
    return Response(body, media_type="application/json")
