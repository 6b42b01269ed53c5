"""Wiring: settings -> adapters -> service -> worker."""

from __future__ import annotations

from collections.abc import Sequence

from pind_kit.worker import Worker

from pind_transcript.adapters.captions import CaptionsClient
from pind_transcript.adapters.subtitles import SubtitleDownloader
from pind_transcript.service import TranscriptService, TranscriptStep
from pind_transcript.settings import TranscriptSettings
from pind_transcript.subscribers import register


def default_steps(settings: TranscriptSettings) -> list[TranscriptStep]:
    """Captions first, then yt-dlp's subtitle files; a speech-to-text step goes last."""
    return [CaptionsClient(settings), SubtitleDownloader(settings)]


def build_worker(
    settings: TranscriptSettings | None = None,
    *,
    steps: Sequence[TranscriptStep] | None = None,
) -> Worker:
    """The transcript worker, ready to ``run()`` (or to start in a test)."""
    settings = settings or TranscriptSettings()
    worker = Worker(settings)
    service = TranscriptService(
        steps=list(steps) if steps is not None else default_steps(settings),
        languages=settings.transcript_languages,
    )
    register(worker, service)
    return worker
