"""yt-dlp against the fake YouTube (recorded info server), through our adapter."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from aiohttp import web

from pind_contracts import AnalysisOptions, VideoRequested
from pind_fakes import serving
from pind_fakes.serving import requests_seen, serve
from pind_ingest.adapters.youtube import YoutubeMetadataReader
from pind_ingest.domain.failures import (
    IngestErrorCode,
    VideoNotIngestible,
    YoutubeUnreachable,
)
from pind_ingest.domain.metadata import caption_tracks
from pind_ingest.service import IngestService
from pind_ingest.settings import IngestSettings
from pind_youtube import pool


def settings(recorded_url: str, **overrides: Any) -> IngestSettings:
    return IngestSettings(
        database_url="postgresql+asyncpg://unused@127.0.0.1:1/unused",
        youtube_recorded_url=recorded_url,
        **overrides,
    )


def request_for(video_id: str) -> VideoRequested:
    return VideoRequested(
        job_id=uuid4(),
        video_id=video_id,
        url=f"https://www.youtube.com/watch?v={video_id}",
        requested_at=datetime.now(UTC),
        options=AnalysisOptions(),
    )


async def test_reads_a_korean_vlog_without_downloading_media(
    fake_youtube: str, fake_youtube_app: web.Application
) -> None:
    before = len(requests_seen(fake_youtube_app))
    reader = YoutubeMetadataReader(settings(fake_youtube))

    ingested = await IngestService(reader, max_duration_s=3600).ingest(request_for("pindSeoul01"))

    metadata = ingested.metadata
    assert (
        metadata.title == "서울 전통시장 먹방 투어 🍜 광장시장 빈대떡부터 통인시장 엽전도시락까지"
    )
    assert "광장시장: 서울 종로구 창경궁로 88" in metadata.description
    assert metadata.duration_s == 40
    assert metadata.channel == "산책하는 먹보 Strolling Foodie"
    assert metadata.upload_date == date(2025, 10, 3)
    assert metadata.language == "ko"
    assert "광장시장" in metadata.tags
    assert [c.title for c in metadata.chapters][:2] == ["서울역 출발", "광장시장"]
    assert {t.url.rsplit("/", 1)[1] for t in metadata.thumbnails} == {
        "hqdefault.jpg",
        "maxresdefault.jpg",
    }
    assert metadata.webpage_url == "https://www.youtube.com/watch?v=pindSeoul01"
    assert {(t.lang, t.kind) for t in ingested.caption_tracks} == {
        ("ko", "manual"),
        ("ko", "generated"),
    }
    # Only the recorded info was fetched: no media, no captions, no thumbnails.
    assert [r.path_qs for r in requests_seen(fake_youtube_app)[before:]] == [
        "/recorded/pindSeoul01"
    ]


async def test_english_only_vlog_reports_its_one_manual_track(fake_youtube: str) -> None:
    info = await YoutubeMetadataReader(settings(fake_youtube)).read("pindHongdae")
    assert [(t.lang, t.kind) for t in caption_tracks(info)] == [("en", "manual")]


@pytest.mark.parametrize(
    ("video_id", "code", "retryable"),
    [
        ("pindPrivat1", IngestErrorCode.PRIVATE, False),
        ("pindRemove1", IngestErrorCode.UNAVAILABLE, False),
        ("pindAgeGat1", IngestErrorCode.AGE_RESTRICTED, False),
        ("pindMember1", IngestErrorCode.MEMBERS_ONLY, False),
        ("pindLiveUp1", IngestErrorCode.UPCOMING, True),
        ("pindBotChk1", IngestErrorCode.BLOCKED, True),
        ("pindNoSuch1", IngestErrorCode.UNAVAILABLE, False),
    ],
)
async def test_youtube_errors_become_readable_failures(
    fake_youtube: str, video_id: str, code: IngestErrorCode, retryable: bool
) -> None:
    reader = YoutubeMetadataReader(settings(fake_youtube))
    with pytest.raises(VideoNotIngestible) as caught:
        await reader.read(video_id)
    assert caught.value.code == code
    assert caught.value.retryable is retryable


async def test_a_video_over_the_configured_length_is_refused(fake_youtube: str) -> None:
    config = settings(fake_youtube, max_duration_s=3 * 3600)
    service = IngestService(YoutubeMetadataReader(config), config.max_duration_s)
    with pytest.raises(VideoNotIngestible) as caught:
        await service.ingest(request_for("pindTooLong"))
    assert caught.value.code == IngestErrorCode.TOO_LONG
    assert "5:00:00" in caught.value.reason and "3:00:00" in caught.value.reason


async def test_a_refused_connection_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reader = YoutubeMetadataReader(settings(f"http://127.0.0.1:{port}"))
    with pytest.raises(YoutubeUnreachable):
        await reader.read("pindSeoul01")


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    release = asyncio.Event()

    async def stall(_: web.Request) -> web.Response:
        await release.wait()
        return web.Response(status=204)

    app = web.Application()
    app.router.add_get("/recorded/{video_id}", stall)
    async with serve(app) as url:
        yield url
        release.set()


async def test_a_server_that_never_answers_times_out_as_transient(silent_server: str) -> None:
    reader = YoutubeMetadataReader(settings(silent_server, metadata_socket_timeout_s=0.5))
    with pytest.raises(YoutubeUnreachable):
        await asyncio.wait_for(reader.read("pindSeoul01"), timeout=20)


async def test_the_overall_limit_holds_even_when_sockets_would_wait(silent_server: str) -> None:
    reader = YoutubeMetadataReader(
        settings(silent_server, metadata_socket_timeout_s=30, metadata_timeout_s=0.5)
    )
    with pytest.raises(YoutubeUnreachable, match="did not answer within"):
        await asyncio.wait_for(reader.read("pindSeoul01"), timeout=20)


async def test_only_video_ids_are_accepted() -> None:
    reader = YoutubeMetadataReader(settings("http://127.0.0.1:9"))
    with pytest.raises(ValueError, match="not a YouTube video id"):
        await reader.read("https://evil.example/x")


@pytest.fixture
async def refusing_proxy() -> AsyncIterator[tuple[str, list[str]]]:
    async with serving.refusing_proxy() as proxy:
        yield proxy


async def test_requests_go_through_the_configured_proxy(
    fake_youtube: str, refusing_proxy: tuple[str, list[str]]
) -> None:
    proxy_url, seen = refusing_proxy
    reader = YoutubeMetadataReader(settings(fake_youtube, youtube_proxy=proxy_url))
    with pytest.raises(YoutubeUnreachable):
        await reader.read("pindSeoul01")
    assert seen == [f"{fake_youtube}/recorded/pindSeoul01"]


async def test_the_cookies_file_is_sent_and_left_untouched(
    fake_youtube: str, fake_youtube_app: web.Application, tmp_path: Path
) -> None:
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(
        "# Netscape HTTP Cookie File\n"
        "127.0.0.1\tFALSE\t/\tFALSE\t2145916800\tSID\tpind-test-session\n",
        encoding="utf-8",
    )
    original = cookies.read_bytes()
    before = len(requests_seen(fake_youtube_app))

    await YoutubeMetadataReader(settings(fake_youtube, youtube_cookies_file=cookies)).read(
        "pindSeoul01"
    )

    sent = requests_seen(fake_youtube_app)[before:]
    assert [r.headers.get("Cookie") for r in sent] == ["SID=pind-test-session"]
    assert cookies.read_bytes() == original


async def test_one_downloader_serves_reads_one_after_another_and_a_failed_one_is_closed(
    fake_youtube: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Any] = []
    closed: list[Any] = []
    real = pool.yt_dlp.YoutubeDL

    class CountingYoutubeDL(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            built.append(self)

        def close(self) -> None:
            closed.append(self)
            super().close()

    monkeypatch.setattr(pool.yt_dlp, "YoutubeDL", CountingYoutubeDL)
    reader = YoutubeMetadataReader(settings(fake_youtube))

    first = await reader.read("pindSeoul01")
    second = await reader.read("pindHongdae")
    assert (first["id"], second["id"]) == ("pindSeoul01", "pindHongdae")
    assert len(built) == 1 and closed == []

    with pytest.raises(VideoNotIngestible):
        await reader.read("pindNoSuch1")
    assert closed == built  # the downloader that raised is not reused
    assert (await reader.read("pindSeoul01"))["id"] == "pindSeoul01"
    assert len(built) == 2

    workdir = built[1].params["paths"]["home"]
    assert await asyncio.to_thread(os.path.isdir, workdir)
    reader.close()
    assert closed == built and not await asyncio.to_thread(os.path.exists, workdir)
