"""A real gateway (with the real auth service behind it) served over HTTP on a
free port, for driving ``pind`` against: the gateway's own code with real
PostgreSQL and Kafka in this run's topic namespace, its projection in a
consumer group of its own that starts at the topics' ends. The workers are
stood in for by publishing their events on the namespaced topics, as the
gateway's tests do."""

from __future__ import annotations

import asyncio
import io
import json
import re
import secrets
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from pind_auth.__main__ import MIGRATIONS_DIR as AUTH_MIGRATIONS_DIR
from pind_auth.app import create_app as create_auth_app
from pind_auth.security.keys import write_new_key
from pind_auth.settings import AuthSettings
from pind_cli.main import run
from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    USER,
    VIDEO_INGESTED,
    VIDEO_REQUESTED,
    Contract,
    Envelope,
    Evidence,
    JobStage,
    Place,
    PlacesExtracted,
    Topic,
    VideoIngested,
    VideoMetadata,
)
from pind_gateway.__main__ import MIGRATIONS_DIR
from pind_gateway.app import create_app
from pind_gateway.settings import GatewaySettings
from pind_kit.migrations import upgrade
from pind_kit.testing import TopicReader, commit_group_at_end, database_url, physical_topic

PROJECTED = (JOB_STAGE, VIDEO_INGESTED, PLACES_EXTRACTED, USER)
PASSWORD = "correct horse battery 9"
STREAM_MAX_S = 3.0


def new_video_id() -> str:
    return secrets.token_urlsafe(8)[:11]


async def serve(app: FastAPI) -> tuple[str, uvicorn.Server, asyncio.Task[None]]:
    """Serve ``app`` (lifespan already entered) over HTTP on a free port."""
    listening = socket.create_server(("127.0.0.1", 0))  # connections queue from now on
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None))
    task = asyncio.create_task(server.serve(sockets=[listening]))
    return f"http://127.0.0.1:{port}", server, task


@pytest.fixture(scope="session")
def gateway_settings(kafka_bootstrap: str) -> GatewaySettings:
    return GatewaySettings(
        database_url=database_url("gateway"),
        kafka_bootstrap=kafka_bootstrap,
        consumer_group=f"pind-gateway-cli-test-{uuid.uuid4().hex[:8]}",
        relay_poll_interval_s=0.1,
        stream_heartbeat_s=0.5,  # keep-alives often: --timeout is checked on each
        stream_max_s=STREAM_MAX_S,  # streams cut short: following must reconnect
        guest_submissions_per_window=100_000,
        user_submissions_per_window=100_000,
        log_json=False,
    )


@pytest.fixture(scope="session")
def auth_settings(tmp_path_factory: pytest.TempPathFactory, kafka_bootstrap: str) -> AuthSettings:
    """The real auth service's settings (its own schema, migrated; a fresh key)."""
    key_dir = tmp_path_factory.mktemp("cli-auth-keys")
    write_new_key(key_dir / "current.pem")
    settings = AuthSettings(
        database_url=database_url("auth"),
        kafka_bootstrap=kafka_bootstrap,
        jwt_key_dir=key_dir,
        run_dir=tmp_path_factory.mktemp("cli-auth-run"),
        smtp_port=9,  # nothing listens: mails (none for new accounts) only log a failure
        trusted_proxies=["127.0.0.1"],
        # Every account and sign-in here comes from 127.0.0.1, run after run;
        # auth's limits on them have their own tests.
        register_address_limit=1_000_000,
        register_network_limit=1_000_000,
        throttle_address_failures=1_000_000,
        relay_poll_interval_s=0.1,
        log_json=False,
    )
    upgrade(settings, AUTH_MIGRATIONS_DIR)
    return settings


@pytest.fixture(scope="session")
def gateway_migrated(gateway_settings: GatewaySettings) -> None:
    upgrade(gateway_settings, MIGRATIONS_DIR)


