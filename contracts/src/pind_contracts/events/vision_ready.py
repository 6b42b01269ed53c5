"""``pind.vision.ready.v1``: the text a video shows on screen — or why it was
not read (the outcome fields: :mod:`pind_contracts.events.outcome`)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import ConfigDict, Field, model_validator

from pind_contracts.events.outcome import StageOutcome, outcome_schema
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


class VisionReady(StageOutcome):
    """How vision ended for one analysis: the texts the video shows
    (``outcome`` ready), or none, with the reason (failed, skipped).

    ``texts``, ``frames_sampled`` and ``engine`` were required before
    ``outcome`` existed; a ready event still carries all three, a failed or
    skipped one none of them (``[]``, ``0``, ``null``), so it cannot pass for a
    video without text."""

    model_config = ConfigDict(
        json_schema_extra=outcome_schema(["texts", "frames_sampled", "engine"])
    )

    job_id: UUID
    video_id: VideoId
    texts: list[ScreenText] = Field(
        default_factory=list, description="Distinct texts seen (ready only; empty otherwise)."
    )
    frames_sampled: int = Field(default=0, ge=0, description="Frames read (ready only).")
    engine: str | None = Field(
        default=None, description="OCR engine that read the frames (ready only)."
    )

    @model_validator(mode="after")
    def _outcome_matches_result(self) -> VisionReady:
        self._check_outcome(
            result={
                "texts": self.texts,
                "frames_sampled": self.frames_sampled,
                "engine": self.engine,
            },
            required=("engine",),
        )
        return self
