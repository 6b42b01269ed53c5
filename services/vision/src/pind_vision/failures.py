"""Why the text on screen could not be read, as typed outcomes with a reason
a person can read. Pure: classification works on messages and status codes."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pind_kit.errors import TransientError


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


_BLOCKED = (
    "http error 403",
    "http error 429",
    "too many requests",
    "not a bot",
    "captcha",
    "po token",
    "rate-limited",
    "your ip is likely being blocked",
    "try again later",
)
_UNAVAILABLE = (
    "private video",
    "video is private",
    "video unavailable",
    "video is unavailable",
    "has been removed",
    "no longer available",
    "does not exist",
    "confirm your age",
    "members-only",
    "not available in your country",
    "http error 404",
    "http error 410",
)


def classify_fetch_error(
    message: str, *, http_status: int | None = None, network: bool = False
) -> Exception:
    """The typed error for a failed media fetch: :class:`VisionNotPossible` for
    what a person should read, :class:`MediaUnreachable` for what may pass on
    retry, :class:`MediaFetchFailed` for the rest."""
    text = message.lower().replace("\u2019", "'")
    if http_status in (403, 429) or any(needle in text for needle in _BLOCKED):
        return VisionNotPossible(VisionErrorCode.BLOCKED)
    if http_status in (404, 410) or any(needle in text for needle in _UNAVAILABLE):
        return VisionNotPossible(VisionErrorCode.UNAVAILABLE)
    if network or (http_status is not None and (http_status >= 500 or http_status == 408)):
        return MediaUnreachable(f"the video stream could not be fetched: {message}")
    return MediaFetchFailed(message)
