"""Small value types shared by every event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

VIDEO_ID_PATTERN = r"^[A-Za-z0-9_-]{11}$"

VideoId = Annotated[str, StringConstraints(pattern=VIDEO_ID_PATTERN)]
"""A YouTube video id: exactly 11 characters of ``[A-Za-z0-9_-]``."""

Stage = Literal["ingest", "transcript", "vision", "geo"]
"""A step of the analysis pipeline; each is owned by one worker service."""

Seconds = Annotated[float, Field(ge=0)]
Confidence = Annotated[float, Field(ge=0, le=1)]


def _require_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamps must carry a timezone")
    return value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_require_utc)]


class Contract(BaseModel):
    """Base of every event payload: immutable, strict about unknown fields on
    our side, yet tolerant readers (``extra='ignore'``) so a producer may add
    optional fields without breaking older consumers."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=False)
