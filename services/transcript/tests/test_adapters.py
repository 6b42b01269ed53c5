"""youtube-transcript-api and yt-dlp against the fake YouTube, through our adapters."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from pind_fakes import serving
from pind_fakes.serving import requests_seen
from pind_fakes.settings import FakesSettings
from pind_transcript.adapters.captions import CaptionsClient
from pind_transcript.adapters.subtitles import SubtitleDownloader
from pind_transcript.domain.transcript import YoutubeRefused
from pind_transcript.settings import TranscriptSettings

KO_EN = ("ko", "en")


def settings(fake_youtube: str, **overrides: Any) -> TranscriptSettings:
    return TranscriptSettings(
        database_url="postgresql+asyncpg://unused@127.0.0.1:1/unused",
        youtube_base_url=fake_youtube,
        youtube_recorded_url=fake_youtube,
        **overrides,
    )


def recorded_track(video_id: str, lang: str, kind: str) -> list[dict[str, Any]]:
    """The segments the sample's captions.json holds for one track."""
    path = FakesSettings().samples_dir / video_id / "captions.json"
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    track = next(t for t in data["tracks"] if t["lang"] == lang and t["kind"] == kind)
    return list(track["segments"])


# --- youtube-transcript-api -------------------------------------------------


async def test_manual_korean_captions_come_first_with_their_times(fake_youtube: str) -> None:
    transcript = await CaptionsClient(settings(fake_youtube)).transcribe("pindSeoul01", KO_EN)

    assert transcript is not None
    assert (transcript.source, transcript.language) == ("manual", "ko")
    expected = recorded_track("pindSeoul01", "ko", "manual")
    assert [(s.start_s, s.duration_s, s.text) for s in transcript.segments] == [
        (e["start"], e["dur"], e["text"]) for e in expected
    ]
    assert transcript.segments[2].text == "여기가 바로 광장시장이에요."


async def test_a_preferred_language_track_is_read_as_it_is(fake_youtube: str) -> None:
    transcript = await CaptionsClient(settings(fake_youtube)).transcribe("pindHongdae", KO_EN)
    assert transcript is not None
    assert (transcript.source, transcript.language) == ("manual", "en")


async def test_only_another_language_is_translated(
    fake_youtube: str, fake_youtube_app: web.Application
) -> None:
    transcript = await CaptionsClient(settings(fake_youtube)).transcribe("pindHongdae", ("ko",))

    assert transcript is not None
    assert (transcript.source, transcript.language) == ("translated", "ko")
    assert len(transcript.segments) == len(recorded_track("pindHongdae", "en", "manual"))
    assert any("tlang=ko" in r.path_qs for r in requests_seen(fake_youtube_app))


async def test_a_video_without_captions_has_none(fake_youtube: str) -> None:
    assert await CaptionsClient(settings(fake_youtube)).transcribe("pindBusan03", KO_EN) is None


async def test_an_unplayable_video_has_no_captions(fake_youtube: str) -> None:
    assert await CaptionsClient(settings(fake_youtube)).transcribe("pindPrivat1", KO_EN) is None


@pytest.mark.parametrize("video_id", ["pindIpBlock", "pindTooMany", "pindPoToken"])
async def test_blocking_is_retryable(fake_youtube: str, video_id: str) -> None:
    with pytest.raises(YoutubeRefused):
        await CaptionsClient(settings(fake_youtube)).transcribe(video_id, KO_EN)


@pytest.fixture
async def refusing_proxy() -> AsyncIterator[tuple[str, list[str]]]:
    async with serving.refusing_proxy() as proxy:
        yield proxy


async def test_captions_go_through_the_configured_proxy(
    fake_youtube: str, refusing_proxy: tuple[str, list[str]]
) -> None:
    proxy_url, seen = refusing_proxy
    client = CaptionsClient(settings(fake_youtube, youtube_proxy=proxy_url))
    with pytest.raises(YoutubeRefused, match="503"):
        await client.transcribe("pindSeoul01", KO_EN)
    assert seen and seen[0].endswith("/watch?v=pindSeoul01")


# --- yt-dlp subtitle files ----------------------------------------------------


async def test_subtitle_files_are_downloaded_and_parsed(
    fake_youtube: str, fake_youtube_app: web.Application
) -> None:
    before = len(requests_seen(fake_youtube_app))

    transcript = await SubtitleDownloader(settings(fake_youtube)).transcribe("pindSeoul01", KO_EN)

    assert transcript is not None
    assert (transcript.source, transcript.language) == ("subtitles", "ko")
    expected = recorded_track("pindSeoul01", "ko", "manual")
    assert [s.text for s in transcript.segments] == [e["text"] for e in expected]
    assert [s.start_s for s in transcript.segments] == [e["start"] for e in expected]
    assert [s.duration_s for s in transcript.segments] == pytest.approx(
        [e["dur"] for e in expected]
    )
    fetched = [r.path_qs for r in requests_seen(fake_youtube_app)[before:]]
    assert fetched[0] == "/recorded/pindSeoul01"
    # One track, as WebVTT, and no media.
    timedtext = [p for p in fetched if p.startswith("/api/timedtext")]
    assert len(timedtext) == 1 and "fmt=vtt" in timedtext[0] and "kind=asr" not in timedtext[0]
    assert not any(p.startswith("/videoplayback") for p in fetched)


async def test_without_a_preferred_track_the_video_language_is_read(fake_youtube: str) -> None:
    downloader = SubtitleDownloader(settings(fake_youtube))
    # No French track: the best track the video has (manual Korean) is read as it is;
    # YouTube's machine translations in automatic_captions are not tracks.
    transcript = await downloader.transcribe("pindSeoul01", ("fr",))
    assert transcript is not None
    assert (transcript.language, transcript.segments[0].text) == (
        "ko",
        "안녕하세요 여러분! 오늘은 서울역에서 시작합니다.",
    )


async def test_no_subtitle_tracks_gives_none(fake_youtube: str) -> None:
    downloader = SubtitleDownloader(settings(fake_youtube))
    assert await downloader.transcribe("pindBusan03", KO_EN) is None
    assert await downloader.transcribe("pindPrivat1", KO_EN) is None


async def test_subtitles_go_through_the_configured_proxy(
    fake_youtube: str, refusing_proxy: tuple[str, list[str]]
) -> None:
    proxy_url, seen = refusing_proxy
    downloader = SubtitleDownloader(settings(fake_youtube, youtube_proxy=proxy_url))
    with pytest.raises(YoutubeRefused):
        await downloader.transcribe("pindSeoul01", KO_EN)
    assert seen == [f"{fake_youtube}/recorded/pindSeoul01"]


async def test_subtitles_blocked_by_youtube_are_retryable(fake_youtube: str) -> None:
    with pytest.raises(YoutubeRefused):
        await SubtitleDownloader(settings(fake_youtube)).transcribe("pindBotChk1", KO_EN)
