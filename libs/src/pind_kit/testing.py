"""Pytest fixtures and helpers for tests against the real broker and database.

Loaded by the root ``conftest.py`` (``pytest_plugins = ["pind_kit.testing"]``);
needs pind-kit's ``testing`` extra (pytest; testcontainers for the second path).
Where Kafka and PostgreSQL come from is :func:`choose_infra`'s answer to
``PIND_TEST_INFRA``: ``local`` (the default) uses the processes ``make test``
starts (``make infra-up``); ``containers`` starts testcontainers' Kafka and
PostgreSQL modules for the session (:func:`infra_containers`) and points every
fixture and every process the tests start at them, through the same
``PIND_*`` settings. A test that needs the stack and finds it down fails with
the command to run; it is never skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import ConsumerRecord

from pind_contracts import Contract, Envelope, Topic
from pind_kit.consume.subscription import kafka_group_id

REPO_ROOT = Path(__file__).resolve().parents[3]


def run_env() -> dict[str, str]:
    """Settings written by ``deploy/postgres/setup.sh`` into ``.run/env``,
    overridden by the process environment."""
    run_dir = Path(os.environ.get("PIND_RUN_DIR", REPO_ROOT / ".run"))
    values: dict[str, str] = {}
    env_file = run_dir / "env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip().strip("'\"")
    values.update({k: v for k, v in os.environ.items() if k.startswith("PIND_")})
    return values


# --- where Kafka and PostgreSQL come from -------------------------------------------------

INFRA_SETTING = "PIND_TEST_INFRA"
Infra = Literal["local", "containers"]
# testcontainers' Kafka module drives Confluent's image (KRaft from 7.0); the
# local stack runs Apache Kafka 4.1 from Maven Central.
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"
POSTGRES_IMAGE = "postgres:15"
DATABASE_ROLES = ("auth", "gateway", "ingest", "transcript", "vision", "geo", "admin")


class InfraChoiceError(RuntimeError):
    """``PIND_TEST_INFRA`` asks for what this machine cannot give."""


def choose_infra(env: Mapping[str, str], docker_available: Callable[[], bool]) -> Infra:
    """``local`` (default) or ``containers`` from ``env[PIND_TEST_INFRA]``.
    ``docker_available`` is asked only when containers are wanted; without an
    engine that answers, that is an error saying what to do, never a silent
    fall back to the local processes."""
    raw = env.get(INFRA_SETTING, "")
    wanted = raw.strip().lower() or "local"
    if wanted == "local":
        return "local"
    if wanted != "containers":
        raise InfraChoiceError(
            f"{INFRA_SETTING}={raw!r} is not a choice: use local (the default: the Kafka and "
            "PostgreSQL processes `make test` starts) or containers (testcontainers, needs Docker)"
        )
    if not docker_available():
        where = env.get("DOCKER_HOST") or "the default socket, /var/run/docker.sock"
        raise InfraChoiceError(
            f"{INFRA_SETTING}=containers needs a Docker engine, and none answered at {where}: "
            f"start Docker (or set DOCKER_HOST), or unset {INFRA_SETTING} to run the tests on "
            "the local Kafka and PostgreSQL that `make test` starts"
        )
    return "containers"


def docker_available(timeout_s: float = 5.0) -> bool:
    """Whether a Docker engine answers a ping (``DOCKER_HOST`` or the default socket)."""
    try:
        import docker  # testcontainers' engine client (pind-kit[testing])
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=int(max(1, timeout_s)))
    except Exception:  # docker.errors.DockerException: no engine, bad DOCKER_HOST, ...
        return False
    try:
        return bool(client.ping())
    except Exception:  # the engine did not answer
        return False
    finally:
        client.close()


@contextlib.contextmanager
def infra_containers() -> Iterator[dict[str, str]]:
    """Kafka (KRaft) and PostgreSQL 15 in containers, prepared as the local
    stack is: the roles and schemas of ``deploy/postgres/init.sql`` (applied by
    ``deploy/docker/postgres-init.sh``, as docker-compose does), every
    service's migrations. Yields the ``PIND_*`` settings that point at them."""
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.postgres import PostgresContainer

    passwords = {role: secrets.token_hex(16) for role in DATABASE_ROLES}
    postgres = (
        PostgresContainer(
            POSTGRES_IMAGE,
            username="postgres",
            password=secrets.token_hex(16),
            dbname="pind",
            driver="asyncpg",
        )
        .with_copy_into_container(REPO_ROOT / "deploy/postgres/init.sql", "/pind/init.sql")
        .with_copy_into_container(
            REPO_ROOT / "deploy/docker/postgres-init.sh",
            "/docker-entrypoint-initdb.d/10-pind.sh",
            0o755,
        )
    )
    for role, password in passwords.items():
        postgres.with_env(f"PIND_{role.upper()}_DB_PASSWORD", password)
    with postgres, KafkaContainer(KAFKA_IMAGE).with_kraft() as kafka:
        host = postgres.get_container_host_ip()
        port = postgres.get_exposed_port(5432)
        settings = {
            f"PIND_{role.upper()}_DATABASE_URL": (
                f"postgresql+asyncpg://pind_{role}:{password}@{host}:{port}/pind"
            )
            for role, password in passwords.items()
        }
        settings["PIND_KAFKA_BOOTSTRAP"] = kafka.get_bootstrap_server()
        migrated = subprocess.run(
            [sys.executable, "-m", "pind_kit.migrate"],
            env={**os.environ, **settings},
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if migrated.returncode != 0:
            raise InfraChoiceError(
                "migrations on the PostgreSQL container failed:\n"
                + (migrated.stdout + migrated.stderr)[-3000:]
            )
        yield settings


_CONTAINERS = pytest.StashKey[contextlib.ExitStack]()


def pytest_configure(config: pytest.Config) -> None:
    """Start the containers when ``PIND_TEST_INFRA=containers`` (before any
    fixture reads a setting); the process environment carries their settings to
    every fixture (:func:`run_env`) and to every process a test starts."""
    try:
        choice = choose_infra(os.environ, docker_available)
    except InfraChoiceError as exc:
        raise pytest.UsageError(str(exc)) from None
    if choice != "containers":
        return
    stack = contextlib.ExitStack()
    config.stash[_CONTAINERS] = stack
    os.environ.update(stack.enter_context(infra_containers()))


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(_CONTAINERS, None)
    if stack is not None:
        stack.close()


TEST_TOPIC_PREFIX = "test."


def topic_prefix() -> str:
    """The namespace of this test run's topics (root conftest defaults it to
    ``test.``, so tests never touch the topics a running stack uses)."""
    return os.environ.get("PIND_KAFKA_TOPIC_PREFIX", "")


def physical_topic(name: str) -> str:
    """``name`` in this run's topic namespace (idempotent)."""
    prefix = topic_prefix()
    return name if name.startswith(prefix) else prefix + name


async def commit_group_at_end(
    bootstrap: str, group: str, topics: Iterable[Topic], *, prefix: str | None = None
) -> None:
    """Commit the topics' end offsets for ``group``'s Kafka groups (one per
    topic), as a consumer that caught up would: one started with the group
    then reads only what comes next, not the history other runs left.
    ``prefix`` names another namespace than this run's."""
    for topic in topics:
        name = prefix + topic.name if prefix is not None else physical_topic(topic.name)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=kafka_group_id(group, topic),
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            partitions = [TopicPartition(name, p) for p in range(topic.partitions)]
            consumer.assign(partitions)
            await consumer.commit(dict(await consumer.end_offsets(partitions)))
        finally:
            await consumer.stop()


def database_url(service: str) -> str:
    """The asyncpg URL of ``service``'s role (``admin`` for the superuser)."""
    key = f"PIND_{service.upper()}_DATABASE_URL"
    url = run_env().get(key)
    if not url:
        pytest.fail(f"{key} is not set: run `make infra-up` (it writes .run/env)")
    return url


@dataclass(frozen=True)
class KafkaRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]

    @classmethod
    def of(cls, record: ConsumerRecord[bytes, bytes]) -> KafkaRecord:
        return cls(
            record.topic,
            record.partition,
            record.offset,
            record.key,
            record.value,
            {k: v for k, v in (record.headers or ())},
        )


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """The running broker, with every contract topic in this run's namespace."""
    from pind_kit.topics import ensure_topics

    bootstrap = run_env().get("PIND_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    try:
        asyncio.run(ensure_topics(bootstrap, prefix=topic_prefix()))
    except Exception as exc:  # the broker is down: say what to run; never skip
        pytest.fail(f"Kafka at {bootstrap} is not reachable ({exc}); run `make infra-up`")
    return bootstrap


@pytest.fixture(scope="session")
def admin_database_url() -> str:
    return database_url("admin")


async def create_topics(bootstrap: str, names: Iterable[str], partitions: int = 1) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [physical_topic(n) for n in names]
        new = [NewTopic(n, partitions, 1) for n in wanted if n not in existing]
        if new:
            await admin.create_topics(new)
    finally:
        await admin.close()


_UNIQUE_TOPICS: set[str] = set()


def unique_topic(stem: str = "test") -> str:
    """A topic name no other test uses; deleted (with its DLT) when the session ends."""
    name = f"pind.{stem}.{uuid.uuid4().hex[:12]}.v1"
    _UNIQUE_TOPICS.update({name, name + ".dlt"})
    return name


async def stand_in_topic(
    bootstrap: str, stem: str, payload: type[Contract], description: str = "test input"
) -> Topic:
    """A fresh one-partition topic (and its DLT) carrying ``payload``: a stand-in
    for a registry topic, so no other consumer sees a test's events."""
    topic = Topic(unique_topic(stem), payload, 1, "video id", description)
    await create_topics(bootstrap, [topic.name, topic.dlt])
    return topic


@pytest.fixture(scope="session", autouse=True)
def _delete_unique_topics() -> Iterator[None]:
    yield
    if not _UNIQUE_TOPICS:
        return
    bootstrap = run_env().get("PIND_KAFKA_BOOTSTRAP", "127.0.0.1:9092")

    async def delete() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            doomed = [physical_topic(n) for n in _UNIQUE_TOPICS]
            await admin.delete_topics([n for n in doomed if n in existing])
        finally:
            await admin.close()

    asyncio.run(delete())


async def publish_raw(
    bootstrap: str,
    topic: str,
    value: bytes | None,
    headers: Iterable[tuple[str, bytes]] = (),
    key: bytes | None = None,
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(
            physical_topic(topic), value=value, key=key, headers=list(headers)
        )
    finally:
        await producer.stop()


async def publish_event(bootstrap: str, topic: Any, payload: Any, *, producer: str = "test") -> Any:
    """Publish a contract ``payload`` on ``topic`` as a producer would: keyed
    by its video id, with a CloudEvents envelope carrying its job id."""
    video_id = str(getattr(payload, "video_id", ""))
    envelope = Envelope(
        type=topic.event_type,
        producer=producer,
        subject=video_id,
        job_id=getattr(payload, "job_id", None),
    )
    await publish_raw(
        bootstrap,
        topic.name,
        payload.model_dump_json().encode(),
        envelope.to_headers(),
        video_id.encode(),
    )
    return payload


class TopicReader:
    """Reads a topic from the end offsets it had when the reader was made,
    so a test sees only what its own action produced."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = physical_topic(topic)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None
        )

    async def __aenter__(self) -> TopicReader:
        await self._consumer.start()
        # A topic created a moment ago may take a few metadata rounds to show.
        try:
            async with asyncio.timeout(15):
                while self.topic not in await self._consumer.topics():
                    await self._consumer._client.force_metadata_update()
        except TimeoutError:
            await self._consumer.stop()
            raise AssertionError(
                f"topic {self.topic} does not exist (run `make infra-up`)"
            ) from None
        partitions = self._consumer.partitions_for_topic(self.topic) or set()
        while not partitions:  # a topic created a moment ago: wait for its metadata
            await self._consumer._client.force_metadata_update()
            partitions = self._consumer.partitions_for_topic(self.topic) or set()
        tps = [TopicPartition(self.topic, p) for p in partitions]
        self._consumer.assign(tps)
        ends = await self._consumer.end_offsets(tps)
        for tp, end in ends.items():
            self._consumer.seek(tp, end)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def until(
        self,
        predicate: Callable[[list[KafkaRecord]], bool],
        within_s: float = 30.0,
    ) -> list[KafkaRecord]:
        """Records seen so far, once ``predicate`` holds on them (or fail)."""
        seen: list[KafkaRecord] = []
        try:
            async with asyncio.timeout(within_s):
                while not predicate(seen):
                    batch = await self._consumer.getmany(timeout_ms=200)
                    for records in batch.values():
                        seen.extend(KafkaRecord.of(r) for r in records)
        except TimeoutError:
            raise AssertionError(
                f"condition not met on {self.topic} within {within_s}s; saw {len(seen)} record(s)"
            ) from None
        return seen

    async def drain(self, quiet_s: float = 1.0) -> list[KafkaRecord]:
        """Everything that arrives until the topic stays quiet for ``quiet_s``."""
        seen: list[KafkaRecord] = []
        while True:
            batch = await self._consumer.getmany(timeout_ms=int(quiet_s * 1000))
            if not batch:
                return seen
            for records in batch.values():
                seen.extend(KafkaRecord.of(r) for r in records)


@contextlib.asynccontextmanager
async def running(worker: Any) -> AsyncIterator[Any]:
    """Run a :class:`pind_kit.consume.Worker` in this event loop for a test."""
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop()
