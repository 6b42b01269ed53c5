"""Strict parsing of the YouTube links people paste, down to the video id.

Only the id survives parsing: every URL we store or send on is rebuilt from it
(:func:`canonical_url`), so tracking parameters, playlists and odd hosts never
travel further than this module.
"""

from __future__ import annotations

import re
from typing import NewType
from urllib.parse import parse_qs, urlsplit

VideoId = NewType("VideoId", str)

MAX_URL_LENGTH = 2048
_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_ID_RULE = "video id must be 11 characters of A-Z a-z 0-9 _ -"

_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"})
_SHORT_HOSTS = frozenset({"youtu.be"})
# Pages whose first path segment after the prefix is the video id.
_ID_PATH_PREFIXES = frozenset({"shorts", "embed", "live", "v"})


class InvalidVideoUrl(ValueError):
    """The text is not a link to one YouTube video; ``str(error)`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_video_id(candidate: str) -> VideoId:
    """Check that ``candidate`` is a well-formed video id and return it."""
    if _ID.fullmatch(candidate) is None:
        shown = candidate if len(candidate) <= 40 else candidate[:40] + "…"
        raise InvalidVideoUrl(f"{_ID_RULE} (got {shown!r})")
    return VideoId(candidate)


def parse_video_url(raw: str) -> VideoId:
    """The video id of a YouTube watch, youtu.be, shorts, embed or live link.

    Accepts http and https, with or without ``www.``, the ``m.`` and ``music.``
    hosts, and a missing scheme (``youtu.be/<id>`` as people paste it). Extra
    query parameters (``t``, ``si``, ``list`` …) are ignored. Anything else
    raises :class:`InvalidVideoUrl` with a message saying what is wrong.
    """
    text = raw.strip()
    if not text:
        raise InvalidVideoUrl("the URL is empty")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidVideoUrl(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() for ch in text):
        raise InvalidVideoUrl("the URL contains spaces")
    if "://" not in text and not text.startswith("//"):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise InvalidVideoUrl(f"not a valid URL: {exc}") from exc
    if parts.scheme.lower() not in {"http", "https", ""}:
        raise InvalidVideoUrl(f"unsupported scheme {parts.scheme!r}: use an http or https link")
    if not host:
        raise InvalidVideoUrl("the URL has no host")
    segments = [s for s in parts.path.split("/") if s]

    if host in _SHORT_HOSTS:
        if not segments:
            raise InvalidVideoUrl("missing video id")
        if len(segments) > 1:
            raise InvalidVideoUrl(f"unexpected path {parts.path!r} after the video id")
        return parse_video_id(segments[0])

    if host not in _YOUTUBE_HOSTS:
        raise InvalidVideoUrl(f"not a YouTube host: {host}")

    if segments == ["watch"]:
        values = parse_qs(parts.query, keep_blank_values=True).get("v", [])
        if not values or not values[0]:
            raise InvalidVideoUrl("missing video id")
        return parse_video_id(values[0])
    if segments and segments[0] in _ID_PATH_PREFIXES:
        if len(segments) == 1:
            raise InvalidVideoUrl("missing video id")
        if len(segments) > 2:
            raise InvalidVideoUrl(f"unexpected path {parts.path!r} after the video id")
        return parse_video_id(segments[1])
    if not segments:
        raise InvalidVideoUrl("missing video id")
    raise InvalidVideoUrl(
        f"not a video page: {parts.path!r} (expected /watch?v=, /shorts/, /embed/ or /live/)"
    )


def canonical_url(video_id: VideoId) -> str:
    """The one watch URL we use for a video, rebuilt from its id."""
    return f"https://www.youtube.com/watch?v={video_id}"


def moment_url(video_id: VideoId | str, start_s: float | None) -> str:
    """A link that opens the video at ``start_s`` (whole seconds), or at the start."""
    base = f"https://www.youtube.com/watch?v={video_id}"
    return base if start_s is None else f"{base}&t={int(start_s)}s"
