"""A video's low-resolution stream and its thumbnail, fetched with yt-dlp into
a private temporary folder that is removed however the fetch ends.

yt-dlp is blocking: it runs in a worker thread, ``socket_timeout`` bounds each
network operation, an overall timeout bounds the whole fetch, and a progress
hook stops the download when the caller is cancelled. Only the canonical watch
URL built from the video id is handed to yt-dlp.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import structlog
import yt_dlp
from yt_dlp.utils import DownloadCancelled, DownloadError, ExtractorError

from pind_contracts.types import VIDEO_ID_PATTERN
from pind_vision.domain.failures import (
    MediaFetchFailed,
    MediaUnreachable,
    VisionErrorCode,
    VisionNotPossible,
    vision_error,
)
from pind_vision.domain.media import FetchedMedia
from pind_vision.settings import VisionSettings
from pind_youtube import failures as youtube_failures
from pind_youtube.pool import YoutubeDLPool
from pind_youtube.ytdlp import ALLOWED_EXTRACTORS, YtDlpLogger

log = structlog.get_logger(__name__)

_SKIP_EXTS = frozenset({"mhtml"})  # storyboards: tiles, not the picture


def _estimated_size(fmt: Mapping[str, Any], duration_s: float | None) -> float:
    for key in ("filesize", "filesize_approx"):
        value = fmt.get(key)
        if isinstance(value, int | float) and value > 0:
            return float(value)
    tbr = fmt.get("tbr")
    if isinstance(tbr, int | float) and duration_s:
        return float(tbr) * 1000 / 8 * duration_s
    return float("inf")


def _has_video(fmt: Mapping[str, Any]) -> bool:
    if fmt.get("ext") in _SKIP_EXTS or fmt.get("has_drm"):
        return False
    vcodec = fmt.get("vcodec")
    if vcodec == "none":
        return False
    return vcodec is not None or isinstance(fmt.get("height"), int)


def choose_format(
    formats: Sequence[Mapping[str, Any]], min_height: int, duration_s: float | None = None
) -> Mapping[str, Any] | None:
    """The stream to read text from: the lowest picture at least ``min_height``
    tall (the smallest file among equals, video-only preferred), else the
    tallest one below it, else the smallest with an unknown height; ``None``
    when nothing carries a picture."""
    videos = [f for f in formats if _has_video(f)]
    if not videos:
        return None

    def size(f: Mapping[str, Any]) -> tuple[float, int]:
        return _estimated_size(f, duration_s), 0 if f.get("acodec") == "none" else 1

    sized = [f for f in videos if isinstance(f.get("height"), int)]
    tall = [f for f in sized if f["height"] >= min_height]
    if tall:
        return min(tall, key=lambda f: (f["height"], *size(f)))
    if sized:
        return min(sized, key=lambda f: (-f["height"], *size(f)))
    return min(videos, key=size)


def classify(exc: BaseException) -> Exception:
    """The typed error for an exception yt-dlp raised."""
    return vision_error(youtube_failures.classify(exc))


class MediaFetcher:
    """Downloads one video's stream for OCR (see :func:`choose_format`)."""

    def __init__(self, settings: VisionSettings) -> None:
        self._settings = settings
        # The info read has fixed options: reused instances (pind_youtube.pool).
        self._readers = YoutubeDLPool(
            lambda folder: self._params(folder, threading.Event()),
            recorded_url=settings.youtube_recorded_url,
            prefix="pind-ytdl-vision-",
        )

    @contextlib.asynccontextmanager
    async def fetch(self, video_id: str) -> AsyncIterator[FetchedMedia]:
        """Download into a temporary folder that exists for the ``with`` body.

        Raises :class:`VisionNotPossible`, :class:`MediaUnreachable` (transient)
        or :class:`MediaFetchFailed`."""
        if re.fullmatch(VIDEO_ID_PATTERN, video_id) is None:
            raise ValueError(f"not a YouTube video id: {video_id!r}")
        workdir = Path(tempfile.mkdtemp(prefix="pind-vision-"))
        try:
            media = await self._download(video_id, workdir)
            yield media
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    async def _download(self, video_id: str, workdir: Path) -> FetchedMedia:
        stop = threading.Event()
        task = asyncio.ensure_future(
            asyncio.to_thread(self._download_blocking, video_id, workdir, stop)
        )
        try:
            return await asyncio.wait_for(
                asyncio.shield(task), self._settings.media_fetch_timeout_s
            )
        except TimeoutError as exc:
            stop.set()
            await asyncio.wait([task])
            limit = self._settings.media_fetch_timeout_s
            raise MediaUnreachable(f"the video stream did not arrive within {limit:.0f} s") from exc
        except asyncio.CancelledError:
            # Let the thread see the stop flag before its folder goes away.
            stop.set()
            await asyncio.wait([task])
            raise

    def _params(self, workdir: Path, stop: threading.Event) -> dict[str, Any]:
        settings = self._settings

        def stop_when_asked(_: dict[str, Any]) -> None:
            if stop.is_set():
                raise DownloadCancelled("the analysis was stopped")

        params: dict[str, Any] = {
            "quiet": True,
            "no_warnings": False,
            "noprogress": True,
            "logger": YtDlpLogger(),
            "noplaylist": True,
            "allowed_extractors": ALLOWED_EXTRACTORS,
            "socket_timeout": settings.media_socket_timeout_s,
            "max_filesize": int(settings.media_max_filesize_mb * 1024 * 1024),
            "retries": 2,
            "extractor_retries": 1,
            "cachedir": False,
            "writethumbnail": settings.read_thumbnail,
            "paths": {"home": str(workdir), "temp": str(workdir)},
            "outtmpl": {"default": "video.%(ext)s", "thumbnail": "thumbnail.%(ext)s"},
            "progress_hooks": [stop_when_asked],
        }
        if settings.youtube_proxy is not None:
            params["proxy"] = settings.youtube_proxy.get_secret_value()
        if settings.youtube_cookies_file is not None:
            copy = workdir / "cookies.txt"  # yt-dlp writes the jar back on close
            shutil.copyfile(settings.youtube_cookies_file, copy)
            params["cookiefile"] = str(copy)
        return params

    def _download_blocking(
        self, video_id: str, workdir: Path, stop: threading.Event
    ) -> FetchedMedia:
        url = f"https://www.youtube.com/watch?v={video_id}"
        params = self._params(workdir, stop)
        try:
            with self._readers.borrow() as reader:
                info = reader.extract_info(url, download=False, process=False)
            if not isinstance(info, dict):
                raise MediaFetchFailed(f"yt-dlp returned no info for {video_id}")
            chosen = self._choose(info)
            # A second instance, because yt-dlp fixes its format selector at construction.
            with yt_dlp.YoutubeDL({**params, "format": str(chosen["format_id"])}) as ydl:
                result = ydl.process_ie_result(info, download=True)
        except DownloadCancelled:
            raise
        except (DownloadError, ExtractorError) as exc:
            raise classify(exc) from exc
        video = _downloaded_video(result, workdir)
        if video is None:
            # yt-dlp skips (without an error) a file that outgrows max_filesize.
            raise VisionNotPossible(VisionErrorCode.TOO_LARGE)
        return FetchedMedia(
            video_path=video,
            thumbnail_path=_downloaded_thumbnail(workdir),
            format_id=str(chosen["format_id"]),
            width=chosen.get("width"),
            height=chosen.get("height"),
            duration_s=info.get("duration"),
        )

    def _choose(self, info: Mapping[str, Any]) -> Mapping[str, Any]:
        formats = info.get("formats") or ([info] if info.get("url") else [])
        duration = info.get("duration")
        chosen = choose_format(
            formats,
            self._settings.media_min_height,
            duration if isinstance(duration, int | float) else None,
        )
        if chosen is None:
            raise VisionNotPossible(VisionErrorCode.NO_VIDEO)
        size = _estimated_size(chosen, duration)
        limit = self._settings.media_max_filesize_mb * 1024 * 1024
        if size != float("inf") and size > limit:
            raise VisionNotPossible(
                VisionErrorCode.TOO_LARGE,
                f"The smallest suitable video stream is {size / 1048576:.0f} MB; streams over "
                f"{self._settings.media_max_filesize_mb:.0f} MB are not downloaded, so its "
                "on-screen text was not read.",
            )
        log.info(
            "video format chosen",
            format_id=chosen.get("format_id"),
            height=chosen.get("height"),
            size_mb=None if size == float("inf") else round(size / 1048576, 1),
        )
        return chosen


def _downloaded_video(result: Any, workdir: Path) -> Path | None:
    if isinstance(result, dict):
        for download in result.get("requested_downloads") or []:
            path = Path(str(download.get("filepath") or ""))
            if path.is_file() and path.parent == workdir:
                return path
    found = sorted(p for p in workdir.glob("video.*") if not p.name.endswith((".part", ".ytdl")))
    return found[0] if found else None


def _downloaded_thumbnail(workdir: Path) -> Path | None:
    found = sorted(workdir.glob("thumbnail.*"))
    return found[0] if found else None


__all__ = ["FetchedMedia", "MediaFetcher", "MediaUnreachable", "choose_format", "classify"]
