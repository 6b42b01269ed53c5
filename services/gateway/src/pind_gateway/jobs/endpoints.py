"""``GET /api/v1/jobs/{job_id}``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from pind_gateway import service
from pind_gateway.deps import ReaderDep
from pind_gateway.jobs.schemas import JobOut
from pind_gateway.schemas import error_responses

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


@router.get(
    "/{job_id}",
    name="get_job",
    summary="A job's state, stages, video and places",
    responses=error_responses(404, 422),
)
async def get_job(job_id: uuid.UUID, session: ReaderDep) -> JobOut:
    return JobOut.of(await service.get_job(session, job_id))
