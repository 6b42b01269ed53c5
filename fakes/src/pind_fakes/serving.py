"""Run fake servers: in-process for async tests, in a thread for sync code, or for good."""

from __future__ import annotations

import asyncio
import collections
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path_qs: str
    headers: dict[str, str]


REQUEST_LOG: web.AppKey[collections.deque[RecordedRequest]] = web.AppKey(
    "request_log", collections.deque
)


@web.middleware
async def record_requests(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Keep the last requests so that tests can assert what a client really sent."""
    request.app[REQUEST_LOG].append(
        RecordedRequest(request.method, request.path_qs, dict(request.headers))
    )
    return await handler(request)


def new_app() -> web.Application:
    app = web.Application(middlewares=[record_requests])
    app[REQUEST_LOG] = collections.deque(maxlen=500)

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)
    return app


def requests_seen(app: web.Application) -> list[RecordedRequest]:
    log: collections.deque[RecordedRequest] = app[REQUEST_LOG]  # type: ignore[index,unused-ignore]
    return list(log)


@asynccontextmanager
async def serve(app: web.Application, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Start ``app`` (port 0: a free one) and yield its base URL, e.g. http://127.0.0.1:43121."""
    # handler_cancellation: a client that gives up (timeout tests) cancels its handler,
    # so a deliberately slow handler does not hold the shutdown.
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    try:
        yield f"http://{bound_host}:{bound_port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def refusing_proxy() -> AsyncIterator[tuple[str, list[str]]]:
    """An HTTP proxy that notes each request's target URL and answers 503: yields
    its URL and the list of targets (to prove a client went through the proxy)."""
    seen: list[str] = []

    async def refuse(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        return web.Response(status=503, text="proxy says no")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", refuse)
    async with serve(app) as url:
        yield url, seen


@contextmanager
def serve_in_thread(app: web.Application, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Like :func:`serve`, for synchronous callers: the server runs on its own loop."""
    loop = asyncio.new_event_loop()
    ready: asyncio.Future[str] = loop.create_future()
    stop = asyncio.Event()

    async def main() -> None:
        try:
            async with serve(app, host, port) as url:
                ready.set_result(url)
                await stop.wait()
        except BaseException as error:  # surface start-up errors to the caller
            if not ready.done():
                ready.set_exception(error)
            raise

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    url = asyncio.run_coroutine_threadsafe(_wait(ready), loop).result(timeout=30)
    try:
        yield url
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()


async def _wait(future: asyncio.Future[Any]) -> Any:
    return await future
