"""POST /api/v1/videos against the real database and broker."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from pind_contracts import VIDEO_REQUESTED, Envelope, VideoRequested
from pind_gateway.settings import GatewaySettings
from pind_kit.testing import KafkaRecord, TopicReader


@pytest.fixture
async def requested(settings: GatewaySettings) -> AsyncIterator[TopicReader]:
    async with TopicReader(settings.kafka_bootstrap, VIDEO_REQUESTED.name) as reader:
        yield reader


def for_video(video_id: str) -> Callable[[list[KafkaRecord]], bool]:
    return lambda records: any(r.key == video_id.encode() for r in records)


async def test_submit_writes_the_request_event_with_cloudevents_headers(
    events: Any, client: httpx.AsyncClient, requested: TopicReader
) -> None:
    video_id = events.video_id()
    response = await client.post(
        "/api/v1/videos", json={"url": f"https://youtu.be/{video_id}?si=tracking&t=30"}
    )

    assert response.status_code == 202, response.text
    body = response.json()
    job_id = uuid.UUID(body["job_id"])
    assert body["status_url"] == f"/api/v1/jobs/{job_id}"
    assert response.headers["location"] == body["status_url"]
    assert (body["state"], body["answered_from"], body["video_id"]) == ("queued", "new", video_id)

    records = await requested.until(for_video(video_id))
    [record] = [r for r in records if r.key == video_id.encode()]
    envelope = Envelope.from_headers(record.headers)
    assert envelope.type == "pind.video.requested"
    assert envelope.producer == "gateway"
    assert envelope.subject == video_id
    assert envelope.job_id == job_id
    assert record.headers["ce_specversion"] == b"1.0"
    assert record.headers["content-type"] == b"application/json"
    assert record.value is not None
    event = VideoRequested.model_validate_json(record.value)
    assert event.job_id == job_id
    assert event.url == f"https://www.youtube.com/watch?v={video_id}"  # rebuilt, no tracking
    assert event.requested_by is None
    assert event.options.refresh is False


async def test_a_video_in_flight_is_joined_without_a_new_event(
    events: Any, client: httpx.AsyncClient, requested: TopicReader
) -> None:
    video_id = events.video_id()
    first = (
        await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    ).json()
    second = await client.post(
        "/api/v1/videos", json={"url": f"https://www.youtube.com/shorts/{video_id}"}
    )

    assert second.status_code == 202
    joined = second.json()
    assert joined["answered_from"] == "joined"
    assert joined["job_id"] != first["job_id"]
    await requested.until(for_video(video_id))
    later = await requested.drain(quiet_s=1.5)
    assert not [r for r in later if r.key == video_id.encode()], "joining must not ask again"


async def test_an_analysed_video_is_answered_at_once_and_refresh_asks_again(
    events: Any, client: httpx.AsyncClient, requested: TopicReader, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    first = (
        await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    ).json()
    first_id = uuid.UUID(first["job_id"])
    await play(first_id, video_id, events.full_analysis(first_id, video_id))
    await requested.until(for_video(video_id))

    again = await client.post(
        "/api/v1/videos", json={"url": f"https://m.youtube.com/watch?v={video_id}"}
    )

    assert again.status_code == 200, again.text
    cached = again.json()
    assert (cached["state"], cached["answered_from"]) == ("succeeded", "cached")
    job = (await client.get(cached["status_url"])).json()
    assert job["state"] == "succeeded"
    assert job["progress"] == 100
    assert {p["name"] for p in job["places"]} == {"광장시장", "경복궁"}
    assert not [r for r in await requested.drain(quiet_s=1.5) if r.key == video_id.encode()]

    refreshed = await client.post(
        "/api/v1/videos", json={"url": f"https://youtu.be/{video_id}", "refresh": True}
    )
    assert refreshed.status_code == 202
    assert refreshed.json()["answered_from"] == "new"
    records = await requested.until(for_video(video_id))
    event = VideoRequested.model_validate_json(
        next(r.value for r in records if r.key == video_id.encode()) or b""
    )
    assert event.options.refresh is True
    assert str(event.job_id) == refreshed.json()["job_id"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://example.com/watch?v=dQw4w9WgXcQ", "not a YouTube host: example.com"),
        ("https://www.youtube.com/watch?list=PL1", "missing video id"),
        ("https://youtu.be/abc", "video id must be 11 characters of A-Z a-z 0-9 _ -"),
        ("https://www.youtube.com/@channel", "not a video page"),
    ],
)
async def test_malformed_links_are_422_with_the_reason(
    client: httpx.AsyncClient, url: str, reason: str
) -> None:
    response = await client.post("/api/v1/videos", json={"url": url})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_url"
    assert reason in body["detail"]


async def test_a_body_without_url_is_422_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/videos", json={"link": "https://youtu.be/dQw4w9WgXcQ"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert "url: Field required" in body["detail"]


async def test_a_huge_body_is_413(client: httpx.AsyncClient, settings: GatewaySettings) -> None:
    padding = "x" * (settings.max_body_bytes + 1)
    response = await client.post(
        "/api/v1/videos", json={"url": f"https://youtu.be/dQw4w9WgXcQ?pad={padding}"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


async def test_a_huge_streamed_body_is_413(
    client: httpx.AsyncClient, settings: GatewaySettings
) -> None:
    chunk = json.dumps({"url": "https://youtu.be/dQw4w9WgXcQ"}).encode() + b" " * 4096

    async def body() -> AsyncIterator[bytes]:
        for _ in range(settings.max_body_bytes // len(chunk) + 2):
            yield chunk

    response = await client.post(
        "/api/v1/videos", content=body(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert str(settings.max_body_bytes) in response.json()["detail"]


async def test_concurrent_first_requests_start_one_analysis(
    events: Any, client: httpx.AsyncClient, requested: TopicReader
) -> None:
    video_id = events.video_id()
    responses = await asyncio.gather(
        *(
            client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
            for _ in range(6)
        )
    )
    origins = sorted(r.json()["answered_from"] for r in responses)
    assert origins == ["joined"] * 5 + ["new"]
    await requested.until(for_video(video_id))
    later = await requested.drain(quiet_s=1.0)
    assert not [r for r in later if r.key == video_id.encode()]
