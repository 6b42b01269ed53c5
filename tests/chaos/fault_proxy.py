"""A fault-injecting HTTP proxy for the chaos scenarios: it stands between a
service and one of the fakes of the outside world (the geocoders, Gemini) and
passes each request through, delays it, or answers it with an error, as the
test sets it at the moment. It counts what it did, so a scenario can assert
that the service really met the fault."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from pind_fakes.serving import serve

_HOP_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "accept-encoding"}
)


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    by_path: dict[str, int] = field(default_factory=dict)

    @property
    def asked(self) -> int:
        """Requests received, answered or not (a client that timed out left)."""
        return sum(self.by_path.values())


class FaultProxy:
    """Forwards to ``upstream``; ``delay_s`` stalls each request first,
    ``fail_status`` (e.g. 503) answers with that error instead of forwarding."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.delay_s = 0.0
        self.fail_status: int | None = None
        self.counts = Counts()
        self._session: aiohttp.ClientSession | None = None

    def set(self, *, delay_s: float = 0.0, fail_status: int | None = None) -> None:
        """The behaviour from now on; the counts start again."""
        if delay_s < 0 or (fail_status is not None and not 400 <= fail_status < 600):
            raise ValueError(f"delay_s must be ≥ 0 and fail_status an HTTP error: {fail_status}")
        self.delay_s = delay_s
        self.fail_status = fail_status
        self.counts = Counts()

    async def handle(self, request: web.Request) -> web.Response:
        counts = self.counts
        counts.by_path[request.path] = counts.by_path.get(request.path, 0) + 1
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.fail_status is not None:
            counts.failed += 1
            return web.json_response(
                {"error": {"code": self.fail_status, "message": "injected by the chaos proxy"}},
                status=self.fail_status,
            )
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        async with self._session.request(
            request.method,
            self.upstream + request.path_qs,
            headers=headers,
            data=await request.read(),
        ) as answer:
            body = await answer.read()
            counts.passed += 1
            return web.Response(
                status=answer.status,
                body=body,
                content_type=answer.content_type,
                charset=answer.charset,
            )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        """Serve on a free port; yield the proxy's base URL."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        async with aiohttp.ClientSession() as session:
            self._session = session
            try:
                async with serve(app) as url:
                    yield url
            finally:
                self._session = None
