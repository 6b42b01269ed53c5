"""The gateway's server processes (``pind-gateway``) hand the WebSocket message
limit (``PIND_WS_MAX_MESSAGE_BYTES``) to uvicorn too, so an oversized message
is refused before it is buffered whole (issue 13 #8)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import httpx
import websockets

from benchmarks.gateway_processes import Instance


async def closed_with(ws: Any) -> tuple[int | None, str | None]:
    with contextlib.suppress(websockets.ConnectionClosed):
        async with asyncio.timeout(15):
            while True:
                await ws.recv()
    return ws.close_code, ws.close_reason


async def submit(client: httpx.AsyncClient, events: Any) -> uuid.UUID:
    video_id = events.video_id()
    answer = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    assert answer.status_code == 202, answer.text
    return uuid.UUID(answer.json()["job_id"])


async def test_the_server_process_refuses_an_oversized_message_before_buffering_it(
    instances: dict[str, Instance], client: httpx.AsyncClient, events: Any
) -> None:
    """``pind-gateway`` hands the limit to uvicorn too: a message of 1 MiB
    (default limit 16 KiB) closes 1009 before it is buffered whole, so the app
    never reads it (the app's own check closes with a reason of its own)."""
    job_id = await submit(client, events)
    async with websockets.connect(
        f"{instances['b'].ws_url}/api/v1/jobs/{job_id}/ws", max_size=None
    ) as ws:
        with contextlib.suppress(websockets.ConnectionClosed):
            await ws.send("x" * (1 << 20))
        code, reason = await closed_with(ws)
    assert code == 1009
    assert "message too big" not in (reason or ""), "the app read it: uvicorn buffered it whole"
