"""The last transcript step: download the audio and let Whisper listen.

Download, decoding and recognition block, so each runs in a worker thread;
between chunks control returns to the event loop, which reports progress.
The audio lives in a fresh temporary folder that is removed however the step
ends (success, error, cancellation).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path

import structlog
from prometheus_client import Counter

from pind_contracts import TranscriptSegment
from pind_transcript.adapters.audio import (
    AudioUnavailable,
    audio_duration_s,
    decode_blocks,
    download_audio,
)
from pind_transcript.adapters.whisper import SUPPORTED_LANGUAGES, WhisperRecogniser
from pind_transcript.domain.speech import AudioChunk, speech_language, split_stream
from pind_transcript.domain.transcript import (
    NO_CONTEXT,
    StepContext,
    Transcript,
    YoutubeRefused,
    segments_from,
)
from pind_transcript.settings import TranscriptSettings

log = structlog.get_logger(__name__)

SPEECH_SECONDS = Counter("pind_speech_audio_seconds_total", "Seconds of audio Whisper listened to")
SPEECH_CHUNKS = Counter("pind_speech_chunks_total", "Audio chunks Whisper transcribed")


class SpeechToText:
    """Whisper on the video's audio, in chunks (see module docstring)."""

    name = "speech"
    is_speech = True

    def __init__(
        self, settings: TranscriptSettings, recogniser: WhisperRecogniser | None = None
    ) -> None:
        self._settings = settings
        self._recogniser = recogniser or WhisperRecogniser(settings)

    async def transcribe(
        self, video_id: str, languages: Sequence[str], context: StepContext = NO_CONTEXT
    ) -> Transcript | None:
        """What is said in ``video_id``, or None when it has no audio we may
        download or nobody speaks; raises :class:`YoutubeRefused` when YouTube
        blocks the download."""
        language = speech_language(context.spoken_language, languages, SUPPORTED_LANGUAGES)
        work_root = self._settings.speech_work_dir
        if work_root is not None:
            work_root.mkdir(parents=True, exist_ok=True)
        # After a download timeout yt-dlp's thread may still be writing; a failed
        # clean-up must not hide the timeout itself.
        with tempfile.TemporaryDirectory(
            prefix="pind-audio-", dir=work_root, ignore_cleanup_errors=True
        ) as tmp:
            try:
                audio = await self._download(video_id, Path(tmp))
                return await self._recognise(video_id, audio, language, context)
            except AudioUnavailable as exc:
                log.info("no audio to transcribe", video_id=video_id, reason=str(exc))
                return None

    async def _download(self, video_id: str, workdir: Path) -> Path:
        limit = self._settings.speech_download_timeout_s
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(download_audio, self._settings, video_id, workdir), limit
            )
        except TimeoutError as exc:
            raise YoutubeRefused(f"the audio did not arrive within {limit:.0f} s") from exc

    async def _recognise(
        self, video_id: str, audio: Path, language: str | None, context: StepContext
    ) -> Transcript | None:
        total_s = context.duration_s or await asyncio.to_thread(audio_duration_s, audio)
        timed: list[tuple[float, float, str]] = []
        heard: str | None = None
        with closing(split_stream(decode_blocks(audio), self._settings.speech_chunk_s)) as chunks:
            while (chunk := await asyncio.to_thread(_next_chunk, chunks)) is not None:
                recognised = await asyncio.to_thread(self._recogniser.recognise, chunk, language)
                heard = heard or recognised.language
                SPEECH_SECONDS.inc(chunk.duration_s)
                SPEECH_CHUNKS.inc()
                timed += [(s.start_s, s.end_s - s.start_s, s.text) for s in recognised.segments]
                done_s = chunk.offset_s + chunk.duration_s
                log.info(
                    "speech chunk transcribed",
                    video_id=video_id,
                    until_s=round(done_s, 1),
                    segments=len(recognised.segments),
                )
                if total_s:
                    await context.progress(done_s / total_s)
        segments: tuple[TranscriptSegment, ...] = segments_from(timed)
        if not segments:
            return None
        return Transcript(language=language or heard or "und", source="speech", segments=segments)


def _next_chunk(chunks: Iterator[AudioChunk]) -> AudioChunk | None:
    return next(chunks, None)
