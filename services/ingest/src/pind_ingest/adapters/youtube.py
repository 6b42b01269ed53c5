"""YouTube metadata through yt-dlp, without downloading any media.

yt-dlp is blocking; each read runs in a worker thread under an overall
timeout, with ``socket_timeout`` bounding every network operation inside it.
A ``YoutubeDL`` is reused from read to read (:mod:`pind_youtube.pool`):
building one and its HTTP handler (SSL context, CA bundle) costs far more
than reading a video's metadata.
Only the canonical watch URL built from the video id is ever handed to
yt-dlp, so a user's input never chooses the host we talk to.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Any

import structlog
from yt_dlp.utils import DownloadError, ExtractorError

from pind_contracts.types import VIDEO_ID_PATTERN
from pind_ingest.domain.failures import MetadataUnreadable, YoutubeUnreachable, ingest_error
from pind_ingest.domain.metadata import watch_url
from pind_ingest.settings import IngestSettings
from pind_youtube import failures as youtube_failures
from pind_youtube.pool import YoutubeDLPool
from pind_youtube.ytdlp import ALLOWED_EXTRACTORS, YtDlpLogger

log = structlog.get_logger(__name__)


def classify(exc: BaseException) -> Exception:
    """The typed error for an exception yt-dlp raised."""
    return ingest_error(youtube_failures.classify(exc))


class YoutubeMetadataReader:
    """Reads one video's info dict (title, captions, chapters, ...) with yt-dlp."""

    def __init__(self, settings: IngestSettings) -> None:
        self._settings = settings
        self._pool = YoutubeDLPool(
            self._params, recorded_url=settings.youtube_recorded_url, prefix="pind-ingest-"
        )

    def close(self) -> None:
        """Close the idle downloaders (a read in flight closes its own)."""
        self._pool.close()

    async def read(self, video_id: str) -> dict[str, Any]:
        """The raw info dict of ``video_id``; raises the errors of
        :mod:`pind_ingest.domain.failures`."""
        if not _is_video_id(video_id):
            raise ValueError(f"not a YouTube video id: {video_id!r}")
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self._read_blocking, video_id),
                timeout=self._settings.metadata_timeout_s,
            )
        except TimeoutError as exc:
            raise YoutubeUnreachable(
                f"YouTube did not answer within {self._settings.metadata_timeout_s:.0f} s"
            ) from exc

    def _params(self, workdir: Path) -> dict[str, Any]:
        settings = self._settings
        params: dict[str, Any] = {
            "quiet": True,
            "no_warnings": False,
            "noprogress": True,
            "logger": YtDlpLogger(),
            "skip_download": True,
            "allowed_extractors": ALLOWED_EXTRACTORS,
            "noplaylist": True,
            "socket_timeout": settings.metadata_socket_timeout_s,
            "extractor_retries": 1,
            "cachedir": False,
            "paths": {"home": str(workdir), "temp": str(workdir)},
        }
        if settings.youtube_proxy is not None:
            params["proxy"] = settings.youtube_proxy.get_secret_value()
        if settings.youtube_cookies_file is not None:
            # yt-dlp writes the jar back on close: give it a private copy.
            copy = workdir / "cookies.txt"
            shutil.copyfile(settings.youtube_cookies_file, copy)
            params["cookiefile"] = str(copy)
        return params

    def _read_blocking(self, video_id: str) -> dict[str, Any]:
        with self._pool.borrow() as ydl:
            try:
                # process=False: metadata only, no format selection (which fails
                # for reasons that do not concern us, e.g. a missing JS runtime).
                info = ydl.extract_info(watch_url(video_id), download=False, process=False)
            except (DownloadError, ExtractorError) as exc:
                raise classify(exc) from exc
            if not isinstance(info, dict):
                raise MetadataUnreadable(f"yt-dlp returned no metadata for {video_id}")
            return dict(ydl.sanitize_info(info))


def _is_video_id(value: str) -> bool:
    return re.fullmatch(VIDEO_ID_PATTERN, value) is not None
