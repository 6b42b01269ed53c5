"""Where the gateway serves its ops endpoints (``/healthz``, ``/readyz``,
``/metrics``): on the public port (``PIND_OPS_PUBLIC=true``, the default,
what ``make up``, the compose file and the tests poll) and/or on a port of
their own (``PIND_OPS_PORT``). With ``PIND_OPS_PUBLIC=false`` the public
port answers ``/readyz`` and ``/metrics`` with 404 (``/healthz``, which
tells nothing, stays).

Every server process of the gateway listens on the ops port with
``SO_REUSEPORT`` (the kernel spreads connections over them): ``/readyz``
answers for the process a probe reaches, ``/metrics`` for all of them
(``PROMETHEUS_MULTIPROC_DIR``)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute

from pind_gateway.settings import GatewaySettings
from pind_kit.ops import Readiness, ops_router

PUBLIC_ALWAYS = frozenset({"/healthz"})


def public_ops_router(settings: GatewaySettings, ready: Readiness) -> APIRouter:
    """The ops routes the public port serves."""
    router = ops_router(settings.service_name, ready)
    if not settings.ops_public:
        router.routes = [route for route in router.routes if _path(route) in PUBLIC_ALWAYS]
    return router


def _path(route: BaseRoute) -> str:
    return str(getattr(route, "path", ""))


class _ServerWithoutSignals(uvicorn.Server):
    """The process's main server handles the signals; this one must not take them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class OpsPort:
    """The ops endpoints on ``settings.ops_port``, served in a task of this process."""

    def __init__(self, settings: GatewaySettings, ready: Readiness) -> None:
        self._host = settings.http_host
        self._port = settings.ops_port
        app = FastAPI(title="pind gateway ops", docs_url=None, redoc_url=None, openapi_url=None)
        app.include_router(ops_router(settings.service_name, ready))
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
        self.server = _ServerWithoutSignals(config)
        self._task: asyncio.Task[None] | None = None

    def _bind(self) -> socket.socket:
        family, kind, proto, _, address = socket.getaddrinfo(
            self._host, self._port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # one per server process
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
        return sock

    async def start(self) -> None:
        sock = self._bind()
        self._task = asyncio.create_task(self.server.serve(sockets=[sock]), name="ops-port")
        while not self.server.started:
            if self._task.done():
                await self._task
                raise RuntimeError("the ops server exited before it started")
            await asyncio.sleep(0.01)  # uvicorn signals its start by this flag only

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await self._task
