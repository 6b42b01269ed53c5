"""Fault semantics of the kit: an infrastructure error is waited out, never
dead-lettered; work already done is not redone because the commit failed.

The database outage is real: the worker reaches PostgreSQL through a TCP
proxy the test cuts (every live connection dropped, new ones refused) and
restores, so the errors are what asyncpg and SQLAlchemy really raise.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import errors as kafka_errors
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from pind_contracts import JobStage, Topic
from pind_contracts.envelope import Envelope
from pind_kit.consume import Batch, Incoming, TransientError, UnitOfWork, Worker
from pind_kit.faults import Outage, is_infrastructure_error
from pind_kit.settings import ServiceSettings
from pind_kit.testing import TopicReader, publish_raw, running, stand_in_topic

SCHEMA = "kit_faults_test"


class _SqlState(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def _dbapi(sqlstate: str) -> sa_exc.DBAPIError:
    return sa_exc.DBAPIError("UPDATE x", {}, _SqlState(sqlstate))


@pytest.mark.parametrize(
    ("exc", "infrastructure"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"), True),
        (OSError("Multiple exceptions: [Errno 111] Connect call failed"), True),
        (TimeoutError(), True),
        (_dbapi("40P01"), True),  # deadlock detected
        (_dbapi("40001"), True),  # serialization failure
        (_dbapi("57P01"), True),  # admin shutdown (failover)
        (_dbapi("08006"), True),  # connection failure
        (_dbapi("23505"), False),  # unique violation: a bug or bad data, not an outage
        (_dbapi("22P02"), False),  # invalid text representation
        (sa_exc.TimeoutError("QueuePool limit reached"), True),
        (kafka_errors.KafkaConnectionError("broker down"), True),
        (kafka_errors.KafkaTimeoutError(), True),
        (kafka_errors.NotLeaderForPartitionError(), True),
        (kafka_errors.RecordTooLargeError(), False),
        (TransientError("YouTube said 429"), False),
        (ValueError("bad payload"), False),
        (FileNotFoundError(errno.ENOENT, "No such file", "/tmp/x.mp4"), False),
        (httpx.ConnectError("geocoder refused"), False),  # a handler's outward call
    ],
)
def test_infrastructure_errors_are_told_from_the_rest(
    exc: BaseException, infrastructure: bool
) -> None:
    assert is_infrastructure_error(exc) is infrastructure


def test_an_outage_warns_once_and_summarises_once(caplog: pytest.LogCaptureFixture) -> None:
    outage = Outage("test-loop", initial_s=0.1, max_s=0.4)
    delays = [outage.failed(ConnectionRefusedError()) for _ in range(5)]
    assert delays == [0.1, 0.2, 0.4, 0.4, 0.4]
    assert outage.ongoing and outage.failures == 5
    outage.recovered()
    assert not outage.ongoing and outage.failures == 0
    outage.recovered()  # nothing to end: no second summary
    assert outage.failed(ConnectionRefusedError()) == 0.1  # a new outage starts from the start


class TcpProxy:
    """A TCP proxy (to PostgreSQL or Kafka's bootstrap) that a test can cut and restore."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Drop every live connection and refuse new ones."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._pipes):
            writer.transport.abort()
        self._pipes.clear()
        await self._server.wait_closed()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.transport.abort()
            return
        self._pipes |= {client_w, server_w}

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.transport.abort()

        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))
        self._pipes -= {client_w, server_w}


