"""The job-timeout sweeper (silence counted only over time the gateway could
hear: projection lag and outages hold it back; a late final report completes
a timed-out job) and the submission rate limits, with more than one gateway
instance sharing the database."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from fastapi import FastAPI
from sqlalchemy import func, insert, make_url, select, update
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.gateway_processes import free_port
from pind_contracts import JOB_STAGE, VIDEO_REQUESTED
from pind_gateway.app import create_app
from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.models import Analysis
from pind_gateway.limits.service import window_of
from pind_gateway.projection.horizon import REPORTS, ProjectionHorizon, unsent_since
from pind_gateway.projection.sweeper import Sweeper
from pind_gateway.settings import GatewaySettings
from pind_kit.db import OUTBOX, make_sessionmaker
from pind_kit.faults import is_infrastructure_error
from pind_kit.testing import commit_group_at_end


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
        async with instance(settings, job_timeout_s=3600, job_sweep_interval_s=0.2) as other:
            # The sweeper waits for its projection to catch up with the shared test
            # topics first: in a full, loaded run that takes more than a moment.
            try:
                async with asyncio.timeout(90):
                    while (job := (await client.get(f"/api/v1/jobs/{job_id}")).json())[
                        "state"
                    ] != "failed":
                        changed.clear()
                        await changed.wait()
            except TimeoutError:
                pytest.fail(f"the silent job was not ended: {await _sweepers_view(other)}")

    assert job["progress"] == 100
    assert job["finished_at"] is not None
    assert job["error"].startswith("the analysis timed out: no progress for 60 minute(s)")
    assert "last step: reading the video" in job["error"]
    legacy = (await client.get(f"/api/v1/jobs/{job_id}/status")).json()
    assert legacy["status"] == "FAILURE"

    # The video can be analysed again at once…
    again = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    assert again.status_code == 202
    assert again.json()["answered_from"] == "new"
    # …and a late report that does not end the timed-out analysis is stored, the job
    # staying failed (its answer is kept by the cache meanwhile)…
    await play(job_id, video_id, events.full_analysis(job_id, video_id)[1:3])
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["state"] == "failed"
    assert job["stages"]["ingest"]["state"] == "succeeded"
    timed_out_at = job["finished_at"]
    # …until the final reports complete it: failed → succeeded, the kept answer dropped.
    await play(job_id, video_id, events.full_analysis(job_id, video_id)[3:])
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert (job["state"], job["progress"], job["error"]) == ("succeeded", 100, None)
    assert job["finished_at"] > timed_out_at
    assert [p["name"] for p in job["places"]] == ["광장시장", "경복궁"]
    legacy = (await client.get(f"/api/v1/jobs/{job_id}/status")).json()
    assert legacy["status"] == "SUCCESS"
    async with context.sessionmaker() as session:
        analysis = await session.get(Analysis, job_id)
    assert analysis is not None and analysis.timed_out_at is None
    # The new analysis is its own, still in flight.
    second = (await client.get(f"/api/v1/jobs/{again.json()['job_id']}")).json()
    assert second["state"] == "queued"


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


# --- silence is counted only over time the gateway could hear --------------------

TIMEOUT = timedelta(hours=1)


@pytest.fixture
async def own_topics(settings: GatewaySettings) -> AsyncIterator[tuple[str, str]]:
    """The report topics in a namespace of this test's own (no other run publishes
    there), with a consumer group that nothing consumes, started at their ends;
    yields the group."""
    prefix = f"test.sweep-{uuid.uuid4().hex[:8]}."
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(prefix + t.name, t.partitions, replication_factor=1) for t in REPORTS]
        )
        group = f"pind-gateway-sweep-{uuid.uuid4().hex[:8]}"
        await commit_group_at_end(settings.kafka_bootstrap, group, REPORTS, prefix=prefix)
        yield prefix, group
        await admin.delete_topics([prefix + t.name for t in REPORTS])
    finally:
        await admin.close()


async def silent_job(client: httpx.AsyncClient, context: GatewayContext, events: Any) -> uuid.UUID:
    """A new job whose analysis was last updated 50 minutes ago: silent for longer
    than an hour once the clock reads 11 minutes from now, as the looks below do
    (so they end nothing but what has been silent for 49 minutes or more)."""
    video_id = events.video_id()
    answer = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    job_id = uuid.UUID(answer.json()["job_id"])
    async with context.sessionmaker() as session, session.begin():
        await session.execute(
            update(Analysis)
            .where(Analysis.id == job_id)
            .values(updated_at=datetime.now(UTC) - timedelta(minutes=50))
        )
    return job_id


async def state_of(context: GatewayContext, job_id: uuid.UUID) -> str:
    async with context.sessionmaker() as session:
        analysis = await session.get(Analysis, job_id)
    assert analysis is not None
    return analysis.state


async def _sweepers_view(app: FastAPI) -> str:
    """What a sweeper that ends nothing sees (for a failure's message)."""
    sweeper: Sweeper = app.state.sweeper
    now = datetime.now(UTC)
    heard = await sweeper.horizon.heard_up_to(now)
    async with sweeper.sessionmaker() as session:
        unsent = await unsent_since(session, now, sweeper.requests_topic)
        waiting = (
            await session.execute(
                select(OUTBOX.c.topic, func.count(), func.min(OUTBOX.c.created_at)).group_by(
                    OUTBOX.c.topic
                )
            )
        ).all()
    return (
        f"now {now:%H:%M:%S}, heard up to {heard}, oldest unsent request {unsent}, "
        f"heard since {sweeper.heard_since}, outbox {waiting}"
    )


def sweeper_of(context: GatewayContext, horizon: ProjectionHorizon) -> Sweeper:
    return Sweeper(
        context.sessionmaker,
        horizon,
        timeout_s=TIMEOUT.total_seconds(),
        interval_s=1,
        requests_topic=context.settings.kafka_topic_prefix + VIDEO_REQUESTED.name,
    )


async def test_a_lagging_projection_holds_timeouts_back(
    settings: GatewaySettings,
    context: GatewayContext,
    client: httpx.AsyncClient,
    producer: AIOKafkaProducer,
    events: Any,
    own_topics: tuple[str, str],
) -> None:
    prefix, group = own_topics
    job_id = await silent_job(client, context, events)
    sweeper = sweeper_of(context, ProjectionHorizon(settings.kafka_bootstrap, group, prefix))
    try:
        now = datetime.now(UTC)
        assert await sweeper.horizon.heard_up_to(now) == now  # caught up
        # A report waits in the topic, not projected: the projection is behind what
        # it was at ``now``. Eleven minutes later the job has been silent in the
        # tables for over an hour, but heard only up to ``now``: not long enough.
        report = events.stage(uuid.uuid4(), events.video_id(), "geo", "progress")
        await producer.send_and_wait(prefix + JOB_STAGE.name, report.model_dump_json().encode())
        later = now + timedelta(minutes=11)
        await sweeper.look(later)
        assert await state_of(context, job_id) == "queued"
        assert await sweeper.horizon.heard_up_to(later) == now

        # The projection catches up: now the silence is known, and the job ends.
        await commit_group_at_end(settings.kafka_bootstrap, group, REPORTS, prefix=prefix)
        await sweeper.look(later)
        assert await state_of(context, job_id) == "failed"
    finally:
        await sweeper.horizon.close()


@pytest.mark.parametrize("away", ["kafka", "database"])
async def test_an_outage_restarts_the_silence_clock(
    away: str,
    settings: GatewaySettings,
    context: GatewayContext,
    client: httpx.AsyncClient,
    events: Any,
    own_topics: tuple[str, str],
) -> None:
    prefix, group = own_topics
    job_id = await silent_job(client, context, events)
    horizon = ProjectionHorizon(settings.kafka_bootstrap, group, prefix)
    sweeper = sweeper_of(context, horizon)
    nothing_listens = free_port()
    url = make_url(settings.database_url.get_secret_value()).set(port=nothing_listens)
    unreachable = create_async_engine(url)
    if away == "kafka":
        sweeper.horizon = ProjectionHorizon(
            f"127.0.0.1:{nothing_listens}", group, prefix, timeout_s=5
        )
    else:
        sweeper.sessionmaker = make_sessionmaker(unreachable)
    try:
        now = datetime.now(UTC)
        try:
            await sweeper.look(now)
        except Exception as exc:
            assert is_infrastructure_error(exc), exc
        else:
            pytest.fail(f"a look with the {away} away did not fail")

        # Back: the job, silent in the tables for over an hour, could have been
        # heard only since the outage ended (its reports may wait in the workers'
        # outboxes): its silence counts from there.
        await sweeper.horizon.close()
        sweeper.horizon, sweeper.sessionmaker = horizon, context.sessionmaker
        later = now + timedelta(minutes=11)
        assert await sweeper.look(later) == 0
        assert sweeper.heard_since == later
        assert await state_of(context, job_id) == "queued"
        # Still held back while less than the timeout has passed since.
        assert await sweeper.look(later + TIMEOUT - timedelta(seconds=1)) == 0
        assert await state_of(context, job_id) == "queued"
    finally:
        await sweeper.horizon.close()
        await unreachable.dispose()


def test_a_request_waiting_in_the_outbox_is_not_silent() -> None:
    sweeper = Sweeper(
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        timeout_s=TIMEOUT.total_seconds(),
        interval_s=1,
        requests_topic=VIDEO_REQUESTED.name,
    )
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert sweeper.silent_before(now, now, None) == now - TIMEOUT
    assert sweeper.silent_before(
        now, now - timedelta(minutes=5), None
    ) == now - TIMEOUT - timedelta(minutes=5)
    waiting = now - timedelta(hours=3)  # the relay is stuck since
    assert sweeper.silent_before(now, now, waiting) == waiting
    assert sweeper.silent_before(now, None, None) is None


async def test_only_this_deployments_waiting_requests_hold_timeouts_back(
    settings: GatewaySettings, context: GatewayContext
) -> None:
    """A row another namespace left in the shared outbox (its topic since
    deleted, so it never leaves) says nothing about this deployment's
    analyses; a request of its own still waiting does."""
    own = settings.kafka_topic_prefix + VIDEO_REQUESTED.name
    foreign = f"{settings.kafka_topic_prefix}gone{uuid.uuid4().hex[:8]}.{VIDEO_REQUESTED.name}"
    now = datetime.now(UTC)

    def row(topic: str, age: timedelta) -> dict[str, Any]:
        return {"topic": topic, "key": None, "value": b"{}", "headers": {}, "created_at": now - age}

    async with context.sessionmaker() as session:  # never committed: no relay sees the rows
        await session.execute(insert(OUTBOX), [row(foreign, timedelta(hours=5))])
        assert await unsent_since(session, now, own) is None
        await session.execute(insert(OUTBOX), [row(own, timedelta(hours=2))])
        waiting = await unsent_since(session, now, own)
        assert waiting is not None and abs(waiting - (now - timedelta(hours=2))) < timedelta(
            minutes=1
        )
