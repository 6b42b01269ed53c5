"""Point YouTube clients at a stand-in server (the fake YouTube) without changing them.

youtube-transcript-api calls fixed https://www.youtube.com/... URLs (the watch
page, the innertube player API, the timedtext URLs the player API returns). A
requests adapter mounted for those hosts sends the same requests — path, query,
headers, body — to ``base_url`` instead::

    api = YouTubeTranscriptApi(http_client=rewriting_session("http://127.0.0.1:8900"))

For yt-dlp (the subtitle fallback), :func:`install_recorded` makes YouTube URLs
resolve through ``{recorded_url}/recorded/{id}``. It mirrors
pind_ingest.adapters.recorded_youtube: services do not import one another.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import yt_dlp
from requests.adapters import HTTPAdapter
from yt_dlp.extractor.common import InfoExtractor
from yt_dlp.utils import ExtractorError

YOUTUBE_HOSTS = ("www.youtube.com", "youtube.com", "m.youtube.com")


class RewritingAdapter(HTTPAdapter):
    """Sends requests for YouTube hosts to ``base_url`` (scheme, host, port, path prefix)."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        target = urlsplit(base_url)
        if target.scheme not in ("http", "https") or not target.netloc:
            raise ValueError(f"not an http(s) base URL: {base_url!r}")
        self._scheme = target.scheme
        self._netloc = target.netloc
        self._prefix = target.path.rstrip("/")

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        original = urlsplit(request.url or "")
        if original.hostname in YOUTUBE_HOSTS:
            request.url = urlunsplit(
                (self._scheme, self._netloc, self._prefix + original.path, original.query, "")
            )
            # The Host header follows the new URL; cookies set for .youtube.com stay.
            request.headers.pop("Host", None)
        return super().send(request, *args, **kwargs)


def mount(session: requests.Session, base_url: str) -> requests.Session:
    """Mount the rewriting adapter on ``session`` for every YouTube host; returns it."""
    adapter = RewritingAdapter(base_url)
    for host in YOUTUBE_HOSTS:
        # Longest prefix wins in requests, so these beat a generic "https://" adapter
        # that youtube-transcript-api mounts when a proxy config asks for retries.
        session.mount(f"https://{host}/", adapter)
        session.mount(f"http://{host}/", adapter)
    return session


def rewriting_session(base_url: str) -> requests.Session:
    """A new requests session whose YouTube requests go to ``base_url``."""
    return mount(requests.Session(), base_url)


# --------------------------------------------------------------- yt-dlp fallback

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
    """YouTube, answered from ``{recorded_url}/recorded/{id}`` (see module docstring)."""

    IE_NAME = "youtube"  # error messages then read as yt-dlp's own: "[youtube] <id>: ..."
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


def install_recorded(ydl: yt_dlp.YoutubeDL, recorded_url: str) -> None:
    """Install :class:`RecordedYoutubeIE` on ``ydl`` ahead of every other extractor."""
    ie = RecordedYoutubeIE(recorded_url=recorded_url)
    ydl.add_info_extractor(ie)
    key = ie.ie_key()
    # extract_info tries ydl._ies in insertion order; there is no public way to prepend.
    ydl._ies = {key: ydl._ies[key], **{k: v for k, v in ydl._ies.items() if k != key}}