@pytest.fixture
async def proxy(admin_database_url: str) -> AsyncIterator[TcpProxy]:
    url = make_url(admin_database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    yield proxy
    with contextlib.suppress(Exception):
        await proxy.cut()


def _worker(admin_database_url: str, kafka_bootstrap: str, proxy: TcpProxy) -> Worker:
    url = make_url(admin_database_url).set(host="127.0.0.1", port=proxy.port)
    return Worker(
        ServiceSettings(
            service_name="kit-faults-test",
            database_url=url.render_as_string(hide_password=False),
            db_schema=SCHEMA,
            kafka_bootstrap=kafka_bootstrap,
            retry_attempts=2,  # an outage outlasts far more tries than this
            retry_backoff_initial_s=0.05,
            retry_backoff_max_s=0.2,
            relay_poll_interval_s=0.1,
        )
    )


def _message(job_id: uuid.UUID, topic: Topic, note: str) -> tuple[bytes, list[tuple[str, bytes]]]:
    payload = JobStage(
        job_id=job_id, video_id="abcdefghijk", stage="geo", state="progress", reason=note
    )
    envelope = Envelope(
        type=topic.event_type, producer="test", subject=payload.video_id, job_id=job_id
    )
    return payload.model_dump_json().encode(), envelope.to_headers()


async def _notes(admin_database_url: str) -> list[str]:
    engine = create_async_engine(admin_database_url)
    async with engine.connect() as conn:
        rows = (await conn.execute(text(f"SELECT note FROM {SCHEMA}.effects"))).scalars().all()
    await engine.dispose()
    return list(rows)


async def _restore_after(proxy: TcpProxy, seconds: float) -> None:
    await asyncio.sleep(seconds)  # the length of the outage, by design
    await proxy.start()


async def test_a_database_outage_is_waited_out_not_dead_lettered(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, proxy: TcpProxy
) -> None:
    source = await stand_in_topic(kafka_bootstrap, "kitfault", JobStage, "kit faults input")
    output = await stand_in_topic(kafka_bootstrap, "kitfaultout", JobStage, "kit faults output")
    worker = _worker(admin_database_url, kafka_bootstrap, proxy)
    calls: list[str] = []

    @worker.handler(source, group=f"kit-{uuid.uuid4().hex[:8]}")
    async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        calls.append(event.payload.reason or "")
        async with uow.transaction() as session:
            await session.execute(
                text("INSERT INTO effects VALUES (:id, :note)"),
                {"id": event.event_id, "note": event.payload.reason},
            )
            await uow.emit(output, event.payload)

    note = f"through-outage-{uuid.uuid4().hex[:6]}"
    value, headers = _message(uuid.uuid4(), source, note)
    async with (
        TopicReader(kafka_bootstrap, source.dlt) as dlt,
        TopicReader(kafka_bootstrap, output.name) as out,
        running(worker),
    ):
        await proxy.cut()  # the database goes away before the event arrives
        restore = asyncio.create_task(_restore_after(proxy, 2.0))
        await publish_raw(kafka_bootstrap, source.name, value, headers, b"abcdefghijk")
        emitted = await out.until(lambda seen: len(seen) >= 1, within_s=60)
        await restore
        assert await dlt.drain(quiet_s=0.5) == []
    assert JobStage.model_validate_json(emitted[0].value or b"").reason == note
    assert await _notes(admin_database_url) == [note]
    assert calls == [note]  # the handler ran once: the outage was waited out before it


async def test_work_done_before_a_failed_commit_is_not_redone(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, proxy: TcpProxy
) -> None:
    source = await stand_in_topic(kafka_bootstrap, "kitcommit", JobStage, "kit faults input")
    output = await stand_in_topic(kafka_bootstrap, "kitcommitout", JobStage, "kit faults output")
    worker = _worker(admin_database_url, kafka_bootstrap, proxy)
    calls: list[str] = []
    restore: list[asyncio.Task[None]] = []

    @worker.handler(source, group=f"kit-{uuid.uuid4().hex[:8]}")
    async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        calls.append(event.payload.reason or "")  # the expensive part (OCR, speech) ran
        await uow.emit(output, event.payload)
        await proxy.cut()  # ... and the database fails just before the commit
        restore.append(asyncio.create_task(_restore_after(proxy, 1.5)))

    note = f"commit-{uuid.uuid4().hex[:6]}"
    value, headers = _message(uuid.uuid4(), source, note)
    async with (
        TopicReader(kafka_bootstrap, source.dlt) as dlt,
        TopicReader(kafka_bootstrap, output.name) as out,
        running(worker),
    ):
        await publish_raw(kafka_bootstrap, source.name, value, headers, b"abcdefghijk")
        emitted = await out.until(lambda seen: len(seen) >= 1, within_s=60)
        await restore[0]
        assert await dlt.drain(quiet_s=0.5) == []
        assert await out.drain(quiet_s=0.5) == []  # emitted once: nothing more follows
    assert JobStage.model_validate_json(emitted[0].value or b"").reason == note
    assert calls == [note]


async def test_a_batch_waits_out_a_database_outage(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str, proxy: TcpProxy
) -> None:
    source = await stand_in_topic(kafka_bootstrap, "kitbatchfault", JobStage, "batch faults")
    worker = _worker(admin_database_url, kafka_bootstrap, proxy)
    applied: list[int] = []

    @worker.batch_handler(source, group=f"kit-{uuid.uuid4().hex[:8]}")
    async def apply(batch: Batch[JobStage]) -> None:
        for event in batch.events:
            await batch.session.execute(
                text("INSERT INTO effects VALUES (:id, :note)"),
                {"id": event.event_id, "note": event.payload.reason},
            )
        applied.append(len(batch.events))

    stem = f"batch-{uuid.uuid4().hex[:6]}"
    messages: list[Any] = [_message(uuid.uuid4(), source, f"{stem}-{i}") for i in range(5)]
    async with TopicReader(kafka_bootstrap, source.dlt) as dlt, running(worker):
        await proxy.cut()
        restore = asyncio.create_task(_restore_after(proxy, 2.0))
        for value, headers in messages:
            await publish_raw(kafka_bootstrap, source.name, value, headers, b"abcdefghijk")
        for _ in range(600):  # until every event is in the table (at most 60 s)
            if len([n for n in await _notes(admin_database_url) if n.startswith(stem)]) == 5:
                break
            await asyncio.sleep(0.1)
        await restore
        assert await dlt.drain(quiet_s=0.5) == []
    notes = sorted(n for n in await _notes(admin_database_url) if n.startswith(stem))
    assert notes == [f"{stem}-{i}" for i in range(5)]  # each once


async def test_processed_marks_older_than_retention_are_pruned(
    kit_schema: str, admin_database_url: str
) -> None:
    from pind_kit.consume.processed import prune_processed
    from pind_kit.db import make_sessionmaker

    engine = create_async_engine(
        admin_database_url, connect_args={"server_settings": {"search_path": SCHEMA}}
    )
    old, fresh = uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO processed_events (consumer, event_id, topic, processed_at) VALUES"
                " ('prune-test', :old, 't', now() - interval '9 days'),"
                " ('prune-test', :fresh, 't', now() - interval '1 day')"
            ),
            {"old": old, "fresh": fresh},
        )
    pruned = await prune_processed(make_sessionmaker(engine), keep_s=8 * 86400, chunk=1)
    async with engine.connect() as conn:
        left = set(
            (
                await conn.execute(
                    text("SELECT event_id FROM processed_events WHERE consumer = 'prune-test'")
                )
            ).scalars()
        )
    await engine.dispose()
    assert pruned >= 1
    assert left == {fresh}


