"""The first backend's Celery-style job vocabulary, derived from our job state."""

from __future__ import annotations

from typing import Literal

from pind_gateway.domain.progress import JobState

LegacyStatus = Literal["PENDING", "STARTED", "PROGRESS", "SUCCESS", "FAILURE"]


def legacy_status(state: JobState, progress: int) -> LegacyStatus:
    """``SUCCESS``/``FAILURE`` once the job ended (a partial result has places, so
    it is a success to these clients), else ``PENDING``/``STARTED``/``PROGRESS``."""
    if state in ("succeeded", "partial"):
        return "SUCCESS"
    if state == "failed":
        return "FAILURE"
    if state == "queued":
        return "PENDING"
    return "PROGRESS" if progress > 0 else "STARTED"
