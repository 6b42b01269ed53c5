"""``pind.job.stage.v1``: progress of one stage of one analysis."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from pind_contracts.types import Confidence, Contract, Stage, VideoId

StageState = Literal["started", "progress", "succeeded", "failed", "skipped"]


class JobStage(Contract):
    """A stage started, moved, ended or was skipped. ``reason`` is for people."""

    job_id: UUID
    video_id: VideoId
    stage: Stage
    state: StageState
    progress: Confidence = Field(default=0.0, description="0..1 within the stage.")
    reason: str | None = Field(default=None, description="Readable cause for failed/skipped.")
    retryable: bool = Field(default=False, description="Whether trying again later may succeed.")
    error_code: str | None = Field(default=None, description="Stable machine code, e.g. 'private'.")
