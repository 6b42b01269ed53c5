"""``pind.vision.ready.v1``: the text a video shows on screen."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from pind_contracts.types import Confidence, Contract, Seconds, VideoId


class TextBox(Contract):
    """Where the text was, in pixels of the sampled frame."""

    x: int
    y: int
    width: int
    height: int
    frame_width: int
    frame_height: int


class ScreenText(Contract):
    """One distinct text seen on screen, merged across the frames showing it."""

    text: str
    lang: str | None = None
    first_seen_s: Seconds
    last_seen_s: Seconds | None = None
    confidence: Confidence
    box: TextBox | None = None
    source: Literal["frame", "thumbnail"] = "frame"


class VisionReady(Contract):
    job_id: UUID
    video_id: VideoId
    texts: list[ScreenText]
    frames_sampled: int = Field(ge=0)
    engine: str = Field(description="OCR engine that read the frames.")
