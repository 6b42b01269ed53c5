"""youtube-transcript-api 1.2.x, unmodified, through the rewriting session."""

from __future__ import annotations

import pytest
import requests
from aiohttp import web
from requests.adapters import HTTPAdapter
from youtube_transcript_api import (
    AgeRestricted,
    IpBlocked,
    NoTranscriptFound,
    PoTokenRequired,
    RequestBlocked,
    TranscriptsDisabled,
    VideoUnavailable,
    VideoUnplayable,
    YouTubeTranscriptApi,
)

from pind_fakes.serving import requests_seen
from pind_transcript.adapters.youtube_rewrite import mount, rewriting_session


@pytest.fixture
def api(youtube_url: str) -> YouTubeTranscriptApi:
    return YouTubeTranscriptApi(http_client=rewriting_session(youtube_url))


def test_lists_manual_and_generated_korean_tracks(api: YouTubeTranscriptApi) -> None:
    listing = api.list("pindSeoul01")
    tracks = {(t.language_code, t.is_generated, t.language) for t in listing}
    assert tracks == {("ko", False, "Korean"), ("ko", True, "Korean (auto-generated)")}
    assert all(t.is_translatable for t in listing)
    assert {t.language_code for t in next(iter(listing)).translation_languages} >= {"en", "ja"}


def test_fetches_manual_korean_text_intact(api: YouTubeTranscriptApi) -> None:
    fetched = api.list("pindSeoul01").find_manually_created_transcript(["ko"]).fetch()
    assert not fetched.is_generated
    assert len(fetched) == 10
    first = fetched[0]
    assert (first.text, first.start, first.duration) == (
        "안녕하세요 여러분! 오늘은 서울역에서 시작합니다.",
        0.5,
        3.0,
    )
    assert any("광장시장" in s.text for s in fetched)


def test_generated_track_and_its_translation_keep_timings(api: YouTubeTranscriptApi) -> None:
    generated = api.list("pindSeoul01").find_generated_transcript(["ko"])
    original = generated.fetch()
    assert original.is_generated
    assert "광장 시장" in " ".join(s.text for s in original)  # ASR-style spacing
    translated = generated.translate("en").fetch()
    assert translated.language_code == "en"
    assert [(s.start, s.duration) for s in translated] == [(s.start, s.duration) for s in original]
    assert translated[0].text == "[ko→en] 안녕하세요 여러분"


def test_fetch_shortcut_prefers_requested_languages(api: YouTubeTranscriptApi) -> None:
    fetched = api.fetch("pindHongdae", languages=["ko", "en"])
    assert fetched.language_code == "en" and not fetched.is_generated
    assert fetched[0].text == "Hey guys, we just got off at Hongik University station."


def test_english_only_video_has_no_korean(api: YouTubeTranscriptApi) -> None:
    listing = api.list("pindHongdae")
    with pytest.raises(NoTranscriptFound):
        listing.find_transcript(["ko"])
    with pytest.raises(NoTranscriptFound):
        listing.find_generated_transcript(["en"])


def test_timedtext_is_served_as_utf8_xml(youtube_url: str, youtube_app: web.Application) -> None:
    session = rewriting_session(youtube_url)
    response = session.get(
        "https://www.youtube.com/api/timedtext?v=pindSeoul01&lang=ko", timeout=10
    )
    assert response.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert "서울역" in response.text
    assert requests_seen(youtube_app)[-1].path_qs.startswith("/api/timedtext?v=pindSeoul01")


@pytest.mark.parametrize(
    ("video_id", "error"),
    [
        ("pindBusan03", TranscriptsDisabled),
        ("pindRemove1", VideoUnavailable),
        ("pindNoSuch1", VideoUnavailable),
        ("pindAgeGat1", AgeRestricted),
        ("pindBotChk1", RequestBlocked),
        ("pindIpBlock", IpBlocked),
        ("pindTooMany", IpBlocked),
        ("pindPrivat1", VideoUnplayable),
        ("pindMember1", VideoUnplayable),
        ("pindLiveUp1", VideoUnplayable),
    ],
)
def test_failure_modes_raise_the_library_exceptions(
    api: YouTubeTranscriptApi, video_id: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        api.list(video_id)
    assert type(caught.value) is error  # IpBlocked is a RequestBlocked: be exact
    assert video_id in str(caught.value)


def test_po_token_required_when_fetching(api: YouTubeTranscriptApi) -> None:
    transcript = api.list("pindPoToken").find_transcript(["ko"])
    with pytest.raises(PoTokenRequired):
        transcript.fetch()


def test_rewriting_wins_over_a_generic_https_adapter(youtube_url: str) -> None:
    # youtube-transcript-api mounts HTTPAdapter(max_retries=...) on "https://" when a
    # proxy config asks for retries; the YouTube-host adapter must still be chosen.
    session = mount(requests.Session(), youtube_url)
    session.mount("https://", HTTPAdapter(max_retries=2))
    response = session.get("https://www.youtube.com/watch?v=pindSeoul01", timeout=10)
    assert response.status_code == 200
    assert '"INNERTUBE_API_KEY"' in response.text


def test_rewriting_session_rejects_a_non_http_base() -> None:
    with pytest.raises(ValueError, match="not an http"):
        rewriting_session("127.0.0.1:8900")
