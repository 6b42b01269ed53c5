from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from pind_fakes import youtube
from pind_fakes.serving import serve_in_thread
from pind_fakes.settings import FakesSettings


@pytest.fixture(scope="session")
def youtube_app() -> web.Application:
    return youtube.create_app(FakesSettings())


@pytest.fixture(scope="session")
def youtube_url(youtube_app: web.Application) -> Iterator[str]:
    """The fake YouTube, in a thread: yt-dlp is a blocking client."""
    with serve_in_thread(youtube_app) as url:
        yield url


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return FakesSettings().samples_dir
