"""GET /api/v1/jobs/{id}: the projection of the workers' events, in any order."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from pind_contracts import JOB_STAGE, PLACES_EXTRACTED, VIDEO_INGESTED


async def submit(client: httpx.AsyncClient, video_id: str) -> uuid.UUID:
    response = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    assert response.status_code == 202, response.text
    return uuid.UUID(response.json()["job_id"])


def assert_succeeded_with_places(job: dict[str, Any], video_id: str) -> None:
    assert job["state"] == "succeeded", job
    assert job["progress"] == 100
    assert job["error"] is None
    assert job["finished_at"] is not None
    assert {name: s["state"] for name, s in job["stages"].items()} == {
        "ingest": "succeeded",
        "transcript": "succeeded",
        "vision": "succeeded",
        "geo": "succeeded",
    }
    assert job["video"]["title"] == "광장시장 먹방 브이로그"
    assert job["video"]["thumbnail_url"] == f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg"
    assert job["video"]["duration_s"] == 612.0
    market, palace = job["places"]
    assert (market["name"], market["name_en"], market["category"]) == (
        "광장시장",
        "Gwangjang Market",
        "market",
    )
    assert (market["lat"], market["lon"], market["geocoder"]) == (37.5701, 126.9996, "gazetteer")
    assert market["confidence"] == 0.92
    said = market["evidence"][0]
    assert said["source"] == "transcript"
    assert said["start_s"] == 83.4
    assert said["video_url_at"] == f"https://www.youtube.com/watch?v={video_id}&t=83s"
    assert market["evidence"][1]["video_url_at"] is None  # the title has no moment
    assert palace["name"] == "경복궁"
    [unplaced] = job["unresolved"]
    assert unplaced["name"] == "할머니집"
    assert unplaced["evidence"][0]["video_url_at"].endswith("&t=95s")


async def test_events_in_order_end_the_job_with_its_places(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    job_id = await submit(client, video_id)
    await play(job_id, video_id, events.full_analysis(job_id, video_id))

    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert_succeeded_with_places(job, video_id)


async def test_events_reversed_end_the_same(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    job_id = await submit(client, video_id)
    await play(job_id, video_id, events.full_analysis(job_id, video_id), delivery=lambda e: e[::-1])

    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert_succeeded_with_places(job, video_id)
    assert job["stages"]["transcript"]["progress"] == 100  # the late 'progress' did not win


async def test_the_places_end_geo_before_its_own_report_and_the_report_still_counts(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    """Geo's result and its stage report travel on two topics, folded by two
    consumers: a job the places finished never shows geo still running."""
    video_id = events.video_id()
    job_id = await submit(client, video_id)
    analysis = events.full_analysis(job_id, video_id)
    report = analysis.pop()  # geo's own 'succeeded', after its places
    assert report[0] == JOB_STAGE and report[1].stage == "geo"
    await play(job_id, video_id, analysis)

    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert_succeeded_with_places(job, video_id)
    assert job["stages"]["geo"]["progress"] == 100

    summary = events.stage(job_id, video_id, "geo", "succeeded", progress=1.0, reason="2 places")
    await play(job_id, video_id, [(JOB_STAGE, summary)])
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["stages"]["geo"]["reason"] == "2 places"  # the later report replaces it
    assert_succeeded_with_places(job, video_id)


async def test_duplicated_events_change_nothing(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    job_id = await submit(client, video_id)
    await play(job_id, video_id, events.full_analysis(job_id, video_id), duplicate=True)

    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert_succeeded_with_places(job, video_id)
    assert len(job["places"]) == 2


async def test_progress_while_running(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    job_id = await submit(client, video_id)
    await play(
        job_id,
        video_id,
        [
            (JOB_STAGE, events.stage(job_id, video_id, "ingest", "succeeded", progress=1.0)),
            (VIDEO_INGESTED, events.ingested(job_id, video_id)),
            (JOB_STAGE, events.stage(job_id, video_id, "transcript", "progress", progress=0.5)),
        ],
    )
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["state"] == "running"
    assert job["progress"] == 15 + 15
    assert job["stages"]["transcript"] | {"updated_at": None} == {
        "state": "running",
        "progress": 50,
        "reason": None,
        "updated_at": None,
    }
    assert job["video"]["title"] == "광장시장 먹방 브이로그"
    assert job["places"] == []


async def test_a_failed_ingest_fails_the_job_with_its_reason(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    job_id = await submit(client, video_id)
    await play(
        job_id,
        video_id,
        [
            (JOB_STAGE, events.stage(job_id, video_id, "ingest", "started")),
            (
                JOB_STAGE,
                events.stage(
                    job_id,
                    video_id,
                    "ingest",
                    "failed",
                    reason="This video is private",
                    error_code="private",
                ),
            ),
        ],
    )
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["state"] == "failed"
    assert job["error"] == "reading the video failed: This video is private"
    assert job["stages"]["ingest"]["reason"] == "This video is private"
    assert job["video"] is None


async def test_places_despite_a_failed_stage_are_partial(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    job_id = await submit(client, video_id)
    await play(
        job_id,
        video_id,
        [
            (
                JOB_STAGE,
                events.stage(job_id, video_id, "vision", "failed", reason="video too large"),
            ),
            (VIDEO_INGESTED, events.ingested(job_id, video_id)),
            (PLACES_EXTRACTED, events.places(job_id, video_id)),
        ],
    )
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["state"] == "partial"
    assert "reading on-screen text failed: video too large" in job["error"]
    assert len(job["places"]) == 2


async def test_no_places_and_a_failed_stage_is_failed(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    job_id = await submit(client, video_id)
    await play(
        job_id,
        video_id,
        [
            (
                JOB_STAGE,
                events.stage(job_id, video_id, "transcript", "failed", reason="no captions"),
            ),
            (VIDEO_INGESTED, events.ingested(job_id, video_id)),
            (PLACES_EXTRACTED, events.places(job_id, video_id, found=False)),
        ],
    )
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["state"] == "failed"
    assert "no captions" in job["error"]


async def test_places_before_the_videos_description_end_the_job_only_with_it(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    # Each topic is projected by its own consumer, so geo's result can be
    # folded before ingest's report: the job must not end without its title.
    video_id = events.video_id()
    job_id = await submit(client, video_id)
    done = [
        (JOB_STAGE, events.stage(job_id, video_id, stage, "succeeded", progress=1.0))
        for stage in ("ingest", "transcript", "vision", "geo")
    ]
    await play(job_id, video_id, [*done, (PLACES_EXTRACTED, events.places(job_id, video_id))])
    waiting = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert (waiting["state"], waiting["progress"]) == ("running", 99)
    assert waiting["current_step"] == "saving the video's details"
    assert waiting["video"] is None  # not described yet

    await play(job_id, video_id, [(VIDEO_INGESTED, events.ingested(job_id, video_id))])
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert_succeeded_with_places(job, video_id)
    assert job["video"]["title"] == "광장시장 먹방 브이로그"


async def test_a_joined_job_follows_the_analysis(
    events: Any, client: httpx.AsyncClient, play: Callable[..., Any]
) -> None:
    video_id = events.video_id()
    lead = await submit(client, video_id)
    follower = (
        await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    ).json()
    await play(lead, video_id, events.full_analysis(lead, video_id))

    job = (await client.get(follower["status_url"])).json()
    assert job["answered_from"] == "joined"
    assert_succeeded_with_places(job, video_id)


async def test_an_unknown_job_is_404(client: httpx.AsyncClient) -> None:
    job_id = uuid.uuid4()
    response = await client.get(f"/api/v1/jobs/{job_id}")
    assert response.status_code == 404
    assert response.json() == {
        "detail": f"no job with id {job_id}; submit the video again to get a new job",
        "code": "job_not_found",
    }


async def test_a_malformed_job_id_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/jobs/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert "job_id" in response.json()["detail"]
