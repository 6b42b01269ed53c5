"""Point YouTube clients at a stand-in server (the fake YouTube) without changing them.

youtube-transcript-api calls fixed https://www.youtube.com/... URLs (the watch
page, the innertube player API, the timedtext URLs the player API returns). A
requests adapter mounted for those hosts sends the same requests — path, query,
headers, body — to ``base_url`` instead::

    api = YouTubeTranscriptApi(http_client=rewriting_session("http://127.0.0.1:8900"))

yt-dlp is pointed at the same server by ``pind_youtube.recorded``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

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
