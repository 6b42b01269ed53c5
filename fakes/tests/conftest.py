"""Fake servers for the tests: each runs on its own loop in a thread, so that blocking
clients (yt-dlp, youtube-transcript-api, requests) and async ones both reach it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from pind_fakes import gemini, geocoders, youtube
from pind_fakes.serving import serve_in_thread
from pind_fakes.settings import FakesSettings


@pytest.fixture(scope="session")
def settings() -> FakesSettings:
    return FakesSettings()


@pytest.fixture(scope="session")
def gazetteer_settings(settings: FakesSettings) -> FakesSettings:
    if not settings.gazetteer_dir.is_dir():
        pytest.fail(f"the gazetteer is not at {settings.gazetteer_dir} (PIND_FAKES_GAZETTEER_DIR)")
    return settings


@pytest.fixture(scope="session")
def youtube_app(settings: FakesSettings) -> web.Application:
    return youtube.create_app(settings)


@pytest.fixture(scope="session")
def youtube_url(youtube_app: web.Application) -> Iterator[str]:
    with serve_in_thread(youtube_app) as url:
        yield url


@pytest.fixture(scope="session")
def gemini_url(gazetteer_settings: FakesSettings) -> Iterator[str]:
    settings = gazetteer_settings.model_copy(update={"gemini_slow_s": 5.0})
    with serve_in_thread(gemini.create_app(settings)) as url:
        yield url


@pytest.fixture(scope="session")
def geocoders_url(gazetteer_settings: FakesSettings) -> Iterator[str]:
    with serve_in_thread(geocoders.create_app(gazetteer_settings)) as url:
        yield url


@pytest.fixture(scope="session")
def samples_dir(settings: FakesSettings) -> Path:
    return settings.samples_dir
