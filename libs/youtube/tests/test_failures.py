"""One classification of YouTube failures for ingest, transcript and vision."""

from __future__ import annotations

import pytest
from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import DownloadError, ExtractorError, GeoRestrictedError

from pind_youtube.failures import RETRYABLE, FailureKind, classify, classify_message

# Messages as yt-dlp reports them for real YouTube videos.
MESSAGES = [
    (
        "ERROR: [youtube] abcdefghijk: Private video. Sign in if you've been granted access "
        "to this video. Use --cookies-from-browser or --cookies for the authentication.",
        FailureKind.PRIVATE,
    ),
    (
        "ERROR: [youtube] abcdefghijk: Video unavailable. This video has been removed by the "
        "uploader",
        FailureKind.UNAVAILABLE,
    ),
    (
        "ERROR: [youtube] abcdefghijk: Sign in to confirm your age. This video may be "
        "inappropriate for some users.",
        FailureKind.AGE_RESTRICTED,
    ),
    (
        "ERROR: [youtube] abcdefghijk: Join this channel to get access to members-only content",
        FailureKind.MEMBERS_ONLY,
    ),
    ("ERROR: [youtube] abcdefghijk: This live event will begin in 3 hours.", FailureKind.UPCOMING),
    (
        "ERROR: [youtube] abcdefghijk: Sign in to confirm you\u2019re not a bot.",
        FailureKind.BLOCKED,
    ),
    (
        "ERROR: [youtube] abcdefghijk: The uploader has not made this video available in your "
        "country",
        FailureKind.GEO_RESTRICTED,
    ),
    (
        "ERROR: unable to download video data: HTTP Error 403: Forbidden",
        FailureKind.BLOCKED,
    ),
    (
        "ERROR: [youtube] abcdefghijk: Unable to extract initial player response",
        FailureKind.UNKNOWN,
    ),
]


@pytest.mark.parametrize(("message", "kind"), MESSAGES)
def test_messages_name_their_kind(message: str, kind: FailureKind) -> None:
    failure = classify_message(message)
    assert failure.kind is kind
    assert failure.retryable is (kind in RETRYABLE)
    assert failure.message == message


def test_statuses_and_transport_decide_when_the_message_does_not() -> None:
    assert classify_message("Unable to download", http_status=429).kind is FailureKind.BLOCKED
    assert classify_message("Unable to download", http_status=410).kind is FailureKind.UNAVAILABLE
    assert classify_message("oops", http_status=503) == (FailureKind.NETWORK, True, "oops")
    assert classify_message("oops", network=True).retryable
    assert classify_message("x", geo_restricted=True).kind is FailureKind.GEO_RESTRICTED
    assert not classify_message("x", http_status=400).retryable


def test_an_exception_is_read_through_its_cause_chain() -> None:
    refused = DownloadError("ERROR: Unable to download webpage", exc_info=None)
    refused.__cause__ = TransportError("[Errno 111] Connection refused")
    assert classify(refused).kind is FailureKind.NETWORK

    geo = DownloadError("ERROR: [youtube] x: ", exc_info=None)
    geo.__context__ = GeoRestrictedError("The uploader has not made this video available")
    assert classify(geo).kind is FailureKind.GEO_RESTRICTED

    wrapped = ExtractorError("Unable to download API page", expected=True)
    wrapped.orig_msg = "Private video. Sign in if you've been granted access"
    assert classify(DownloadError(str(wrapped), exc_info=(None, wrapped, None))).kind is (
        FailureKind.PRIVATE
    )


def test_an_http_error_in_the_chain_gives_its_status() -> None:
    class _Response:
        status = 429
        reason = "Too Many Requests"
        headers: dict[str, str] = {}  # noqa: RUF012
        url = "https://www.youtube.com/youtubei/v1/player"

        def close(self) -> None: ...

    error = DownloadError("ERROR: Unable to download API page", exc_info=None)
    error.__cause__ = HTTPError(_Response())  # type: ignore[arg-type]
    assert classify(error) == (FailureKind.BLOCKED, True, str(error))
