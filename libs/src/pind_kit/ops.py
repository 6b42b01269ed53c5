"""``/healthz``, ``/readyz`` and ``/metrics`` for every process."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping

import uvicorn
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from pind_kit.settings import ServiceSettings

Readiness = Callable[[], Awaitable[Mapping[str, bool]]]
"""Checks of what the process needs now, by name (e.g. ``Worker.ready``)."""


def ops_router(service: str, ready: Readiness) -> APIRouter:
    """Liveness, readiness (every check of ``ready`` passes) and Prometheus metrics."""
    router = APIRouter(tags=["ops"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get(
        "/readyz",
        summary="The database and the Kafka broker are reachable",
        responses={503: {"description": "A dependency is unreachable"}},
    )
    async def readyz() -> JSONResponse:
        checks = dict(await ready())
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(metrics_payload(), media_type=CONTENT_TYPE_LATEST)

    return router


def metrics_payload() -> bytes:
    """This process's metrics; with ``PROMETHEUS_MULTIPROC_DIR`` set (the
    gateway's several uvicorn workers), those of every process of the service."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()


class _ServerWithoutSignals(uvicorn.Server):
    """The process's own SIGTERM handler shuts everything down in order;
    uvicorn must not take the signal for itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class OpsServer:
    """The ops endpoints of a worker process, served by uvicorn in a task."""

    def __init__(self, settings: ServiceSettings, ready: Readiness) -> None:
        app = FastAPI(
            title=f"pind-{settings.service_name} ops",
            docs_url=None,
            redoc_url=None,
            telemetry={"tracing": False, "metrics": False, "logs": False},  # probes only
        )
        app.include_router(ops_router(settings.service_name, ready))
        config = uvicorn.Config(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            access_log=False,
            lifespan="off",
        )
        self.server = _ServerWithoutSignals(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve(), name="ops-http")
        while not self.server.started:
            if self._task.done():
                await self._task  # raises the bind error
                raise RuntimeError("ops server exited before starting")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await self._task
