"""Answer YouTube URLs from a recorded-info server (the fake YouTube) inside yt-dlp.

The real YouTube extractor needs www.youtube.com; tests and the offline demo have
a server that returns the info dict YouTube's extractor would have produced
(`GET {recorded_url}/recorded/{video_id}`). :class:`RecordedYoutubeIE` fetches it
with yt-dlp's own networking, so everything after extraction — format
selection, downloads with Range requests, subtitle writing, error reporting —
runs for real against the media URLs in that dict.

Usage::

    with yt_dlp.YoutubeDL(params) as ydl:
        register(ydl, "http://127.0.0.1:8900")
        info = ydl.extract_info("https://youtu.be/pindSeoul01", download=False)
"""

from __future__ import annotations

from typing import Any

import yt_dlp
from yt_dlp.extractor.common import InfoExtractor
from yt_dlp.utils import ExtractorError

# Every YouTube URL form the gateway accepts: watch (www, m., music.), youtu.be,
# shorts, embed (also youtube-nocookie), live, and the old /v/ and /e/ paths.
YOUTUBE_URL_PATTERN = r"""(?x)
    (?:https?://)?
    (?:
        (?:(?:www|m|music)\.)?youtube\.com/
        (?:
            watch/?\?(?:[^#]*&)?v=
            | (?:shorts|embed|live|v|e)/
        )
        | (?:www\.)?youtube-nocookie\.com/embed/
        | youtu\.be/
    )
    (?P<id>[0-9A-Za-z_-]{11})
    (?![0-9A-Za-z_-])
"""


class RecordedYoutubeIE(InfoExtractor):  # type: ignore[misc]  # yt-dlp is untyped
    """YouTube, answered from ``{recorded_url}/recorded/{id}``."""

    # Named like the real extractor so error messages read as yt-dlp's own:
    # "[youtube] <id>: Private video. Sign in ...".
    IE_NAME = "youtube"
    IE_DESC = "YouTube (recorded info server)"
    _VALID_URL = YOUTUBE_URL_PATTERN

    def __init__(
        self,
        downloader: yt_dlp.YoutubeDL | None = None,
        recorded_url: str = "http://127.0.0.1:8900",
    ) -> None:
        super().__init__(downloader)
        self.recorded_url = recorded_url.rstrip("/")

    def _real_extract(self, url: str) -> dict[str, Any]:
        video_id = self._match_id(url)
        # 404 carries the same error payload as a 200 (an id the server does not know).
        payload = self._download_json(
            f"{self.recorded_url}/recorded/{video_id}",
            video_id,
            note="Downloading recorded info",
            errnote="Recorded-info server failed",
            expected_status=404,
        )
        error = payload.get("error") if isinstance(payload, dict) else None
        if error:
            raise ExtractorError(
                str(error.get("message") or "Video unavailable"),
                expected=bool(error.get("expected", True)),
                video_id=video_id,
                ie=self.IE_NAME,
            )
        if not isinstance(payload, dict) or payload.get("id") != video_id:
            raise ExtractorError(
                "The recorded-info server answered for another video", video_id=video_id
            )
        return payload


def register(ydl: yt_dlp.YoutubeDL, recorded_url: str) -> None:
    """Install :class:`RecordedYoutubeIE` on ``ydl`` ahead of every other extractor.

    ``YoutubeDL.extract_info`` tries extractors in insertion order of ``ydl._ies``
    (there is no public API to prepend), so ours is moved to the front; the real
    YouTube extractor stays registered behind it but is never reached for URLs
    that ours matches.
    """
    ie = RecordedYoutubeIE(recorded_url=recorded_url)
    ydl.add_info_extractor(ie)
    key = ie.ie_key()
    ydl._ies = {key: ydl._ies[key], **{k: v for k, v in ydl._ies.items() if k != key}}