@pytest.fixture(scope="session")
async def auth_app(auth_settings: AuthSettings) -> AsyncIterator[FastAPI]:
    """The real auth service, in-process."""
    application = create_auth_app(auth_settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def gateway_url(
    gateway_settings: GatewaySettings, gateway_migrated: None, auth_app: FastAPI
) -> AsyncIterator[str]:
    """The gateway, served over real HTTP on a free port (never 8000)."""
    await commit_group_at_end(
        gateway_settings.kafka_bootstrap, gateway_settings.consumer_group, PROJECTED
    )
    app = create_app(gateway_settings, auth_transport=httpx.ASGITransport(app=auth_app))
    async with app.router.lifespan_context(app):
        url, server, task = await serve(app)
        yield url
        server.should_exit = True
        await task


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


class WatchedStream(io.StringIO):
    """Standard error of a running command that tells, once printed, which
    job it follows (``pind: job <id> for video ...``)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._loop = loop
        self.job_id: asyncio.Future[str] = loop.create_future()

    def write(self, text: str) -> int:
        found = re.search(r"pind: job ([0-9a-f-]{36}) ", text)
        if found:
            self._loop.call_soon_threadsafe(self._announce, found.group(1))
        return super().write(text)

    def _announce(self, job_id: str) -> None:
        if not self.job_id.done():
            self.job_id.set_result(job_id)


@dataclass(frozen=True)
class Running:
    task: asyncio.Task[Result]
    stderr: WatchedStream


class Cli:
    """``pind`` run in-process (its ``run`` function, in a thread: it is
    synchronous and the gateway serves from this event loop)."""

    def __init__(self, api_url: str, config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.api_url = api_url
        self.config_dir = config_dir
        monkeypatch.setenv("PIND_CONFIG_DIR", str(config_dir))
        monkeypatch.setenv("PIND_API_URL", api_url)

    def start(self, *argv: str, stdin: str = "") -> Running:
        out, err = io.StringIO(), WatchedStream(asyncio.get_running_loop())

        async def command() -> Result:
            code = await asyncio.to_thread(
                run, list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err
            )
            return Result(code, out.getvalue(), err.getvalue())

        return Running(asyncio.create_task(command()), err)

    async def __call__(self, *argv: str, stdin: str = "") -> Result:
        return await self.start(*argv, stdin=stdin).task


@pytest.fixture
def pind(gateway_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(gateway_url, tmp_path / "config", monkeypatch)


class Workers:
    """Publishes what ingest and geo would, with real CloudEvents headers."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer
        self.clock = datetime.now(UTC)

    async def send(self, job_id: uuid.UUID, video_id: str, events: list[tuple[Topic, Any]]) -> None:
        for topic, payload in events:
            self.clock += timedelta(milliseconds=10)
            envelope = Envelope(
                type=topic.event_type,
                producer="test-worker",
                subject=video_id,
                job_id=job_id,
                occurred_at=self.clock,
            )
            await self.producer.send_and_wait(
                physical_topic(topic.name),
                value=payload.model_dump_json().encode(),
                key=video_id.encode(),
                headers=envelope.to_headers(),
            )

    @staticmethod
    async def until_job(
        api_url: str, job_id: str, predicate: Callable[[dict[str, Any]], bool], within_s: float = 30
    ) -> dict[str, Any]:
        """The job as the public stream shows it, once ``predicate`` holds
        (the stream is opened again when the gateway closes it: STREAM_MAX_S)."""
        async with (
            asyncio.timeout(within_s),
            httpx.AsyncClient(base_url=api_url, timeout=within_s) as http,
        ):
            while True:
                async with http.stream("GET", f"/api/v1/jobs/{job_id}/events") as response:
                    async for line in response.aiter_lines():
                        if line.startswith("data:"):
                            job = json.loads(line.removeprefix("data:"))
                            if "stages" in job and predicate(job):
                                return dict(job)

    @staticmethod
    async def stream_closed_by_server(api_url: str, job_id: str) -> None:
        """Open the job's stream and return once the gateway closes it
        without the job ending (after STREAM_MAX_S)."""
        async with (
            httpx.AsyncClient(base_url=api_url, timeout=30) as http,
            http.stream("GET", f"/api/v1/jobs/{job_id}/events") as response,
        ):
            lines = [line async for line in response.aiter_lines()]
        assert "event: end" not in lines, "the job ended: the stream was not cut short"

    @staticmethod
    async def requested_job(reader: TopicReader, video_id: str) -> uuid.UUID:
        """The analysis id the gateway put on ``pind.video.requested.v1`` for the video."""
        records = await reader.until(
            lambda seen: any(r.key == video_id.encode() for r in seen), within_s=30
        )
        value = next(r.value for r in records if r.key == video_id.encode())
        assert value is not None
        return uuid.UUID(json.loads(value)["job_id"])


@pytest.fixture(scope="session")
async def workers(gateway_url: str, kafka_bootstrap: str) -> AsyncIterator[Workers]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        yield Workers(producer)
    finally:
        await producer.stop()


def requests_reader(kafka_bootstrap: str) -> TopicReader:
    return TopicReader(kafka_bootstrap, VIDEO_REQUESTED.name)


# --- what the workers report for one video -------------------------------------------


def stage(job_id: uuid.UUID, video_id: str, name: str, state: str, **kw: Any) -> JobStage:
    return JobStage(job_id=job_id, video_id=video_id, stage=name, state=state, **kw)


def places(job_id: uuid.UUID, video_id: str) -> PlacesExtracted:
    """Two places; the one named second in the list is reached first in the video."""
    return PlacesExtracted(
        job_id=job_id,
        video_id=video_id,
        places=[
            Place(
                key="gazetteer:palace:gyeongbokgung",
                name="경복궁",
                name_en="Gyeongbokgung Palace",
                category="palace",
                lat=37.5796,
                lon=126.9770,
                confidence=0.91,
                geocoder="gazetteer",
                evidence=[Evidence(source="ocr", text="경복궁", start_s=301.0)],
            ),
            Place(
                key="gazetteer:market:gwangjang",
                name="광장시장",
                name_en="Gwangjang Market",
                category="market",
                lat=37.5701,
                lon=126.9996,
                confidence=0.82,
                geocoder="gazetteer",
                evidence=[
                    Evidence(source="transcript", text="오늘은 광장시장에 왔어요", start_s=83.4)
                ],
            ),
        ],
        unresolved=[],
        inputs_used=["metadata", "transcript", "vision"],
        extractor="offline",
    )


def described(job_id: uuid.UUID, video_id: str) -> VideoIngested:
    """Ingest's report: the gateway ends an analysis only once its video is described."""
    return VideoIngested(
        job_id=job_id,
        video_id=video_id,
        metadata=VideoMetadata(
            title="광장시장에서 경복궁까지",
            duration_s=612.0,
            webpage_url=f"https://www.youtube.com/watch?v={video_id}",
        ),
    )


def success(job_id: uuid.UUID, video_id: str) -> list[tuple[Topic, Contract]]:
    return [
        (JOB_STAGE, stage(job_id, video_id, "ingest", "started")),
        (JOB_STAGE, stage(job_id, video_id, "ingest", "succeeded", progress=1.0)),
        (JOB_STAGE, stage(job_id, video_id, "transcript", "progress", progress=0.5)),
        (JOB_STAGE, stage(job_id, video_id, "transcript", "succeeded", progress=1.0)),
        (JOB_STAGE, stage(job_id, video_id, "vision", "succeeded", progress=1.0)),
        (JOB_STAGE, stage(job_id, video_id, "geo", "started")),
        (VIDEO_INGESTED, described(job_id, video_id)),
        (PLACES_EXTRACTED, places(job_id, video_id)),
        (JOB_STAGE, stage(job_id, video_id, "geo", "succeeded", progress=1.0)),
    ]


async def register(api_url: str, email: str, password: str = PASSWORD) -> None:
    """A fresh account, through the gateway's public /auth/register."""
    async with httpx.AsyncClient(base_url=api_url) as http:
        answer = await http.post("/auth/register", json={"email": email, "password": password})
    assert answer.status_code == 202, answer.text


class Helpers:
    """The builders above, for the tests (a conftest is not importable)."""

    video_id = staticmethod(new_video_id)
    stage = staticmethod(stage)
    success = staticmethod(success)
    register = staticmethod(register)
    requests_reader = staticmethod(requests_reader)
    password = PASSWORD


@pytest.fixture(scope="session")
def helpers() -> type[Helpers]:
    return Helpers
