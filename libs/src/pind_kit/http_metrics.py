"""Prometheus metrics of an HTTP service's requests: count and duration by
route template (``/api/v1/jobs/{job_id}``, never the raw path, so ids do not
multiply the series), method and status."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pind_kit.metrics import HTTP_SECONDS

SKIPPED = frozenset({"/metrics", "/healthz", "/readyz"})


class HttpMetricsMiddleware:
    """Pure ASGI middleware (WebSockets pass through untouched). A request is
    observed just before its last body chunk is sent, so a client that has
    its whole answer finds it already counted; one that fails before then is
    observed when the app returns or raises."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in SKIPPED:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the response started
        observed = False

        def observe() -> None:
            nonlocal observed
            if not observed:
                observed = True
                HTTP_SECONDS.labels(_route(scope), scope.get("method", "?"), str(status)).observe(
                    time.perf_counter() - started
                )

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                observe()
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            observe()


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else "unmatched"
