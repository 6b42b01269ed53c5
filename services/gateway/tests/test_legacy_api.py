"""The first backend's endpoints, as its web client and extension call them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from pind_contracts import JOB_STAGE, VIDEO_REQUESTED, VideoRequested
from pind_gateway.settings import GatewaySettings
from pind_kit.testing import TopicReader

MARKET = {"name": "광장시장", "lat": 37.5701, "lng": 126.9996}
PALACE = {"name": "경복궁", "lat": 37.5796, "lng": 126.9770}


async def test_process_holds_until_the_analysis_ends_then_answers_from_the_database(
    events: Any, client: httpx.AsyncClient, settings: GatewaySettings, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    async with TopicReader(settings.kafka_bootstrap, VIDEO_REQUESTED.name) as requested:
        holding = asyncio.create_task(
            client.post(
                "/api/v1/youtube/process",
                json={"url": f"https://www.youtube.com/watch?v={video_id}&t=5"},
            )
        )
        records = await requested.until(lambda rs: any(r.key == video_id.encode() for r in rs))
    record = next(r for r in records if r.key == video_id.encode())
    job_id = VideoRequested.model_validate_json(record.value or b"").job_id
    assert not holding.done(), "the request must wait for the analysis"

    await play(job_id, video_id, events.full_analysis(job_id, video_id))
    response = await asyncio.wait_for(holding, timeout=settings.process_wait_s)

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["job_id"] == str(job_id)
    assert (result["status"], result["mode"]) == ("SUCCESS", "new")
    assert result["places"] == [MARKET, PALACE]
    assert result["video_title"] == "광장시장 먹방 브이로그"
    assert result["video_thumbnail"] == f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg"
    assert result["processing_time"] > 0
    assert result["error_message"] is None

    again = await client.post(
        "/api/v1/youtube/without-login/process", json={"url": f"https://youtu.be/{video_id}"}
    )
    cached = again.json()
    assert (cached["status"], cached["mode"]) == ("SUCCESS", "db")
    assert cached["places"] == [MARKET, PALACE]
    assert cached["job_id"] != result["job_id"]

    status = (await client.get(f"/api/v1/jobs/{job_id}/status")).json()
    assert status == {
        "job_id": str(job_id),
        "status": "SUCCESS",
        "progress": 100,
        "current_step": "succeeded",
    }
    job_result = (await client.get(f"/api/v1/jobs/{job_id}/result")).json()
    assert job_result["status"] == "SUCCESS"
    assert job_result["places"] == [MARKET, PALACE]
    assert job_result["video_title"] == "광장시장 먹방 브이로그"

    video_places = (await client.get(f"/api/v1/youtube/places/{video_id}")).json()
    assert video_places == {
        "video": {
            "id": video_id,
            "title": "광장시장 먹방 브이로그",
            "thumbnail": f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
        },
        "places": [MARKET, PALACE],
    }
    video = (await client.get(f"/api/v1/youtube/video/{video_id}")).json()
    assert video == video_places["video"]


async def test_status_of_a_running_job_uses_the_old_vocabulary(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    submitted = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    job_id = uuid.UUID(submitted.json()["job_id"])
    queued = (await client.get(f"/api/v1/jobs/{job_id}/status")).json()
    assert (queued["status"], queued["progress"]) == ("PENDING", 0)

    await play(job_id, video_id, [(JOB_STAGE, events.stage(job_id, video_id, "ingest", "started"))])
    started = (await client.get(f"/api/v1/jobs/{job_id}/status")).json()
    assert (started["status"], started["current_step"]) == ("STARTED", "reading the video")

    result = (await client.get(f"/api/v1/jobs/{job_id}/result")).json()
    assert result["status"] == "STARTED"
    assert result["places"] == []


async def test_a_failed_job_reads_as_failure_with_its_message(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    submitted = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    job_id = uuid.UUID(submitted.json()["job_id"])
    await play(
        job_id,
        video_id,
        [
            (
                JOB_STAGE,
                events.stage(job_id, video_id, "ingest", "failed", reason="This video is private"),
            )
        ],
    )
    result = (await client.get(f"/api/v1/jobs/{job_id}/result")).json()
    assert result["status"] == "FAILURE"
    assert result["error_message"] == "reading the video failed: This video is private"
    assert result["places"] == []


async def test_unknown_and_malformed_videos(client: httpx.AsyncClient, events: Any) -> None:
    unknown = events.video_id()
    for path in (f"/api/v1/youtube/places/{unknown}", f"/api/v1/youtube/video/{unknown}"):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.json()["detail"] == (
            f"video {unknown} has not been analysed; submit its link first"
        )
    malformed = await client.get("/api/v1/youtube/video/short")
    assert malformed.status_code == 422
    assert "video id must be 11 characters" in malformed.json()["detail"]

    missing = await client.get(f"/api/v1/jobs/{uuid.uuid4()}/status")
    assert missing.status_code == 404
    assert missing.json()["code"] == "job_not_found"


async def test_process_rejects_a_bad_link_with_detail(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/youtube/process", json={"url": "https://vimeo.com/1"})
    assert response.status_code == 422
    assert response.json()["detail"] == "not a YouTube video link: not a YouTube host: vimeo.com"
