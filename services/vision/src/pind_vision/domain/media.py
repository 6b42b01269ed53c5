"""What the service reads a video through: the downloaded media, the video's
container facts, and the error a file that is no video raises. The adapters
that fetch (:mod:`pind_vision.adapters.media`) and decode
(:mod:`pind_vision.adapters.video`) produce these; the service sees only them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class VideoUnreadable(Exception):
    """The downloaded file is not a video the frame reader can decode."""


@dataclass(frozen=True, slots=True)
class VideoInfo:
    fps: float
    frame_count: int
    width: int
    height: int

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


@dataclass(frozen=True, slots=True)
class FetchedMedia:
    """What was downloaded; the files live until the fetch context exits."""

    video_path: Path
    thumbnail_path: Path | None
    format_id: str
    width: int | None
    height: int | None
    duration_s: float | None
