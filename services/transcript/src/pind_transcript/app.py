"""Wiring: settings -> adapters -> service -> worker."""

from __future__ import annotations

from collections.abc import Sequence

from pind_kit.consume import Worker
from pind_transcript.adapters.captions import CaptionsClient
from pind_transcript.adapters.speech_to_text import SpeechToText
from pind_transcript.adapters.subtitles import SubtitleDownloader
from pind_transcript.adapters.whisper import WhisperRecogniser
from pind_transcript.service import TranscriptService, TranscriptStep
from pind_transcript.settings import TranscriptSettings
from pind_transcript.subscribers import register


def default_steps(
    settings: TranscriptSettings, *, recogniser: WhisperRecogniser | None = None
) -> list[TranscriptStep]:
    """Captions first, then yt-dlp's subtitle files, then (when enabled)
    Whisper on the audio (``recogniser`` shares a loaded model)."""
    steps: list[TranscriptStep] = [CaptionsClient(settings), SubtitleDownloader(settings)]
    if settings.speech_enabled:
        steps.append(SpeechToText(settings, recogniser))
    return steps


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
    register(worker, service, concurrency=settings.consume_concurrency)
    return worker
