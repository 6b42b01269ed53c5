"""Fixtures for the gateway against the real PostgreSQL and Kafka: a migrated
schema, the app running with its projection (own consumer group starting at
the topics' ends), an HTTP client, and a stand-in for the workers' events."""

from __future__ import annotations

import asyncio
import secrets
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from sqlalchemy import select

from benchmarks.gateway_processes import Instance, running
from pind_auth.__main__ import MIGRATIONS_DIR as AUTH_MIGRATIONS_DIR
from pind_auth.app import create_app as create_auth_app
from pind_auth.security.keys import write_new_key
from pind_auth.settings import AuthSettings
from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    USER,
    VIDEO_INGESTED,
    Contract,
    Envelope,
    Evidence,
    JobStage,
    Place,
    PlacesExtracted,
    Thumbnail,
    Topic,
    UnresolvedPlace,
    VideoIngested,
    VideoMetadata,
)
from pind_gateway.__main__ import MIGRATIONS_DIR
from pind_gateway.app import create_app
from pind_gateway.core.deps import GatewayContext
from pind_gateway.domain.video_url import canonical_url
from pind_gateway.settings import GatewaySettings
from pind_kit.db import PROCESSED_EVENTS
from pind_kit.migrations import upgrade
from pind_kit.testing import commit_group_at_end, database_url, physical_topic, topic_prefix
from pind_kit.topics import ensure_topics

PROJECTED = (JOB_STAGE, VIDEO_INGESTED, PLACES_EXTRACTED, USER)
JOB_TIMEOUT_S = 30 * 24 * 3600.0


def new_video_id() -> str:
    """A fresh, well-formed video id, so tests never share a video."""
    return secrets.token_urlsafe(8)[:11]


@pytest.fixture(scope="session")
def settings(kafka_bootstrap: str) -> GatewaySettings:
    return GatewaySettings(
        database_url=database_url("gateway"),
        kafka_bootstrap=kafka_bootstrap,
        consumer_group=f"pind-gateway-test-{uuid.uuid4().hex[:8]}",
        relay_poll_interval_s=0.1,
        process_wait_s=20.0,
        process_db_check_s=0.5,
        guest_submissions_per_window=100_000,
        user_submissions_per_window=100_000,
        # The session's sweepers end nothing the tests leave in flight (tests
        # of the sweeper run their own): the database is shared by test runs.
        job_timeout_s=JOB_TIMEOUT_S,
        log_json=False,
    )


@pytest.fixture(scope="session")
def migrated(settings: GatewaySettings) -> None:
    upgrade(settings, MIGRATIONS_DIR)


@pytest.fixture(scope="session")
async def topics(settings: GatewaySettings) -> None:
    await ensure_topics(settings.kafka_bootstrap, prefix=topic_prefix())


@pytest.fixture(scope="session")
def auth_settings(tmp_path_factory: pytest.TempPathFactory, kafka_bootstrap: str) -> AuthSettings:
    """The real auth service's settings (its own schema, migrated; a fresh signing key)."""
    key_dir = tmp_path_factory.mktemp("auth-keys")
    write_new_key(key_dir / "current.pem")
    auth_settings = AuthSettings(
        database_url=database_url("auth"),
        kafka_bootstrap=kafka_bootstrap,
        jwt_key_dir=key_dir,
        run_dir=tmp_path_factory.mktemp("auth-run"),
        smtp_port=9,  # nothing listens: mails (none for new accounts) only log a failure
        reset_url="https://pind.tests.example.com/reset-password",
        trusted_proxies=["127.0.0.1"],
        relay_poll_interval_s=0.1,
        log_json=False,
    )
    upgrade(auth_settings, AUTH_MIGRATIONS_DIR)
    return auth_settings


@pytest.fixture(scope="session")
async def auth_app(auth_settings: AuthSettings, topics: None) -> AsyncIterator[FastAPI]:
    """The real auth service, in-process."""
    application = create_auth_app(auth_settings)
    async with application.router.lifespan_context(application):
        yield application


def gateway_app(settings: GatewaySettings, auth_app: FastAPI) -> FastAPI:
    """A gateway instance reaching the in-process auth service over ASGI."""
    return create_app(settings, auth_transport=httpx.ASGITransport(app=auth_app))


