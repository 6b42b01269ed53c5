"""Why a video cannot be ingested, as typed errors with a reason a person can
read. Pure: classification works on messages, status codes and info dicts."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pind_kit.errors import TransientError
from pind_youtube.failures import Failure, FailureKind, classify_message


class IngestErrorCode(StrEnum):
    """Stable machine codes carried in the failed stage event's ``error_code``."""

    PRIVATE = "private"
    UNAVAILABLE = "unavailable"
    AGE_RESTRICTED = "age_restricted"
    MEMBERS_ONLY = "members_only"
    GEO_RESTRICTED = "geo_restricted"
    LIVE_NOT_FINISHED = "live_not_finished"
    UPCOMING = "upcoming"
    TOO_LONG = "too_long"
    BLOCKED = "blocked"


_REASONS: dict[IngestErrorCode, str] = {
    IngestErrorCode.PRIVATE: (
        "This video is private, so its details cannot be read. "
        "Ask its owner to make it public or unlisted, then try again."
    ),
    IngestErrorCode.UNAVAILABLE: (
        "This video is not available on YouTube: it was removed, or the link is wrong."
    ),
    IngestErrorCode.AGE_RESTRICTED: (
        "This video is age-restricted: YouTube shows it only to signed-in adults, "
        "so it cannot be analysed."
    ),
    IngestErrorCode.MEMBERS_ONLY: (
        "This video is only for the channel's paying members, so it cannot be analysed."
    ),
    IngestErrorCode.GEO_RESTRICTED: (
        "YouTube does not show this video in the region the analysis runs in."
    ),
    IngestErrorCode.LIVE_NOT_FINISHED: (
        "This is a live stream that has not finished yet. Try again once it has ended."
    ),
    IngestErrorCode.UPCOMING: (
        "This is a scheduled live stream or premiere that has not started yet. "
        "Try again after it has aired."
    ),
    IngestErrorCode.BLOCKED: (
        "YouTube is refusing requests from our server for now. Try again later."
    ),
}

# Whether trying the same video again later may succeed.
_RETRYABLE = frozenset(
    {IngestErrorCode.LIVE_NOT_FINISHED, IngestErrorCode.UPCOMING, IngestErrorCode.BLOCKED}
)


class VideoNotIngestible(Exception):
    """The video's metadata cannot (or may not) be read; the job's ingest stage fails."""

    def __init__(self, code: IngestErrorCode, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or _REASONS[code]
        self.retryable = code in _RETRYABLE
        super().__init__(f"{code}: {self.reason}")


class YoutubeUnreachable(TransientError):
    """A network error or 5xx talking to YouTube: retried by the kit, then dead-lettered."""


class MetadataUnreadable(Exception):
    """yt-dlp failed in a way we do not recognise (often: YouTube changed and
    yt-dlp needs an update). Goes to the dead-letter topic for operators."""


def format_duration(seconds: float) -> str:
    """``8103`` -> ``'2:15:03'``; ``754`` -> ``'12:34'``."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def too_long(duration_s: float, max_duration_s: float) -> VideoNotIngestible:
    return VideoNotIngestible(
        IngestErrorCode.TOO_LONG,
        f"This video is {format_duration(duration_s)} long; videos longer than "
        f"{format_duration(max_duration_s)} are not analysed.",
    )


_CODES: dict[FailureKind, IngestErrorCode] = {
    FailureKind.BLOCKED: IngestErrorCode.BLOCKED,
    FailureKind.PRIVATE: IngestErrorCode.PRIVATE,
    FailureKind.MEMBERS_ONLY: IngestErrorCode.MEMBERS_ONLY,
    FailureKind.AGE_RESTRICTED: IngestErrorCode.AGE_RESTRICTED,
    FailureKind.UPCOMING: IngestErrorCode.UPCOMING,
    FailureKind.GEO_RESTRICTED: IngestErrorCode.GEO_RESTRICTED,
    FailureKind.UNAVAILABLE: IngestErrorCode.UNAVAILABLE,
}


def ingest_error(failure: Failure) -> Exception:
    """The typed error for a failed metadata read (see
    :mod:`pind_youtube.failures`): :class:`VideoNotIngestible` for what a
    person should read, :class:`YoutubeUnreachable` for what may pass on retry
    and :class:`MetadataUnreadable` for everything else."""
    code = _CODES.get(failure.kind)
    if code is not None:
        return VideoNotIngestible(code)
    if failure.kind is FailureKind.NETWORK:
        return YoutubeUnreachable(f"YouTube could not be reached: {failure.message}")
    return MetadataUnreadable(failure.message)


def classify_extraction_error(
    message: str,
    *,
    http_status: int | None = None,
    network: bool = False,
    geo_restricted: bool = False,
) -> Exception:
    """:func:`ingest_error` of what is known without an exception: yt-dlp's
    message, an HTTP status, a transport error, a geo restriction."""
    return ingest_error(
        classify_message(
            message, http_status=http_status, network=network, geo_restricted=geo_restricted
        )
    )


def check_ingestible(info: Mapping[str, Any], max_duration_s: float) -> None:
    """Raise :class:`VideoNotIngestible` when metadata that *was* read shows a
    video we do not analyse: private, members-only, live or upcoming, too long."""
    availability = info.get("availability")
    if availability == "private":
        raise VideoNotIngestible(IngestErrorCode.PRIVATE)
    if availability in ("subscriber_only", "premium_only"):
        raise VideoNotIngestible(IngestErrorCode.MEMBERS_ONLY)
    live_status = info.get("live_status")
    if live_status == "is_upcoming":
        raise VideoNotIngestible(IngestErrorCode.UPCOMING)
    if live_status in ("is_live", "post_live") or (live_status is None and info.get("is_live")):
        raise VideoNotIngestible(IngestErrorCode.LIVE_NOT_FINISHED)
    duration = info.get("duration")
    if isinstance(duration, int | float) and duration > max_duration_s:
        raise too_long(float(duration), max_duration_s)
