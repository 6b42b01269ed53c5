"""The fake YouTube, in this test process, on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from pind_fakes.serving import serve
from pind_fakes.settings import FakesSettings
from pind_fakes.youtube import create_app
from pind_transcript.adapters.whisper import WhisperRecogniser
from pind_transcript.settings import TranscriptSettings


@pytest.fixture(scope="session")
def fake_youtube_app() -> web.Application:
    return create_app(FakesSettings())


@pytest.fixture(scope="session")
async def fake_youtube(fake_youtube_app: web.Application) -> AsyncIterator[str]:
    """The fake YouTube's base URL."""
    async with serve(fake_youtube_app) as url:
        yield url


@pytest.fixture(scope="session")
def whisper() -> WhisperRecogniser:
    """One Whisper model for every test that listens (loading takes seconds)."""
    recogniser = WhisperRecogniser(
        TranscriptSettings(database_url="postgresql+asyncpg://unused@127.0.0.1:1/unused")
    )
    recogniser.load()
    return recogniser
