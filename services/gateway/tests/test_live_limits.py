"""Live streams that cannot exhaust the gateway (issue 13): caps per client and
in total (429 / WebSocket 1013, others keep streaming), one database read per
change however many follow a job, tokens never in the URL, message size limit.

A second gateway app (serving only: the session app projects) runs under a
real uvicorn server that trusts X-Forwarded-For from 127.0.0.1, so each test
client can be its own address; it hears the changes through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
import uvicorn
import websockets
from fastapi import FastAPI
from sqlalchemy import event

from pind_gateway.app import create_app
from pind_gateway.live.follow import LiveStreams, live_of
from pind_gateway.settings import GatewaySettings

PER_CLIENT = 2
TOTAL = 6
MAX_MESSAGE = 1024


@dataclass
class Served:
    app: FastAPI
    url: str
    ws_url: str

    @property
    def live(self) -> LiveStreams:
        return live_of(self.app)


@pytest.fixture(scope="module")
async def served(
    settings: GatewaySettings, app: FastAPI, auth_app: FastAPI
) -> AsyncIterator[Served]:
    streaming = settings.model_copy(
        update={
            "run_projection": False,
            "stream_max_per_client": PER_CLIENT,
            "stream_max_total": TOTAL,
            "stream_heartbeat_s": 1.0,
            "ws_max_message_bytes": MAX_MESSAGE,
        }
    )
    application = create_app(streaming, auth_transport=httpx.ASGITransport(app=auth_app))
    listening = socket.create_server(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    config = uvicorn.Config(
        application,
        lifespan="off",
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )
    server = uvicorn.Server(config)
    async with application.router.lifespan_context(application):
        task = asyncio.create_task(server.serve(sockets=[listening]))
        async with asyncio.timeout(30):
            await application.state.listener.listening.wait()
        try:
            yield Served(application, f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}")
        finally:
            server.should_exit = True
            await task


def forwarded(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def submit(client: httpx.AsyncClient, events: Any) -> tuple[uuid.UUID, str]:
    video_id = events.video_id()
    answer = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    assert answer.status_code == 202, answer.text
    return uuid.UUID(answer.json()["job_id"]), video_id


async def closed_with(ws: Any) -> tuple[int | None, str | None]:
    """Read until the server closes; its close code and reason."""
    with contextlib.suppress(websockets.ConnectionClosed):
        async with asyncio.timeout(15):
            while True:
                await ws.recv()
    return ws.close_code, ws.close_reason


async def until(condition: Callable[[], bool], within_s: float = 10.0) -> None:
    """Wait for server-side bookkeeping that signals nothing a test can await."""
    async with asyncio.timeout(within_s):
        while not condition():  # noqa: ASYNC110 (no event to await: server bookkeeping)
            await asyncio.sleep(0.02)


class SseFollower:
    """An SSE stream held open in a task; the job states it saw."""

    def __init__(self, http: httpx.AsyncClient, job_id: uuid.UUID, address: str) -> None:
        self.states: list[str] = []
        self.opened = asyncio.Event()
        self.changed = asyncio.Event()
        self.status = 0
        self.body: dict[str, Any] = {}
        self.headers: httpx.Headers = httpx.Headers()
        self.task = asyncio.create_task(self._run(http, job_id, address))

    async def _run(self, http: httpx.AsyncClient, job_id: uuid.UUID, address: str) -> None:
        path = f"/api/v1/jobs/{job_id}/events"
        async with http.stream("GET", path, headers=forwarded(address)) as response:
            self.status, self.headers = response.status_code, response.headers
            if response.status_code != 200:
                self.body = json.loads(await response.aread())
                self.opened.set()
                return
            async for line in response.aiter_lines():
                if line.startswith("data: {") and '"state"' in line:
                    self.states.append(json.loads(line.removeprefix("data: "))["state"])
                    self.opened.set()
                    self.changed.set()
                if line == "event: end":
                    return

    async def refused(self) -> bool:
        async with asyncio.timeout(15):
            await self.opened.wait()
        return self.status != 200


async def test_caps_refuse_new_streams_while_the_others_keep_streaming(
    served: Served, client: httpx.AsyncClient, events: Any, play: Callable[..., Any]
) -> None:
    job_id, video_id = await submit(client, events)
    slots = served.live.slots
    assert slots.open == 0
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as http:
        # One address: its share of streams, then 429 (SSE) and 1013 (WebSocket).
        held = [SseFollower(http, job_id, "198.51.100.1") for _ in range(PER_CLIENT)]
        assert not any([await f.refused() for f in held])
        over = SseFollower(http, job_id, "198.51.100.1")
        assert await over.refused()
        assert over.status == 429
        assert over.body["code"] == "too_many_streams"
        assert "your address" in over.body["detail"]
        assert over.headers["Retry-After"].isdigit()
        url = f"{served.ws_url}/api/v1/jobs/{job_id}/ws"
        async with websockets.connect(url, additional_headers=forwarded("198.51.100.1")) as ws:
            code, reason = await closed_with(ws)
        assert code == 1013 and "your address" in (reason or "")

        # An IPv6 client counts by its /64: two addresses of one network share.
        v6 = [SseFollower(http, job_id, f"2001:db8:7:7::{n}") for n in (1, 2, 3)]
        assert [await f.refused() for f in v6] == [False, False, True]

        # Other addresses until the total is reached, then 429 for anyone.
        held += v6[:2] + [SseFollower(http, job_id, "198.51.100.2") for _ in range(2)]
        assert not any([await f.refused() for f in held])
        assert slots.open == TOTAL
        late = SseFollower(http, job_id, "198.51.100.3")
        assert await late.refused()
        assert late.status == 429 and "most live streams" in late.body["detail"]
        async with websockets.connect(url, additional_headers=forwarded("198.51.100.3")) as ws:
            code, reason = await closed_with(ws)
        assert code == 1013 and "try again later" in (reason or "")

        # The streams admitted still get every change, to the end.
        for follower in held:
            follower.changed.clear()
        await play(job_id, video_id, events.full_analysis(job_id, video_id))
        async with asyncio.timeout(30):
            await asyncio.gather(*(f.task for f in held))
        assert all(f.states[0] == "queued" and f.states[-1] == "succeeded" for f in held)
    # Every stream gave its slot back.
    await until(lambda: slots.open == 0)


async def test_a_hundred_followers_cost_one_read_per_change(
    served: Served, client: httpx.AsyncClient, events: Any, play: Callable[..., Any]
) -> None:
    live = served.live
    live.slots.per_client, live.slots.total = 1000, 1000
    reader_engine = served.app.state.gateway.reader.kw["bind"].sync_engine
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(reader_engine, "before_cursor_execute", count)
    try:
        job_id, video_id = await submit(client, events)
        url = f"{served.ws_url}/api/v1/jobs/{job_id}/ws"
        seen: list[list[str]] = [[] for _ in range(100)]
        first = [asyncio.Event() for _ in range(100)]

        async def follow(n: int) -> int | None:
            async with websockets.connect(url) as ws:
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] == "job":
                        seen[n].append(message["job"]["state"])
                        first[n].set()
            return ws.close_code

        reads_at_start = live.hub.reads
        followers = [asyncio.create_task(follow(n)) for n in range(100)]
        async with asyncio.timeout(60):
            await asyncio.gather(*(e.wait() for e in first))
        await until(lambda: live.hub.reads > reads_at_start)  # the feed's own first read
        reads_before, statements_before = live.hub.reads, len(statements)
        assert live.hub.feeds == 1
        await play(job_id, video_id, events.full_analysis(job_id, video_id))
        async with asyncio.timeout(60):
            codes = await asyncio.gather(*followers)
        reads = live.hub.reads - reads_before
        issued = len(statements) - statements_before
    finally:
        event.remove(reader_engine, "before_cursor_execute", count)
        live.slots.per_client, live.slots.total = PER_CLIENT, TOTAL
    assert codes == [1000] * 100
    assert all(s[0] == "queued" and s[-1] == "succeeded" for s in seen)
    changes = max(len(s) for s in seen) - 1
    print(f"100 followers, {changes} changes seen: {reads} reads, {issued} statements")
    # One read per change heard (the projection's batches; a heartbeat may add
    # one), never one per follower: without the hub it would be >= 100 each.
    assert 1 <= reads <= changes + 3
    assert issued == reads * await statements_per_read(served, job_id)
    assert live.hub.feeds == 0


async def statements_per_read(served: Served, job_id: uuid.UUID) -> int:
    """How many statements one read of a job issues (the hub's unit)."""
    counted: list[str] = []
    engine = served.app.state.gateway.reader.kw["bind"].sync_engine

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counted.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        await served.live.hub.current(job_id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(counted)


async def test_tokens_go_in_the_first_message_or_the_subprotocol_never_the_url(
    served: Served, client: httpx.AsyncClient, events: Any, sign_in: Callable[..., Any]
) -> None:
    token = await sign_in()
    user_key = f"user:{jwt.decode(token, options={'verify_signature': False})['sub']}"
    job_id, _ = await submit(client, events)
    job_url = f"{served.ws_url}/api/v1/jobs/{job_id}/ws"
    for url in (f"{job_url}?token={token}", f"{served.ws_url}/ws/process?token={token}"):
        async with websockets.connect(url) as ws:
            code, reason = await closed_with(ws)
        assert code == 4400 and "no tokens in the URL" in (reason or ""), url

    slots = served.live.slots
    # The subprotocol: the stream counts against the account from the start.
    async with websockets.connect(job_url, subprotocols=["bearer", token]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "bearer"
        assert json.loads(await ws.recv())["type"] == "job"
        assert slots.held_by(user_key) == 1
    # The first message: the stream moves from the address to the account.
    address = "198.51.100.20"
    headers = forwarded(address)
    async with websockets.connect(job_url, additional_headers=headers) as ws:
        assert json.loads(await ws.recv())["type"] == "job"
        assert slots.held_by(f"address:{address}") == 1
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await until(lambda: slots.held_by(user_key) == 1)
        assert slots.held_by(f"address:{address}") == 0
    async with websockets.connect(job_url) as ws:
        assert json.loads(await ws.recv())["type"] == "job"
        await ws.send(json.dumps({"type": "auth", "token": token + "x"}))
        code, _ = await closed_with(ws)
    assert code == 4401

    # The legacy socket: auth first, then the link; the request is the user's.
    video_id = events.video_id()
    async with websockets.connect(f"{served.ws_url}/ws/process") as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await ws.send(json.dumps({"url": f"https://youtu.be/{video_id}"}))
        status = json.loads(await ws.recv())
        assert status["type"] == "status" and status["status"] == "PENDING"
    history = await client.get(
        "/api/v1/users/history", headers={"Authorization": f"Bearer {token}"}
    )
    assert history.status_code == 200, history.text
    assert [entry["id"] for entry in history.json()] == [video_id]


async def test_an_oversized_message_closes_the_socket_with_1009(
    served: Served, client: httpx.AsyncClient, events: Any
) -> None:
    job_id, _ = await submit(client, events)
    too_big = json.dumps({"type": "auth", "token": "x" * MAX_MESSAGE})
    for url in (f"{served.ws_url}/api/v1/jobs/{job_id}/ws", f"{served.ws_url}/ws/process"):
        async with websockets.connect(url) as ws:
            await ws.send(too_big)
            code, reason = await closed_with(ws)
        assert code == 1009 and f"at most {MAX_MESSAGE} bytes" in (reason or ""), url
    # A message within the limit is read (and this one refused for what it says).
    async with websockets.connect(f"{served.ws_url}/ws/process") as ws:
        await ws.send(json.dumps({"url": "https://example.com/" + "a" * 900}))
        refusal = json.loads(await ws.recv())
        code, _ = await closed_with(ws)
    assert refusal["code"] == "invalid_url" and code == 4422
    await until(lambda: served.live.slots.open == 0)


async def test_a_stream_ends_when_its_time_is_up(
    served: Served, client: httpx.AsyncClient, events: Any
) -> None:
    job_id, _ = await submit(client, events)
    live = served.live
    original, live.max_s = live.max_s, 1.5
    try:
        async with websockets.connect(f"{served.ws_url}/api/v1/jobs/{job_id}/ws") as ws:
            assert json.loads(await ws.recv())["job"]["state"] == "queued"
            code, reason = await closed_with(ws)
        assert code == 4408 and "reconnect" in (reason or "")
        async with (
            httpx.AsyncClient(base_url=served.url, timeout=15) as http,
            http.stream("GET", f"/api/v1/jobs/{job_id}/events") as response,
        ):
            lines = [line async for line in response.aiter_lines()]
        assert "event: job" in lines and "event: end" not in lines
        assert lines[-2] == ": stream time limit reached; reconnect to keep following"
    finally:
        live.max_s = original
    await until(lambda: served.live.slots.open == 0)
