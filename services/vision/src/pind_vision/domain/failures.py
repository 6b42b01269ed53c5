"""Why the text on screen could not be read, as typed outcomes with a reason
a person can read. Pure: classification works on messages and status codes."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pind_kit.errors import TransientError
from pind_youtube.failures import Failure, FailureKind, classify_message


class VisionErrorCode(StrEnum):
    """Stable machine codes carried in the stage event's ``error_code``."""

    NO_VIDEO = "no_video"
    TOO_LARGE = "too_large"
    BLOCKED = "blocked"
    UNAVAILABLE = "unavailable"
    UNREADABLE_VIDEO = "unreadable_video"
    OCR_UNAVAILABLE = "ocr_unavailable"


_REASONS: dict[VisionErrorCode, str] = {
    VisionErrorCode.NO_VIDEO: (
        "YouTube offers no video stream for this video (audio only, or none at all), "
        "so there is no on-screen text to read."
    ),
    VisionErrorCode.TOO_LARGE: (
        "Even the smallest suitable video stream of this video is larger than the "
        "download limit, so its on-screen text was not read."
    ),
    VisionErrorCode.BLOCKED: (
        "YouTube refused to send the video stream to our server for now, so its "
        "on-screen text could not be read. Try again later."
    ),
    VisionErrorCode.UNAVAILABLE: (
        "The video stream is not available (the video was removed, made private or "
        "is restricted), so its on-screen text could not be read."
    ),
    VisionErrorCode.UNREADABLE_VIDEO: (
        "The downloaded video stream could not be decoded, so its on-screen text could not be read."
    ),
    VisionErrorCode.OCR_UNAVAILABLE: (
        "The text recogniser is not installed on the server, so on-screen text "
        "could not be read. Operators: install tesseract-ocr with the kor and eng data."
    ),
}

# Outcomes where we chose not to read (nothing went wrong): the stage is skipped.
_SKIPPED = frozenset({VisionErrorCode.NO_VIDEO, VisionErrorCode.TOO_LARGE})
_RETRYABLE = frozenset({VisionErrorCode.BLOCKED})


class VisionNotPossible(Exception):
    """The video's on-screen text cannot (or will not) be read; the stage ends
    ``skipped`` or ``failed`` with :attr:`reason`."""

    def __init__(self, code: VisionErrorCode, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or _REASONS[code]
        self.retryable = code in _RETRYABLE
        self.state: Literal["skipped", "failed"] = "skipped" if code in _SKIPPED else "failed"
        super().__init__(f"{code}: {self.reason}")


class MediaUnreachable(TransientError):
    """A network error, timeout or 5xx while fetching media: retried by the
    kit, then dead-lettered with a failed (retryable) stage."""


class MediaFetchFailed(Exception):
    """yt-dlp failed in a way we do not recognise; dead-lettered for operators."""


_UNAVAILABLE_KINDS = frozenset(
    {
        FailureKind.PRIVATE,
        FailureKind.MEMBERS_ONLY,
        FailureKind.AGE_RESTRICTED,
        FailureKind.UPCOMING,
        FailureKind.GEO_RESTRICTED,
        FailureKind.UNAVAILABLE,
    }
)


def vision_error(failure: Failure) -> Exception:
    """The typed error for a failed media fetch (see :mod:`pind_youtube.failures`):
    :class:`VisionNotPossible` for what a person should read (blocked, or the
    stream is out of reach for any of the reasons ingest words one by one),
    :class:`MediaUnreachable` for what may pass on retry, :class:`MediaFetchFailed`
    for the rest."""
    if failure.kind is FailureKind.BLOCKED:
        return VisionNotPossible(VisionErrorCode.BLOCKED)
    if failure.kind in _UNAVAILABLE_KINDS:
        return VisionNotPossible(VisionErrorCode.UNAVAILABLE)
    if failure.kind is FailureKind.NETWORK:
        return MediaUnreachable(f"the video stream could not be fetched: {failure.message}")
    return MediaFetchFailed(failure.message)


def classify_fetch_error(
    message: str, *, http_status: int | None = None, network: bool = False
) -> Exception:
    """:func:`vision_error` of what is known without an exception."""
    return vision_error(classify_message(message, http_status=http_status, network=network))
