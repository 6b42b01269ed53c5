"""All three fakes together: in one process on their ports, or in-process for tests."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from pind_fakes import gemini, geocoders, youtube
from pind_fakes.serving import serve
from pind_fakes.settings import FakesSettings

log = logging.getLogger("pind_fakes")

FAKES: dict[str, Callable[[FakesSettings], web.Application]] = {
    "youtube": youtube.create_app,
    "gemini": gemini.create_app,
    "geocoders": geocoders.create_app,
}


def port_of(name: str, settings: FakesSettings) -> int:
    return {
        "youtube": settings.youtube_port,
        "gemini": settings.gemini_port,
        "geocoders": settings.geocoders_port,
    }[name]


@dataclass(frozen=True, slots=True)
class FakeUrls:
    youtube: str
    gemini: str
    geocoders: str


@asynccontextmanager
async def fakes_running(
    settings: FakesSettings | None = None, *, free_ports: bool = True
) -> AsyncIterator[FakeUrls]:
    """Start all three fakes; yield their base URLs. ``free_ports``: ignore the configured
    ports and let the OS pick (what tests want)."""
    settings = settings or FakesSettings()
    async with AsyncExitStack() as stack:
        urls = {}
        for name, factory in FAKES.items():
            port = 0 if free_ports else port_of(name, settings)
            urls[name] = await stack.enter_async_context(
                serve(factory(settings), settings.host, port)
            )
        yield FakeUrls(**urls)


async def run_forever(names: list[str], settings: FakesSettings) -> None:
    """Serve the named fakes on their configured ports until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with AsyncExitStack() as stack:
        for name in names:
            url = await stack.enter_async_context(
                serve(FAKES[name](settings), settings.host, port_of(name, settings))
            )
            log.info("fake %s listening on %s", name, url)
        await stop.wait()
        log.info("stopping")