@pytest.fixture(scope="session")
async def app(
    settings: GatewaySettings, migrated: None, topics: None, auth_app: FastAPI
) -> AsyncIterator[FastAPI]:
    await commit_group_at_end(settings.kafka_bootstrap, settings.consumer_group, PROJECTED)
    application = gateway_app(settings, auth_app)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
def context(app: FastAPI) -> GatewayContext:
    gateway: GatewayContext = app.state.gateway
    return gateway


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield http


class Workers:
    """Publishes what ingest, transcript, vision and geo would, with real
    CloudEvents headers, and waits until the gateway has projected it."""

    def __init__(self, producer: AIOKafkaProducer, context: GatewayContext) -> None:
        self.producer = producer
        self.context = context
        self.clock = datetime.now(UTC)

    def tick(self) -> datetime:
        self.clock += timedelta(milliseconds=10)
        return self.clock

    def envelope(self, topic: Topic, job_id: uuid.UUID, video_id: str, at: datetime) -> Envelope:
        return Envelope(
            type=topic.event_type,
            producer="test-worker",
            subject=video_id,
            job_id=job_id,
            occurred_at=at,
        )

    async def send(self, topic: Topic, payload: Contract, envelope: Envelope) -> Envelope:
        await self.producer.send_and_wait(
            physical_topic(topic.name),
            value=payload.model_dump_json().encode(),
            key=envelope.subject.encode(),
            headers=envelope.to_headers(),
        )
        return envelope

    async def settle(self, video_id: str, topics: set[Topic], limit_s: float = 30.0) -> None:
        """Wait until every event sent so far for ``video_id`` was handled.

        Events of one video share a partition per topic, so a marker sent last
        on each topic, once processed, proves everything before it was too.
        Markers belong to a job the gateway does not know and are stamped long
        ago: they change nothing (unknown job; older than what is stored)."""
        marker_job = uuid.uuid4()
        ancient = datetime(2000, 1, 1, tzinfo=UTC)
        markers: dict[Topic, Contract] = {
            JOB_STAGE: stage(marker_job, video_id, "geo", "progress"),
            VIDEO_INGESTED: ingested(marker_job, video_id, title="marker"),
            PLACES_EXTRACTED: places(marker_job, video_id, found=False),
        }
        with self.context.watch.subscribe(marker_job) as changed:
            pending = []
            for topic in topics:
                envelope = self.envelope(topic, marker_job, video_id, ancient)
                await self.send(topic, markers[topic], envelope)
                pending.append(envelope.event_id)
            async with asyncio.timeout(limit_s):
                while pending:
                    changed.clear()
                    pending = [e for e in pending if not await self._processed(e)]
                    if pending:
                        await changed.wait()

    async def _processed(self, event_id: uuid.UUID) -> bool:
        async with self.context.sessionmaker() as session:
            found = await session.scalar(
                select(PROCESSED_EVENTS.c.event_id).where(
                    PROCESSED_EVENTS.c.consumer == self.context.settings.consumer_group,
                    PROCESSED_EVENTS.c.event_id == event_id,
                )
            )
        return found is not None


@pytest.fixture(scope="session")
async def workers(app: FastAPI, context: GatewayContext) -> AsyncIterator[Workers]:
    producer = AIOKafkaProducer(
        bootstrap_servers=context.settings.kafka_bootstrap, enable_idempotence=True
    )
    await producer.start()
    try:
        yield Workers(producer, context)
    finally:
        await producer.stop()


# --- what a successful analysis of one video produces ------------------------


def stage(job_id: uuid.UUID, video_id: str, name: str, state: str, **kw: Any) -> JobStage:
    return JobStage(job_id=job_id, video_id=video_id, stage=name, state=state, **kw)


