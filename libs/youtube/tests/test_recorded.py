"""yt-dlp, unmodified but for the recorded-info extractor, against the fake YouTube."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yt_dlp
from aiohttp import web
from yt_dlp.utils import DownloadError, ExtractorError

from pind_fakes.serving import requests_seen
from pind_youtube import recorded as recorded_youtube

Installer = Callable[[yt_dlp.YoutubeDL, str], None]
INSTALLERS = [pytest.param(recorded_youtube.register, id="register")]


def _ydl(install: Installer, base_url: str, **params: Any) -> yt_dlp.YoutubeDL:
    ydl = yt_dlp.YoutubeDL({"quiet": True, "noprogress": True, "no_warnings": True, **params})
    install(ydl, base_url)
    return ydl


@pytest.mark.parametrize("install", INSTALLERS)
def test_extract_info_runs_yt_dlp_processing(install: Installer, youtube_url: str) -> None:
    with _ydl(install, youtube_url, format="bv+ba") as ydl:
        info = ydl.extract_info("https://youtu.be/pindSeoul01?si=abc", download=False)
    assert info["id"] == "pindSeoul01"
    assert info["title"].startswith("서울 전통시장 먹방 투어")
    # Processing happened: formats sorted worst → best, a selection was made.
    assert [f["format_id"] for f in info["formats"]] == ["140", "160", "134", "18"]
    assert [f["format_id"] for f in info["requested_formats"]] == ["134", "140"]
    assert info["format_id"] == "134+140"
    assert info["formats"][0]["url"].startswith(f"{youtube_url}/videoplayback?")
    assert info["thumbnail"] == f"{youtube_url}/vi/pindSeoul01/maxresdefault.jpg"
    assert info["duration_string"] == "40"
    assert [c["title"] for c in info["chapters"]][:2] == ["서울역 출발", "광장시장"]
    assert info["extractor_key"] == "Youtube"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=pindHongdae",
        "https://www.youtube.com/watch?feature=share&v=pindHongdae&t=30s",
        "http://youtube.com/watch?v=pindHongdae",
        "https://m.youtube.com/watch?v=pindHongdae",
        "https://music.youtube.com/watch?v=pindHongdae&list=RD",
        "https://youtu.be/pindHongdae",
        "https://www.youtube.com/shorts/pindHongdae",
        "https://www.youtube.com/embed/pindHongdae?start=3",
        "https://www.youtube-nocookie.com/embed/pindHongdae",
        "https://www.youtube.com/live/pindHongdae?feature=shared",
    ],
)
def test_every_youtube_url_form_reaches_the_recorded_server(youtube_url: str, url: str) -> None:
    with _ydl(recorded_youtube.register, youtube_url) as ydl:
        info = ydl.extract_info(url, download=False, process=False)
    assert info["id"] == "pindHongdae"
    assert info["extractor"] == "youtube"


def test_urls_that_are_not_youtube_videos_do_not_match() -> None:
    suitable = recorded_youtube.RecordedYoutubeIE.suitable
    assert not suitable("https://www.youtube.com/watch?v=short")
    assert not suitable("https://www.youtube.com/@strollingfoodie-pind")
    assert not suitable("https://vimeo.com/pindSeoul01")
    assert not suitable("https://www.youtube.com/watch?v=pindSeoul01x")


@pytest.mark.parametrize("install", INSTALLERS)
def test_downloads_worst_video_with_range_requests(
    install: Installer,
    youtube_url: str,
    youtube_app: web.Application,
    samples_dir: Path,
    tmp_path: Path,
) -> None:
    params = {"format": "worstvideo", "paths": {"home": str(tmp_path)}, "outtmpl": "%(id)s.%(ext)s"}
    with _ydl(install, youtube_url, **params) as ydl:
        info = ydl.extract_info("https://www.youtube.com/watch?v=pindBusan03", download=True)
    assert info["format_id"] == "160"
    downloaded = tmp_path / "pindBusan03.mp4"
    assert downloaded.read_bytes() == (samples_dir / "pindBusan03" / "video_144p.mp4").read_bytes()
    media_requests = [
        r
        for r in requests_seen(youtube_app)
        if r.path_qs.startswith("/videoplayback?id=pindBusan03&itag=160")
    ]
    # yt-dlp asks for YouTube media in chunks (http_chunk_size) with a Range header.
    assert media_requests and all(
        r.headers.get("Range", "").startswith("bytes=0-") for r in media_requests
    )


def test_writes_vtt_subtitles_and_translated_automatic_captions(
    youtube_url: str, tmp_path: Path
) -> None:
    params = {
        "skip_download": True,
        "writesubtitles": True,
        "writeautomaticsub": True,
        "subtitleslangs": ["ko", "en"],
        "subtitlesformat": "vtt",
        "paths": {"home": str(tmp_path)},
        "outtmpl": "%(id)s.%(ext)s",
    }
    with _ydl(recorded_youtube.register, youtube_url, **params) as ydl:
        info = ydl.extract_info("https://www.youtube.com/watch?v=pindSeoul01", download=True)
    assert set(info["requested_subtitles"]) == {"ko", "en"}
    korean = (tmp_path / "pindSeoul01.ko.vtt").read_text(encoding="utf-8")
    assert korean.startswith("WEBVTT")
    assert (
        "00:00:00.500 --> 00:00:03.500\n안녕하세요 여러분! 오늘은 서울역에서 시작합니다." in korean
    )
    english = (tmp_path / "pindSeoul01.en.vtt").read_text(encoding="utf-8")
    assert "[ko→en] 안녕하세요 여러분" in english  # the fake's stand-in translation


def test_json3_subtitles_of_english_only_video(youtube_url: str, tmp_path: Path) -> None:
    params = {
        "skip_download": True,
        "writesubtitles": True,
        "subtitleslangs": ["all"],
        "subtitlesformat": "json3",
        "paths": {"home": str(tmp_path)},
        "outtmpl": "%(id)s.%(ext)s",
    }
    with _ydl(recorded_youtube.register, youtube_url, **params) as ydl:
        info = ydl.extract_info("https://youtu.be/pindHongdae", download=True)
    assert set(info["requested_subtitles"]) == {"en"}
    events = json.loads((tmp_path / "pindHongdae.en.json3").read_text(encoding="utf-8"))["events"]
    assert events[0]["tStartMs"] == 500
    assert events[0]["segs"][0]["utf8"].startswith("Hey guys")


@pytest.mark.parametrize(
    ("video_id", "expected"),
    [
        ("pindPrivat1", "Private video. Sign in if you've been granted access to this video"),
        ("pindRemove1", "Video unavailable. This video has been removed by the uploader"),
        ("pindAgeGat1", "Sign in to confirm your age"),
        ("pindMember1", "Join this channel to get access to members-only content"),
        ("pindLiveUp1", "This live event will begin in 3 hours."),
        ("pindBotChk1", "Sign in to confirm you’re not a bot"),
        ("pindNoSuch1", "Video unavailable. This video is not available"),
    ],
)
@pytest.mark.parametrize("install", INSTALLERS)
def test_error_fixtures_raise_yt_dlp_errors(
    install: Installer, youtube_url: str, video_id: str, expected: str
) -> None:
    with _ydl(install, youtube_url) as ydl, pytest.raises(DownloadError) as caught:
        ydl.extract_info(f"https://www.youtube.com/watch?v={video_id}", download=False)
    assert caught.value.msg.startswith(f"ERROR: [youtube] {video_id}: {expected}")
    cause = caught.value.exc_info[1]
    assert isinstance(cause, ExtractorError) and cause.expected


def test_too_long_fixture_plays_but_reports_five_hours(youtube_url: str) -> None:
    with _ydl(recorded_youtube.register, youtube_url) as ydl:
        info = ydl.extract_info("https://youtu.be/pindTooLong", download=False)
    assert info["id"] == "pindTooLong"
    assert info["duration"] == 18000
    assert all("id=pindTooLong" in f["url"] for f in info["formats"])
