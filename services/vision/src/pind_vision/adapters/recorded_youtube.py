"""A yt-dlp extractor that answers YouTube watch URLs from a recorded-info
server (the fake YouTube's ``GET /recorded/{video_id}``) instead of youtube.com.

Only the extraction is replaced: format selection, the download of the media
and thumbnails (from the URLs the recorded dict names) run in yt-dlp for real.

A copy of ``pind_ingest.adapters.recorded_youtube`` (services do not import
each other); it belongs in pind_kit so both can share it.
"""

from __future__ import annotations

from typing import Any

from yt_dlp import YoutubeDL
from yt_dlp.extractor.common import InfoExtractor
from yt_dlp.utils import ExtractorError

IE_KEY = "PindRecordedYoutube"


class PindRecordedYoutubeIE(InfoExtractor):  # type: ignore[misc]  # yt-dlp is untyped
    """YouTube watch URLs, answered by ``<base>/recorded/<id>``."""

    IE_NAME = "pind:recorded-youtube"
    _VALID_URL = (
        r"https?://(?:www\.|m\.|music\.)?youtube\.com/watch\?(?:[^#]*&)?v=(?P<id>[0-9A-Za-z_-]{11})"
    )

    def __init__(self, base_url: str, downloader: YoutubeDL | None = None) -> None:
        super().__init__(downloader)
        self._base_url = base_url.rstrip("/")

    def _real_extract(self, url: str) -> dict[str, Any]:
        video_id = self._match_id(url)
        recorded = self._download_json(
            f"{self._base_url}/recorded/{video_id}",
            video_id,
            note="Reading recorded info",
            expected_status=404,
        )
        if not isinstance(recorded, dict):
            raise ExtractorError(
                "the recorded-info server answered no info dict", video_id=video_id
            )
        error = recorded.get("error")
        if isinstance(error, dict):
            raise ExtractorError(
                str(error.get("message") or "video unavailable"),
                expected=bool(error.get("expected", True)),
                video_id=video_id,
            )
        return recorded


def install(ydl: YoutubeDL, base_url: str) -> str:
    """Register the extractor on ``ydl``; returns the ``ie_key`` to extract with."""
    ydl.add_info_extractor(PindRecordedYoutubeIE(base_url))
    return IE_KEY