def ingested(
    job_id: uuid.UUID, video_id: str, title: str = "광장시장 먹방 브이로그"
) -> VideoIngested:
    return VideoIngested(
        job_id=job_id,
        video_id=video_id,
        metadata=VideoMetadata(
            title=title,
            duration_s=612.0,
            channel="서울먹방",
            thumbnails=[
                Thumbnail(
                    url=f"https://i.ytimg.com/vi/{video_id}/default.jpg", width=120, height=90
                ),
                Thumbnail(
                    url=f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg", width=480, height=360
                ),
            ],
            webpage_url=canonical_url(video_id),  # type: ignore[arg-type]
        ),
    )


def places(job_id: uuid.UUID, video_id: str, *, found: bool = True) -> PlacesExtracted:
    resolved = [
        Place(
            key="gazetteer:market:gwangjang",
            name="광장시장",
            name_en="Gwangjang Market",
            category="market",
            lat=37.5701,
            lon=126.9996,
            confidence=0.92,
            geocoder="gazetteer",
            evidence=[
                Evidence(
                    source="transcript", text="오늘은 광장시장에 왔어요", start_s=83.4, lang="ko"
                ),
                Evidence(source="title", text="광장시장 먹방 브이로그"),
            ],
        ),
        Place(
            key="gazetteer:palace:gyeongbokgung",
            name="경복궁",
            name_en="Gyeongbokgung Palace",
            category="palace",
            lat=37.5796,
            lon=126.9770,
            confidence=0.81,
            geocoder="gazetteer",
            evidence=[Evidence(source="ocr", text="경복궁", start_s=301.0)],
        ),
    ]
    return PlacesExtracted(
        job_id=job_id,
        video_id=video_id,
        places=resolved if found else [],
        unresolved=[
            UnresolvedPlace(
                name="할머니집",
                category="restaurant",
                confidence=0.4,
                evidence=[Evidence(source="transcript", text="할머니집 빈대떡", start_s=95.0)],
                reason="no geocoder knows this name",
            )
        ],
        inputs_used=["metadata", "transcript", "vision"],
        extractor="offline",
    )


def full_analysis(job_id: uuid.UUID, video_id: str) -> list[tuple[Topic, Contract]]:
    """The events of one successful analysis, in the order the workers send them."""
    return [
        (JOB_STAGE, stage(job_id, video_id, "ingest", "started")),
        (JOB_STAGE, stage(job_id, video_id, "ingest", "succeeded", progress=1.0)),
        (VIDEO_INGESTED, ingested(job_id, video_id)),
        (JOB_STAGE, stage(job_id, video_id, "transcript", "started")),
        (JOB_STAGE, stage(job_id, video_id, "vision", "started")),
        (JOB_STAGE, stage(job_id, video_id, "transcript", "progress", progress=0.5)),
        (JOB_STAGE, stage(job_id, video_id, "transcript", "succeeded", progress=1.0)),
        (JOB_STAGE, stage(job_id, video_id, "vision", "succeeded", progress=1.0)),
        (JOB_STAGE, stage(job_id, video_id, "geo", "started")),
        (PLACES_EXTRACTED, places(job_id, video_id)),
        (JOB_STAGE, stage(job_id, video_id, "geo", "succeeded", progress=1.0)),
    ]


class Events:
    """Builders of the workers' events, for tests (conftest is not importable)."""

    video_id = staticmethod(new_video_id)
    stage = staticmethod(stage)
    ingested = staticmethod(ingested)
    places = staticmethod(places)
    full_analysis = staticmethod(full_analysis)


@pytest.fixture(scope="session")
def events() -> type[Events]:
    return Events


@pytest.fixture
def play(workers: Workers) -> Callable[..., Any]:
    """Send events as the workers would (stamped in the given order of
    occurrence, delivered in ``delivery`` order), then wait until projected."""

    async def run(
        job_id: uuid.UUID,
        video_id: str,
        events: list[tuple[Topic, Contract]],
        *,
        delivery: Callable[[list[Any]], list[Any]] = lambda items: items,
        duplicate: bool = False,
    ) -> None:
        stamped = [
            (topic, payload, workers.envelope(topic, job_id, video_id, workers.tick()))
            for topic, payload in events
        ]
        ordered = delivery(stamped)
        if duplicate:
            ordered = [item for item in ordered for _ in range(2)]
        for topic, payload, envelope in ordered:
            await workers.send(topic, payload, envelope)
        await workers.settle(video_id, {topic for topic, _ in events})

    return run


