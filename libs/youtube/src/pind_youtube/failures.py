"""Why YouTube refused or failed a request, in one vocabulary for the three
readers: ingest (metadata), transcript (subtitles, audio) and vision (the
video stream). Each maps the kind to its own stage code and wording.

:func:`classify` reads an exception yt-dlp raised (its message, the HTTP
status and transport errors in its cause chain); :func:`classify_message`
is the pure rule set behind it, for what is known without an exception."""

from __future__ import annotations

import socket
from enum import StrEnum
from typing import NamedTuple

from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import ExtractorError, GeoRestrictedError

from pind_youtube.ytdlp import causes


class FailureKind(StrEnum):
    BLOCKED = "blocked"
    """YouTube refuses our server for now (bot check, 403/429, rate limit)."""
    PRIVATE = "private"
    MEMBERS_ONLY = "members_only"
    AGE_RESTRICTED = "age_restricted"
    UPCOMING = "upcoming"
    """A scheduled live stream or premiere that has not started."""
    GEO_RESTRICTED = "geo_restricted"
    UNAVAILABLE = "unavailable"
    """Removed, terminated, never existed: the link is no good."""
    NETWORK = "network"
    """Refused, reset, timed out, DNS, 5xx or 408: may pass on the next try."""
    UNKNOWN = "unknown"
    """Nothing recognised; often YouTube changed and yt-dlp needs an update."""


RETRYABLE = frozenset({FailureKind.BLOCKED, FailureKind.UPCOMING, FailureKind.NETWORK})
"""Kinds where the same request may succeed later."""


class Failure(NamedTuple):
    kind: FailureKind
    retryable: bool
    message: str
    """The text the rules read (yt-dlp's message and its extractor's)."""


# Substrings of yt-dlp / YouTube messages, lower-cased with apostrophes
# straightened; checked in this order because YouTube's texts overlap ("Private
# video. Sign in if you've been granted access" must not read as a bot check).
_MESSAGE_RULES: tuple[tuple[FailureKind, tuple[str, ...]], ...] = (
    (
        FailureKind.BLOCKED,
        (
            "http error 403",
            "http error 429",
            "too many requests",
            "not a bot",
            "captcha",
            "po token",
            "rate-limited",
            "your ip is likely being blocked",
            "try again later",
        ),
    ),
    (FailureKind.PRIVATE, ("private video", "video is private")),
    (
        FailureKind.MEMBERS_ONLY,
        ("members-only", "members only", "join this channel", "channel's members"),
    ),
    (
        FailureKind.AGE_RESTRICTED,
        ("confirm your age", "age-restricted", "age restricted", "inappropriate for some users"),
    ),
    (
        FailureKind.UPCOMING,
        ("live event will begin", "premieres in", "premiere will begin", "is upcoming"),
    ),
    (
        FailureKind.GEO_RESTRICTED,
        (
            "not available in your country",
            "not made this video available in your country",
            "not available from your location",
        ),
    ),
    (
        FailureKind.UNAVAILABLE,
        (
            "video unavailable",
            "video is unavailable",
            "has been removed",
            "no longer available",
            "does not exist",
            "has been terminated",
            "copyright claim",
            "http error 404",
            "http error 410",
        ),
    ),
)


def _failure(kind: FailureKind, message: str) -> Failure:
    return Failure(kind, kind in RETRYABLE, message)


def classify_message(
    message: str,
    *,
    http_status: int | None = None,
    network: bool = False,
    geo_restricted: bool = False,
) -> Failure:
    """The failure behind ``message`` (yt-dlp's error text), given the HTTP
    status of an error in its cause chain, whether a transport error is in it
    and whether yt-dlp said the video is geo-restricted."""
    if http_status in (403, 429):
        return _failure(FailureKind.BLOCKED, message)
    if geo_restricted:
        return _failure(FailureKind.GEO_RESTRICTED, message)
    text = message.lower().replace("\u2019", "'")
    for kind, needles in _MESSAGE_RULES:
        if any(needle in text for needle in needles):
            return _failure(kind, message)
    if http_status in (404, 410):
        return _failure(FailureKind.UNAVAILABLE, message)
    if network or (http_status is not None and (http_status >= 500 or http_status == 408)):
        return _failure(FailureKind.NETWORK, message)
    return _failure(FailureKind.UNKNOWN, message)


def classify(exc: BaseException) -> Failure:
    """The failure behind an exception yt-dlp raised (``DownloadError``,
    ``ExtractorError`` or anything in their cause chains)."""
    http_status: int | None = None
    network = geo = False
    message = str(exc)
    for cause in causes(exc):
        if isinstance(cause, HTTPError):
            http_status = http_status or cause.status
        elif isinstance(cause, TransportError | socket.timeout | ConnectionError | TimeoutError):
            network = True
        if isinstance(cause, GeoRestrictedError):
            geo = True
        if isinstance(cause, ExtractorError) and cause.orig_msg and cause.orig_msg not in message:
            message = f"{message} {cause.orig_msg}"
    return classify_message(message, http_status=http_status, network=network, geo_restricted=geo)
