"""The job-timeout sweeper and the submission rate limits, with more than one
gateway instance sharing the database."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from pind_gateway.app import create_app
from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.models import Analysis
from pind_gateway.limits.service import window_of
from pind_gateway.settings import GatewaySettings


@asynccontextmanager
async def instance(settings: GatewaySettings, **overrides: Any) -> AsyncIterator[FastAPI]:
    """Another gateway instance on the same database, not projecting."""
    app = create_app(settings.model_copy(update={"run_projection": False, **overrides}))
    async with app.router.lifespan_context(app):
        yield app


async def test_a_silent_job_ends_failed_with_a_reason(
    settings: GatewaySettings,
    context: GatewayContext,
    client: httpx.AsyncClient,
    events: Any,
    play: Callable[..., Any],
) -> None:
    video_id = events.video_id()
    response = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    job_id = uuid.UUID(response.json()["job_id"])
    await play(job_id, video_id, [events.full_analysis(job_id, video_id)[0]])  # ingest started
    # The analysis went silent two hours ago (only this job is that old and in flight
    # from this test; the sweeper below ends analyses silent for over an hour).
    async with context.sessionmaker() as session, session.begin():
        await session.execute(
            update(Analysis)
            .where(Analysis.id == job_id)
            .values(updated_at=datetime.now(UTC) - timedelta(hours=2))
        )

    with context.watch.subscribe(job_id) as changed:  # woken by the sweeper's NOTIFY
        async with instance(settings, job_timeout_s=3600, job_sweep_interval_s=0.2):
            async with asyncio.timeout(15):
                while (job := (await client.get(f"/api/v1/jobs/{job_id}")).json())[
                    "state"
                ] != "failed":
                    changed.clear()
                    await changed.wait()

    assert job["progress"] == 100
    assert job["finished_at"] is not None
    assert job["error"].startswith("the analysis timed out: no progress for 60 minute(s)")
    assert "last step: reading the video" in job["error"]
    legacy = (await client.get(f"/api/v1/jobs/{job_id}/status")).json()
    assert legacy["status"] == "FAILURE"

    # A late report of the timed-out analysis is stored but does not revive the job.
    await play(job_id, video_id, events.full_analysis(job_id, video_id)[1:])
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["state"] == "failed"
    assert job["stages"]["geo"]["state"] == "succeeded"
    # …and the video can be analysed again at once.
    again = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    assert again.status_code == 202
    assert again.json()["answered_from"] == "new"


async def test_guests_are_limited_across_instances_with_retry_after(
    settings: GatewaySettings, events: Any
) -> None:
    limits = {"guest_submissions_per_window": 3, "rate_window_s": 3600}
    address = events.address()
    async with (
        instance(settings, **limits) as one,
        instance(settings, **limits) as two,
        events.client_at(one, address) as first,
        events.client_at(two, address) as second,
    ):
        answers = []
        asked_from = datetime.now(UTC)
        for http in (first, second, first, second):
            url = f"https://youtu.be/{events.video_id()}"
            answers.append(await http.post("/api/v1/videos", json={"url": url}))
        other = await events.client_at(one, events.address()).post(
            "/api/v1/videos", json={"url": f"https://youtu.be/{events.video_id()}"}
        )
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    refused = answers[-1]
    assert refused.json()["code"] == "rate_limited"
    assert "at most 3 per 3600 s" in refused.json()["detail"]
    window_end = window_of(asked_from, 3600) + timedelta(seconds=3600)
    retry_after = int(refused.headers["Retry-After"])  # whole seconds until the window ends
    assert 0 < retry_after <= math.ceil((window_end - asked_from).total_seconds())
    assert other.status_code == 202  # another address has its own budget


async def test_signed_in_users_get_more_than_guests(
    settings: GatewaySettings, auth_app: FastAPI, events: Any, sign_in: Callable[..., Any]
) -> None:
    token = await sign_in()
    limits = {"guest_submissions_per_window": 1, "user_submissions_per_window": 3}
    address = events.address()
    app = create_app(
        settings.model_copy(update={"run_projection": False, "rate_window_s": 3600, **limits}),
        auth_transport=httpx.ASGITransport(app=auth_app),
    )
    async with app.router.lifespan_context(app), events.client_at(app, address) as http:
        codes = []
        for _ in range(4):
            url = f"https://youtu.be/{events.video_id()}"
            answer = await http.post(
                "/api/v1/videos", json={"url": url}, headers={"Authorization": f"Bearer {token}"}
            )
            codes.append(answer.status_code)
        guest = [
            (
                await http.post(
                    "/api/v1/videos", json={"url": f"https://youtu.be/{events.video_id()}"}
                )
            ).status_code
            for _ in range(2)
        ]
    assert codes == [202, 202, 202, 429]
    assert guest == [202, 429]
