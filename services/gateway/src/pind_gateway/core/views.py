"""Read models more than one feature shows: a job with everything its answer
holds, and a stored stage as the domain's snapshot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pind_gateway.core.models import AnalysisStage, Job, Video, VideoPlace
from pind_gateway.domain.progress import StageName, StageSnapshot


@dataclass(frozen=True, slots=True)
class JobView:
    """A job with everything its answer shows."""

    job: Job
    video: Video
    stages: dict[StageName, StageSnapshot]
    stage_times: dict[StageName, datetime]
    places: Sequence[VideoPlace]


def snapshot_of(row: AnalysisStage) -> StageSnapshot:
    return StageSnapshot(
        status=row.state,  # type: ignore[arg-type]
        progress=row.progress,
        reason=row.reason,
        error_code=row.error_code,
        retryable=row.retryable,
        reported_at=row.reported_at,
    )