@pytest.fixture(scope="session")
def start_group_at_end(settings: GatewaySettings) -> Callable[[str], Any]:
    """Make a (new) projection group start at the topics' current ends."""

    async def start(group: str) -> None:
        await commit_group_at_end(settings.kafka_bootstrap, group, PROJECTED)

    return start


@pytest.fixture(scope="session")
async def producer(settings: GatewaySettings, topics: None) -> AsyncIterator[AIOKafkaProducer]:
    kafka = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True)
    await kafka.start()
    try:
        yield kafka
    finally:
        await kafka.stop()


async def publish(
    producer: AIOKafkaProducer, job_id: uuid.UUID, video_id: str, events: list[tuple[Topic, Any]]
) -> None:
    """Send the workers' events as they would, stamped in order of occurrence."""
    clock = datetime.now(UTC)
    for topic, payload in events:
        clock += timedelta(milliseconds=10)
        envelope = Envelope(
            type=topic.event_type,
            producer="test-worker",
            subject=video_id,
            job_id=job_id,
            occurred_at=clock,
        )
        await producer.send_and_wait(
            physical_topic(topic.name),
            value=payload.model_dump_json().encode(),
            key=video_id.encode(),
            headers=envelope.to_headers(),
        )


Events.publish = staticmethod(publish)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
async def auth_client(auth_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=auth_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://auth") as http:
        yield http


PASSWORD = "correct horse battery 9"


def documentation_address() -> str:
    """A client address of its own (IPv6 documentation range): auth throttles per
    address (an IPv6 /64) and registrations per network (a /48)."""
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::1"


def client_at(app: FastAPI, address: str | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address or documentation_address(), 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://gateway")


@pytest.fixture(scope="session")
def sign_in(app: FastAPI) -> Callable[..., Any]:
    """Register a fresh account through the gateway's /auth/* and return its token."""

    async def run(email: str | None = None, password: str = PASSWORD) -> str:
        email = email or f"gw-{uuid.uuid4().hex[:12]}@tests.example.com"
        async with client_at(app) as http:
            body = {"email": email, "password": password}
            registered = await http.post("/auth/register", json=body)
            assert registered.status_code == 202, registered.text
            login = await http.post("/auth/login", data={"username": email, "password": password})
        assert login.status_code == 200, login.text
        token: str = login.json()["access_token"]
        return token

    return run


Events.client_at = staticmethod(client_at)  # type: ignore[attr-defined]
Events.address = staticmethod(documentation_address)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
async def auth_server(auth_app: FastAPI) -> AsyncIterator[str]:
    """The in-process auth service, also served over real HTTP (for gateway processes)."""
    listening = socket.create_server(("127.0.0.1", 0))  # connections queue from now on
    port = listening.getsockname()[1]
    config = uvicorn.Config(auth_app, lifespan="off", log_config=None)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture(scope="session")
async def instances(
    settings: GatewaySettings,
    migrated: None,
    topics: None,
    auth_server: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[dict[str, Instance]]:
    """Two gateway processes sharing the database: ``a`` projects (its own
    consumer group, starting at the topics' ends), ``b`` only serves."""
    group = f"pind-gateway-live-{uuid.uuid4().hex[:8]}"
    await commit_group_at_end(settings.kafka_bootstrap, group, PROJECTED)
    common = {
        "PIND_CONSUMER_GROUP": group,
        "PIND_STREAM_HEARTBEAT_S": "1",
        # Every test client here is 127.0.0.1: quotas are tested in test_timeouts_and_limits.
        "PIND_GUEST_SUBMISSIONS_PER_WINDOW": "100000",
        "PIND_JOB_TIMEOUT_S": str(JOB_TIMEOUT_S),
        "PIND_AUTH_URL": auth_server,
        "PIND_AUTH_JWKS_URL": f"{auth_server}/.well-known/jwks.json",
    }
    async with running(
        settings,
        tmp_path_factory.mktemp("instances"),
        a={**common, "PIND_RUN_PROJECTION": "true"},
        b={**common, "PIND_RUN_PROJECTION": "false"},
    ) as started:
        yield started
