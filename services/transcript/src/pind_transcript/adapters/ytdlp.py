"""yt-dlp as transcript uses it: options shared by the subtitle and audio
downloads, its output routed into logs, and which of its errors may pass."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import structlog
import yt_dlp

from pind_transcript.settings import TranscriptSettings
from pind_youtube import failures, recorded
from pind_youtube.ytdlp import ALLOWED_EXTRACTORS, YtDlpLogger

log = structlog.get_logger(__name__)


def is_retryable(exc: BaseException) -> bool:
    """Blocked by YouTube, a network failure or a 5xx: may pass later
    (:mod:`pind_youtube.failures`)."""
    return failures.classify(exc).retryable


def watch_url(video_id: str) -> str:
    """The canonical watch URL: the only URL transcript ever hands to yt-dlp."""
    return f"https://www.youtube.com/watch?v={video_id}"


def ytdlp_params(settings: TranscriptSettings, workdir: Path, **extra: Any) -> dict[str, Any]:
    """Options for one request: quiet, no playlists, timeouts, every file in
    ``workdir``; the configured proxy and a private copy of the cookies file."""
    params: dict[str, Any] = {
        "quiet": True,
        "noprogress": True,
        "logger": YtDlpLogger(),
        "noplaylist": True,
        "allowed_extractors": ALLOWED_EXTRACTORS,
        "socket_timeout": settings.http_timeout_s,
        "extractor_retries": 1,
        "cachedir": False,
        "paths": {"home": str(workdir), "temp": str(workdir)},
        "outtmpl": {"default": "%(id)s.%(ext)s"},
        **extra,
    }
    if settings.youtube_proxy is not None:
        params["proxy"] = settings.youtube_proxy.get_secret_value()
    if settings.youtube_cookies_file is not None:
        copy = workdir / "cookies.txt"  # yt-dlp writes the jar back on close
        if not copy.exists():
            shutil.copyfile(settings.youtube_cookies_file, copy)
        params["cookiefile"] = str(copy)
    return params


def youtube_dl(settings: TranscriptSettings, params: dict[str, Any]) -> yt_dlp.YoutubeDL:
    """A ``YoutubeDL`` for ``params``; YouTube URLs answered by the recorded-info
    server when one is configured (the fake YouTube)."""
    ydl = yt_dlp.YoutubeDL(params)
    if settings.youtube_recorded_url:
        recorded.register(ydl, settings.youtube_recorded_url)
    return ydl
