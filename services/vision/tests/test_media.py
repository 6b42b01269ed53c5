"""Fetching the stream with yt-dlp from the fake YouTube (and small local servers)."""

from __future__ import annotations

import asyncio
import json
import socket
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from pind_fakes.serving import requests_seen, serve
from pind_vision.adapters.media import MediaFetcher, choose_format
from pind_vision.domain.failures import MediaUnreachable, VisionErrorCode, VisionNotPossible
from pind_vision.settings import VisionSettings

Settings = Callable[..., VisionSettings]


@pytest.fixture(scope="module")
def recorded_info(samples_dir: Path) -> dict[str, Any]:
    info: dict[str, Any] = json.loads((samples_dir / "pindSeoul01" / "info.json").read_text())
    return info


def our_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("pind-vision-*"))


def test_the_lowest_stream_of_at_least_360p_is_chosen(recorded_info: dict[str, Any]) -> None:
    formats = recorded_info["formats"]

    chosen = choose_format(formats, min_height=360)

    # 134 (360p, video only) over 18 (360p with audio, larger) and 160 (144p).
    assert chosen is not None and chosen["format_id"] == "134"


def test_without_360p_the_tallest_smaller_stream_is_chosen() -> None:
    formats: list[dict[str, Any]] = [
        {"format_id": "160", "vcodec": "avc1", "acodec": "none", "height": 144, "filesize": 10},
        {"format_id": "133", "vcodec": "avc1", "acodec": "none", "height": 240, "filesize": 20},
        {"format_id": "sb0", "vcodec": "none", "ext": "mhtml", "height": 360},
        {"format_id": "140", "vcodec": "none", "acodec": "mp4a", "height": None},
    ]

    chosen = choose_format(formats, min_height=360)

    assert chosen is not None and chosen["format_id"] == "133"


def test_audio_only_and_storyboards_have_no_picture() -> None:
    formats: list[dict[str, Any]] = [
        {"format_id": "140", "vcodec": "none", "acodec": "mp4a"},
        {"format_id": "sb0", "vcodec": "none", "ext": "mhtml", "height": 90},
    ]

    assert choose_format(formats, min_height=360) is None


async def test_fetches_the_stream_and_thumbnail_then_removes_them(
    fake_youtube: str, fake_youtube_app: web.Application, make_settings: Settings
) -> None:
    fetcher = MediaFetcher(make_settings(youtube_recorded_url=fake_youtube))
    before = len(requests_seen(fake_youtube_app))

    async with fetcher.fetch("pindSeoul01") as media:
        folder = media.video_path.parent
        assert media.format_id == "134"
        assert (media.width, media.height, media.duration_s) == (640, 360, 40)
        assert media.video_path.stat().st_size == 936771
        assert media.thumbnail_path is not None and media.thumbnail_path.suffix == ".jpg"
        assert media.thumbnail_path.read_bytes()[:2] == b"\xff\xd8"

    assert not folder.exists()
    paths = [r.path_qs for r in requests_seen(fake_youtube_app)[before:]]
    assert paths[0] == "/recorded/pindSeoul01"
    assert any("itag=134" in p for p in paths)
    assert not any("itag=18&" in p or "itag=140" in p for p in paths)
    assert "/vi/pindSeoul01/maxresdefault.jpg" in paths


async def test_the_folder_goes_when_the_caller_fails(
    fake_youtube: str, make_settings: Settings
) -> None:
    fetcher = MediaFetcher(make_settings(youtube_recorded_url=fake_youtube))
    before = our_folders()

    with pytest.raises(RuntimeError, match="reading failed"):
        async with fetcher.fetch("pindSeoul01"):
            raise RuntimeError("reading failed")

    assert our_folders() == before


@pytest.mark.parametrize(
    ("video_id", "code", "state", "retryable"),
    [
        ("pindPrivat1", VisionErrorCode.UNAVAILABLE, "failed", False),
        ("pindRemove1", VisionErrorCode.UNAVAILABLE, "failed", False),
        ("pindBotChk1", VisionErrorCode.BLOCKED, "failed", True),
    ],
)
async def test_youtube_refusals_become_readable_outcomes(
    fake_youtube: str,
    make_settings: Settings,
    video_id: str,
    code: VisionErrorCode,
    state: str,
    retryable: bool,
) -> None:
    fetcher = MediaFetcher(make_settings(youtube_recorded_url=fake_youtube))

    with pytest.raises(VisionNotPossible) as caught:
        async with fetcher.fetch(video_id):
            pass

    assert (caught.value.code, caught.value.state, caught.value.retryable) == (
        code,
        state,
        retryable,
    )


