"""What every transcript step produces, and the errors steps share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from pind_contracts.events.transcript_ready import TranscriptSegment, TranscriptSource
from pind_kit.errors import TransientError


@dataclass(frozen=True, slots=True)
class Transcript:
    """Timed text of a video in one language, and where it came from."""

    language: str
    source: TranscriptSource
    segments: tuple[TranscriptSegment, ...]


ProgressReport = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class StepContext:
    """What a step may know about the video beyond its id: the spoken language
    its metadata declares, its length, and where to report progress (0..1) of
    long work such as speech-to-text."""

    spoken_language: str | None = None
    duration_s: float | None = None
    report_progress: ProgressReport | None = None

    async def progress(self, fraction: float) -> None:
        """Report ``fraction`` (clamped to 0..1) when someone listens."""
        if self.report_progress is not None:
            await self.report_progress(min(max(fraction, 0.0), 1.0))


NO_CONTEXT = StepContext()


class YoutubeRefused(TransientError):
    """YouTube blocked the request (bot check, IP block, PO token) or could not
    be reached: may pass later or through another proxy; the kit retries."""


def clean_segment_text(text: str) -> str:
    """One line of caption text: line breaks and runs of spaces become one space."""
    return " ".join(text.split())


def segments_from(
    timed_texts: Iterable[tuple[float, float, str]],
) -> tuple[TranscriptSegment, ...]:
    """Segments from ``(start_s, duration_s, text)``; empty texts are dropped,
    negative durations clamped to zero."""
    segments = []
    for start_s, duration_s, text in timed_texts:
        cleaned = clean_segment_text(text)
        if cleaned:
            segments.append(
                TranscriptSegment(
                    start_s=max(start_s, 0.0), duration_s=max(duration_s, 0.0), text=cleaned
                )
            )
    return tuple(segments)
