from __future__ import annotations

import pytest

from pind_ingest.domain.failures import (
    IngestErrorCode,
    MetadataUnreadable,
    VideoNotIngestible,
    YoutubeUnreachable,
    check_ingestible,
    classify_extraction_error,
    format_duration,
)
from pind_kit.errors import TransientError

# Messages as yt-dlp reports them for real YouTube videos.
CASES = [
    (
        "ERROR: [youtube] abcdefghijk: Private video. Sign in if you've been granted access "
        "to this video. Use --cookies-from-browser or --cookies for the authentication.",
        IngestErrorCode.PRIVATE,
    ),
    (
        "ERROR: [youtube] abcdefghijk: Video unavailable. This video has been removed by the "
        "uploader",
        IngestErrorCode.UNAVAILABLE,
    ),
    (
        "ERROR: [youtube] abcdefghijk: Video unavailable. This video is no longer available "
        "because the YouTube account associated with this video has been terminated.",
        IngestErrorCode.UNAVAILABLE,
    ),
    (
        "ERROR: [youtube] abcdefghijk: Sign in to confirm your age. This video may be "
        "inappropriate for some users. Use --cookies-from-browser or --cookies",
        IngestErrorCode.AGE_RESTRICTED,
    ),
    (
        "ERROR: [youtube] abcdefghijk: Join this channel to get access to members-only content "
        "like this video, and other exclusive perks.",
        IngestErrorCode.MEMBERS_ONLY,
    ),
    (
        "ERROR: [youtube] abcdefghijk: This live event will begin in 3 hours.",
        IngestErrorCode.UPCOMING,
    ),
    ("ERROR: [youtube] abcdefghijk: Premieres in 2 days", IngestErrorCode.UPCOMING),
    (
        "ERROR: [youtube] abcdefghijk: Sign in to confirm you\u2019re not a bot. Use "
        "--cookies-from-browser or --cookies for the authentication.",
        IngestErrorCode.BLOCKED,
    ),
    (
        "ERROR: [youtube] abcdefghijk: Unable to download API page: HTTP Error 429: Too Many "
        "Requests",
        IngestErrorCode.BLOCKED,
    ),
    (
        "ERROR: [youtube] abcdefghijk: The uploader has not made this video available in your "
        "country",
        IngestErrorCode.GEO_RESTRICTED,
    ),
]


@pytest.mark.parametrize(("message", "code"), CASES)
def test_youtube_messages_become_typed_failures(message: str, code: IngestErrorCode) -> None:
    failure = classify_extraction_error(message)

    assert isinstance(failure, VideoNotIngestible)
    assert failure.code == code
    assert failure.reason and "yt-dlp" not in failure.reason and "--cookies" not in failure.reason
    assert failure.retryable == (
        code
        in {IngestErrorCode.BLOCKED, IngestErrorCode.UPCOMING, IngestErrorCode.LIVE_NOT_FINISHED}
    )


def test_status_codes_decide_when_the_message_does_not() -> None:
    blocked = classify_extraction_error("Unable to download", http_status=429)
    assert isinstance(blocked, VideoNotIngestible) and blocked.code == "blocked"
    gone = classify_extraction_error("Unable to download", http_status=404)
    assert isinstance(gone, VideoNotIngestible) and gone.code == "unavailable"
    assert isinstance(classify_extraction_error("oops", http_status=503), YoutubeUnreachable)
    assert isinstance(classify_extraction_error("x", geo_restricted=True), VideoNotIngestible)


def test_network_errors_are_transient_and_unknown_errors_are_not() -> None:
    refused = classify_extraction_error(
        "Unable to download webpage: [Errno 111] Connection refused", network=True
    )
    assert isinstance(refused, TransientError)
    unknown = classify_extraction_error("Unable to extract initial player response")
    assert isinstance(unknown, MetadataUnreadable)
    assert not isinstance(unknown, TransientError)


def test_metadata_that_was_read_can_still_rule_a_video_out() -> None:
    def code(info: dict[str, object], max_s: float = 3600) -> str | None:
        try:
            check_ingestible(info, max_s)
        except VideoNotIngestible as failure:
            return str(failure.code)
        return None

    assert code({"availability": "public", "live_status": "not_live", "duration": 600}) is None
    assert code({"live_status": "was_live", "duration": 3000}) is None
    assert code({"availability": "private"}) == "private"
    assert code({"availability": "subscriber_only"}) == "members_only"
    assert code({"live_status": "is_live"}) == "live_not_finished"
    assert code({"live_status": "post_live"}) == "live_not_finished"
    assert code({"live_status": "is_upcoming"}) == "upcoming"
    assert code({"duration": 3601}) == "too_long"


def test_too_long_says_both_durations() -> None:
    with pytest.raises(VideoNotIngestible) as caught:
        check_ingestible({"duration": 4 * 3600 + 5}, 3 * 3600)
    assert caught.value.reason == (
        "This video is 4:00:05 long; videos longer than 3:00:00 are not analysed."
    )
    assert not caught.value.retryable


def test_format_duration() -> None:
    assert [format_duration(s) for s in (0, 59.6, 754, 8103)] == [
        "0:00",
        "1:00",
        "12:34",
        "2:15:03",
    ]
