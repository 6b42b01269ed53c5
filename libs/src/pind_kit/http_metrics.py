"""Prometheus metrics of an HTTP service's requests: count and duration by
route template (``/api/v1/jobs/{job_id}``, never the raw path, so ids do not
multiply the series), method and status."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pind_kit.metrics import HTTP_SECONDS

SKIPPED = frozenset({"/metrics", "/healthz", "/readyz"})


class HttpMetricsMiddleware:
    """Pure ASGI middleware (streams and WebSockets pass through untouched;
    a stream is measured until its response starts)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in SKIPPED:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the response started

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            HTTP_SECONDS.labels(_route(scope), scope.get("method", "?"), str(status)).observe(
                time.perf_counter() - started
            )


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else "unmatched"
