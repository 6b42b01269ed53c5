"""Live updates across gateway instances: two uvicorn processes, A projecting
the workers' events and B only serving; clients on B (SSE, WebSocket, the
legacy /ws/process) see every change A projects, through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets
from aiokafka import AIOKafkaProducer

from benchmarks.gateway_processes import Instance


async def read_sse(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    event, data = "", []
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data.append(line.removeprefix("data: "))
        elif line == "" and event:
            yield event, "\n".join(data)
            event, data = "", []


async def test_a_stream_on_b_shows_every_change_a_projects(
    instances: dict[str, Instance], events: Any, producer: AIOKafkaProducer
) -> None:
    a, b = instances["a"], instances["b"]
    video_id = events.video_id()
    async with httpx.AsyncClient(base_url=b.url, timeout=30) as http:
        submitted = await http.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
        assert submitted.status_code == 202, submitted.text
        job_id = uuid.UUID(submitted.json()["job_id"])

        seen: list[dict[str, Any]] = []
        ended = asyncio.Event()
        first_seen = asyncio.Event()
        running_seen = asyncio.Event()

        async def follow_sse() -> None:
            async with http.stream("GET", f"/api/v1/jobs/{job_id}/events") as response:
                assert response.status_code == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                async for event, data in read_sse(response):
                    if event == "job":
                        seen.append(json.loads(data))
                        first_seen.set()
                        if seen[-1]["state"] == "running":
                            running_seen.set()
                    elif event == "end":
                        assert json.loads(data) == {"state": "succeeded"}
                        ended.set()
                        return

        ws_seen: list[dict[str, Any]] = []

        async def follow_ws() -> None:
            async with websockets.connect(f"{a.ws_url}/api/v1/jobs/{job_id}/ws") as ws:
                async for raw in ws:
                    message = json.loads(raw)
                    if message["type"] == "job":
                        ws_seen.append(message["job"])
                assert ws.close_code == 1000

        sse_task = asyncio.create_task(follow_sse())
        ws_task = asyncio.create_task(follow_ws())
        # In two parts: the projection may fold events that arrive together into
        # one change, and the stream is to be seen passing through "running".
        analysis = events.full_analysis(job_id, video_id)
        async with asyncio.timeout(30):
            await first_seen.wait()
            await events.publish(producer, job_id, video_id, analysis[:4])
            await running_seen.wait()
            await events.publish(producer, job_id, video_id, analysis[4:])
            await asyncio.gather(sse_task, ws_task)

    assert ended.is_set()
    assert seen[0]["state"] == "queued"
    assert seen[-1]["state"] == "succeeded"
    assert [p["name"] for p in seen[-1]["places"]] == ["광장시장", "경복궁"]
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress), progress  # never backwards
    assert ws_seen[-1]["state"] == "succeeded"
    assert ws_seen[-1]["places"] == seen[-1]["places"]


async def test_legacy_ws_process_on_b_streams_status_then_the_result(
    instances: dict[str, Instance], events: Any, producer: AIOKafkaProducer
) -> None:
    video_id = events.video_id()
    statuses: list[dict[str, Any]] = []
    async with asyncio.timeout(30), websockets.connect(f"{instances['b'].ws_url}/ws/process") as ws:
        await ws.send(json.dumps({"url": f"https://www.youtube.com/watch?v={video_id}"}))
        first = json.loads(await ws.recv())
        assert first["type"] == "status" and first["status"] == "PENDING"
        job_id = uuid.UUID(first["job_id"])
        await events.publish(producer, job_id, video_id, events.full_analysis(job_id, video_id))
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "status":
                statuses.append(message)
            elif message["type"] == "result":
                result = message
        assert ws.close_code == 1000
    assert statuses[-1]["status"] == "SUCCESS"
    assert result["mode"] == "new"
    assert result["places"] == [
        {"name": "광장시장", "lat": 37.5701, "lng": 126.9996},
        {"name": "경복궁", "lat": 37.5796, "lng": 126.977},
    ]


async def test_streams_of_unknown_jobs_are_refused(instances: dict[str, Instance]) -> None:
    b = instances["b"]
    missing = uuid.uuid4()
    async with httpx.AsyncClient(base_url=b.url) as http:
        response = await http.get(f"/api/v1/jobs/{missing}/events")
    assert response.status_code == 404
    assert response.json()["code"] == "job_not_found"
    async with websockets.connect(f"{b.ws_url}/api/v1/jobs/{missing}/ws") as ws:
        message = json.loads(await ws.recv())
        assert message["code"] == "job_not_found"
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
        assert ws.close_code == 4404
