"""Subtitle tracks through yt-dlp: the fallback when the captions API has none.

Two passes, both blocking and run in a worker thread under one timeout:
read the info dict (no media, no format selection), choose a track with the
same rules as the captions API, then let yt-dlp write that one WebVTT file
(``skip_download`` + ``writesubtitles`` or ``writeautomaticsub``) into a
temporary directory, and parse it.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import structlog
import yt_dlp
from yt_dlp.utils import DownloadError, ExtractorError

from pind_transcript.adapters.ytdlp import is_retryable, watch_url, youtube_dl, ytdlp_params
from pind_transcript.domain.choice import AvailableTrack, TrackChoice, choose_track
from pind_transcript.domain.transcript import (
    NO_CONTEXT,
    StepContext,
    Transcript,
    YoutubeRefused,
    segments_from,
)
from pind_transcript.domain.webvtt import WebVTTError, webvtt_segments
from pind_transcript.settings import TranscriptSettings

log = structlog.get_logger(__name__)


def _has_vtt(formats: object) -> bool:
    return isinstance(formats, list) and any(
        isinstance(f, Mapping) and f.get("ext") == "vtt" for f in formats
    )


def _is_translation(formats: object) -> bool:
    """YouTube's machine translations of the speech track carry ``tlang=``."""
    return isinstance(formats, list) and any(
        isinstance(f, Mapping)
        and isinstance(f.get("url"), str)
        and "tlang" in parse_qs(urlsplit(f["url"]).query)
        for f in formats
    )


def subtitle_tracks(info: Mapping[str, Any]) -> list[AvailableTrack]:
    """The WebVTT tracks that exist: manual from ``subtitles``, generated from
    ``automatic_captions`` without YouTube's translations and ``-orig`` aliases."""
    tracks: list[AvailableTrack] = []
    manual = info.get("subtitles")
    if isinstance(manual, Mapping):
        tracks += [
            AvailableTrack(lang=lang, kind="manual")
            for lang, formats in manual.items()
            if lang != "live_chat" and _has_vtt(formats)
        ]
    generated = info.get("automatic_captions")
    if isinstance(generated, Mapping):
        tracks += [
            AvailableTrack(lang=lang, kind="generated")
            for lang, formats in generated.items()
            if not lang.endswith("-orig") and _has_vtt(formats) and not _is_translation(formats)
        ]
    return tracks


class SubtitleDownloader:
    """Reads the best WebVTT subtitle track of a video with yt-dlp."""

    name = "subtitles"
    is_speech = False

    def __init__(self, settings: TranscriptSettings) -> None:
        self._settings = settings

    async def transcribe(
        self, video_id: str, languages: Sequence[str], context: StepContext = NO_CONTEXT
    ) -> Transcript | None:
        """Subtitles of ``video_id`` (manual before generated, preferred languages
        first, else any language), or None when there are none."""
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self._fetch_blocking, video_id, tuple(languages)),
                timeout=self._settings.subtitles_timeout_s,
            )
        except TimeoutError as exc:
            limit = self._settings.subtitles_timeout_s
            raise YoutubeRefused(f"yt-dlp's subtitles did not arrive within {limit:.0f} s") from exc

    def _params(self, workdir: Path, **extra: Any) -> dict[str, Any]:
        return ytdlp_params(self._settings, workdir, skip_download=True, **extra)

    def _youtube_dl(self, params: dict[str, Any]) -> yt_dlp.YoutubeDL:
        return youtube_dl(self._settings, params)

    def _fetch_blocking(self, video_id: str, languages: tuple[str, ...]) -> Transcript | None:
        url = watch_url(video_id)
        with tempfile.TemporaryDirectory(prefix="pind-subs-") as tmp:
            workdir = Path(tmp)
            try:
                with self._youtube_dl(self._params(workdir)) as ydl:
                    info = ydl.extract_info(url, download=False, process=False)
                if not isinstance(info, dict):
                    return None
                choice = choose_track(subtitle_tracks(info), languages)
                if choice is None:
                    log.info("no subtitle tracks", video_id=video_id)
                    return None
                path = self._write_track(workdir, info, choice)
            except (DownloadError, ExtractorError) as exc:
                if is_retryable(exc):
                    raise YoutubeRefused(f"yt-dlp could not read subtitles: {exc}") from exc
                log.info("subtitles not available", video_id=video_id, error=str(exc))
                return None
            if path is None:
                log.warning("yt-dlp wrote no subtitle file", video_id=video_id, track=choice.track)
                return None
            try:
                segments = webvtt_segments(path.read_text(encoding="utf-8", errors="replace"))
            except WebVTTError as exc:
                log.warning("subtitle file is not WebVTT", video_id=video_id, error=str(exc))
                return None
        log.info(
            "subtitles read",
            video_id=video_id,
            track=choice.track.lang,
            kind=choice.track.kind,
            segments=len(segments),
        )
        return Transcript(
            language=choice.language,
            source="subtitles",
            segments=segments_from(
                (s.start_ms / 1000, s.duration_ms / 1000, s.text) for s in segments
            ),
        )

    def _write_track(self, workdir: Path, info: dict[str, Any], choice: TrackChoice) -> Path | None:
        manual = choice.track.kind == "manual"
        params = self._params(
            workdir,
            writesubtitles=manual,
            writeautomaticsub=not manual,
            subtitleslangs=[choice.track.lang],
            subtitlesformat="vtt",
            # Formats do not matter for subtitles; do not fail on them.
            ignore_no_formats_error=True,
        )
        with self._youtube_dl(params) as ydl:
            processed = ydl.process_ie_result(info, download=True)
        requested = (processed or {}).get("requested_subtitles") or {}
        written = (requested.get(choice.track.lang) or {}).get("filepath")
        if isinstance(written, str) and Path(written).is_file():
            return Path(written)
        found = sorted(workdir.glob(f"*.{choice.track.lang}.vtt"))
        return found[0] if found else None