async def test_a_stream_over_the_size_cap_is_skipped_without_downloading(
    fake_youtube: str, fake_youtube_app: web.Application, make_settings: Settings
) -> None:
    fetcher = MediaFetcher(
        make_settings(youtube_recorded_url=fake_youtube, media_max_filesize_mb=0.5)
    )
    before = len(requests_seen(fake_youtube_app))

    with pytest.raises(VisionNotPossible) as caught:
        async with fetcher.fetch("pindSeoul01"):
            pass

    assert (caught.value.code, caught.value.state) == (VisionErrorCode.TOO_LARGE, "skipped")
    assert "1 MB" in caught.value.reason
    assert [r.path_qs for r in requests_seen(fake_youtube_app)[before:]] == [
        "/recorded/pindSeoul01"
    ]


@pytest.fixture
async def audio_only_youtube(recorded_info: dict[str, Any]) -> AsyncIterator[str]:
    """A recorded-info server whose one video has only an audio stream."""
    info = dict(
        recorded_info, formats=[f for f in recorded_info["formats"] if f["vcodec"] == "none"]
    )

    async def recorded(request: web.Request) -> web.Response:
        return web.json_response(info)

    app = web.Application()
    app.router.add_get("/recorded/{video_id}", recorded)
    async with serve(app) as url:
        yield url


async def test_a_video_without_a_picture_is_skipped(
    audio_only_youtube: str, make_settings: Settings
) -> None:
    fetcher = MediaFetcher(make_settings(youtube_recorded_url=audio_only_youtube))

    with pytest.raises(VisionNotPossible) as caught:
        async with fetcher.fetch("pindSeoul01"):
            pass

    assert (caught.value.code, caught.value.state) == (VisionErrorCode.NO_VIDEO, "skipped")


async def test_an_unreachable_youtube_is_transient(make_settings: Settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    fetcher = MediaFetcher(
        make_settings(youtube_recorded_url=f"http://127.0.0.1:{closed}", media_socket_timeout_s=2)
    )

    with pytest.raises(MediaUnreachable):
        async with fetcher.fetch("pindSeoul01"):
            pass


@pytest.fixture
async def slow_youtube(recorded_info: dict[str, Any]) -> AsyncIterator[tuple[str, asyncio.Event]]:
    """Serves a stream that trickles: 64 KiB at once, then 4 KiB every 20 ms
    (yt-dlp's progress hook, where a stop is noticed, runs once per block read)."""
    started = asyncio.Event()

    async def recorded(request: web.Request) -> web.Response:
        video = dict(
            recorded_info["formats"][1], url=f"http://{request.host}/stream.mp4", filesize=10**7
        )
        return web.json_response(
            dict(recorded_info, formats=[video], thumbnails=[], thumbnail=None)
        )

    async def stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "video/mp4"})
        response.content_length = 10**7
        await response.prepare(request)
        await response.write(b"\0" * 65536)
        started.set()
        for _ in range(2000):
            await asyncio.sleep(0.02)
            await response.write(b"\0" * 4096)
        return response

    app = web.Application()
    app.router.add_get("/recorded/{video_id}", recorded)
    app.router.add_get("/stream.mp4", stream)
    async with serve(app) as url:
        yield url, started


async def test_a_cancelled_fetch_stops_and_removes_its_folder(
    slow_youtube: tuple[str, asyncio.Event], make_settings: Settings
) -> None:
    url, started = slow_youtube
    fetcher = MediaFetcher(make_settings(youtube_recorded_url=url, read_thumbnail=False))
    before = our_folders()

    async def fetch() -> None:
        async with fetcher.fetch("pindSeoul01"):
            pytest.fail("the download cannot have finished")

    task = asyncio.create_task(fetch())
    await asyncio.wait_for(started.wait(), timeout=30)
    assert len(our_folders() - before) == 1  # downloading now
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=30)

    assert our_folders() == before