async def test_an_http_service_starts_and_is_ready_without_kafka_then_drains_its_outbox(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str
) -> None:
    """The gateway and auth start while the broker is away (their outbox
    buffers), and publish once it answers. Kafka is reached through a proxy
    that is not listening yet: the bootstrap fails as with a stopped broker."""
    from pind_kit.outbox import enqueue

    output = await stand_in_topic(kafka_bootstrap, "kitnokafka", JobStage, "kit no-kafka output")
    host, _, port = kafka_bootstrap.rpartition(":")
    kafka = TcpProxy(host, int(port))
    with socket.socket() as probe:  # a port nobody listens on, for now
        probe.bind(("127.0.0.1", 0))
        kafka.port = probe.getsockname()[1]
    worker = Worker(
        ServiceSettings(
            service_name="kit-faults-test",
            database_url=admin_database_url,
            db_schema=SCHEMA,
            kafka_bootstrap=f"127.0.0.1:{kafka.port}",
            relay_poll_interval_s=0.1,
        )
    )
    note = f"buffered-{uuid.uuid4().hex[:6]}"
    value, _ = _message(uuid.uuid4(), output, note)
    async with TopicReader(kafka_bootstrap, output.name) as out:
        await asyncio.wait_for(worker.start(wait_for_kafka=False), timeout=10)
        try:
            assert await worker.ready() == {"database": True}
            assert worker.producer is None  # not connected: the broker is away
            async with worker.sessionmaker() as session, session.begin():
                payload = JobStage.model_validate_json(value)
                envelope = Envelope(
                    type=output.event_type, producer="test", subject=payload.video_id
                )
                await enqueue(session, output, payload, envelope)
            await kafka.start()  # the broker is back
            emitted = await out.until(lambda seen: len(seen) >= 1, within_s=60)
        finally:
            await worker.stop()
    assert JobStage.model_validate_json(emitted[0].value or b"").reason == note
