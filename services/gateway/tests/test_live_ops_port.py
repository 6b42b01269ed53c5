"""The ops endpoints off the public port (issue 13 #8): with PIND_OPS_PUBLIC=false
the public port answers /readyz and /metrics with 404 and PIND_OPS_PORT serves
them, shared by every server process (two apps here, as two uvicorn workers);
by default the public port keeps serving them (what make up and the e2e poll)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from benchmarks.gateway_processes import free_port
from pind_gateway.app import create_app
from pind_gateway.settings import GatewaySettings


async def test_the_public_port_serves_ops_by_default(client: httpx.AsyncClient) -> None:
    assert (await client.get("/readyz")).status_code == 200
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200 and "# TYPE" in metrics.text


async def test_ops_on_their_own_port_and_refused_on_the_public_one(
    settings: GatewaySettings, app: FastAPI, auth_app: FastAPI
) -> None:
    port = free_port()
    private = settings.model_copy(
        update={"run_projection": False, "ops_public": False, "ops_port": port}
    )
    apps = [create_app(private, auth_transport=httpx.ASGITransport(app=auth_app)) for _ in range(2)]
    async with contextlib.AsyncExitStack() as stack:
        for application in apps:  # the second binds the same port beside the first
            await stack.enter_async_context(application.router.lifespan_context(application))
        public = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[0]), base_url="http://gw")
        )
        for path in ("/readyz", "/metrics"):
            refused = await public.get(path)
            assert refused.status_code == 404, path
        assert (await public.get("/healthz")).status_code == 200
        assert "/metrics" not in (await public.get("/openapi.json")).text

        ops = await stack.enter_async_context(
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5)
        )
        async with asyncio.timeout(30):
            async for status in readiness(ops):
                if status == 200:
                    break
        metrics = await ops.get("/metrics")
        assert metrics.status_code == 200 and "# TYPE" in metrics.text
        assert (
            await ops.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000")
        ).status_code == 404


async def readiness(ops: httpx.AsyncClient) -> AsyncIterator[int]:
    """/readyz answers, until it says ready (Kafka may still be connecting)."""
    while True:
        yield (await ops.get("/readyz")).status_code
        await asyncio.sleep(0.1)  # readiness changes with no signal this test can await
