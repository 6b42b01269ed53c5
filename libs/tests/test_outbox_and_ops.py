"""Outbox relay (order, physical topic names) and the ops endpoints of a worker."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from pind_contracts import JobStage, Topic
from pind_contracts.envelope import Envelope
from pind_kit.consume import Worker
from pind_kit.ops import OpsServer
from pind_kit.outbox import OutboxEvent, enqueue, enqueue_many
from pind_kit.settings import ServiceSettings
from pind_kit.testing import TopicReader, create_topics, physical_topic, running, unique_topic

SCHEMA = "kit_outbox_test"


def _worker(
    admin_database_url: str, kafka_bootstrap: str, port: int = 0, poll_interval_s: float = 0.1
) -> Worker:
    return Worker(
        ServiceSettings(
            service_name="kit-outbox-test",
            database_url=admin_database_url,
            db_schema=SCHEMA,
            kafka_bootstrap=kafka_bootstrap,
            relay_poll_interval_s=poll_interval_s,
            relay_batch_size=7,  # several batches for 50 rows
            http_port=port,
        )
    )


async def test_relay_publishes_every_row_in_order_to_the_namespaced_topic(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str
) -> None:
    topic = Topic(unique_topic("outbox"), JobStage, 1, "video id", "outbox test")
    await create_topics(kafka_bootstrap, [topic.name])
    worker = _worker(admin_database_url, kafka_bootstrap)
    job = uuid.uuid4()
    async with TopicReader(kafka_bootstrap, topic.name) as reader, running(worker):
        for n in range(50):
            async with worker.sessionmaker() as session, session.begin():
                stage = JobStage(
                    job_id=job,
                    video_id="abcdefghijk",
                    stage="geo",
                    state="progress",
                    progress=n / 50,
                )
                await enqueue(
                    session,
                    topic,
                    stage,
                    Envelope(
                        type=topic.event_type, producer="test", subject="abcdefghijk", job_id=job
                    ),
                )
        records = await reader.until(lambda seen: len(seen) >= 50)
    progress = [JobStage.model_validate_json(r.value or b"").progress for r in records]
    assert progress == sorted(progress) and len(progress) == 50
    assert all(r.topic == physical_topic(topic.name) for r in records)
    assert all(r.key == b"abcdefghijk" for r in records)
    async with worker.engine.connect() as conn:  # every row published is gone
        left = await conn.scalar(text(f"SELECT count(*) FROM {SCHEMA}.outbox"))
    assert left == 0


async def test_many_events_of_one_transaction_leave_in_full_batches_back_to_back(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str
) -> None:
    topic = Topic(unique_topic("outbox-many"), JobStage, 1, "video id", "outbox test")
    await create_topics(kafka_bootstrap, [topic.name])
    # No poll for the reader's whole wait: one wake-up at commit must carry all
    # eight batches, so the relay may not pause between full ones.
    worker = _worker(admin_database_url, kafka_bootstrap, poll_interval_s=600.0)
    job = uuid.uuid4()
    events = [
        OutboxEvent(
            topic,
            JobStage(
                job_id=job, video_id="abcdefghijk", stage="geo", state="progress", progress=n / 50
            ),
            Envelope(type=topic.event_type, producer="test", subject="abcdefghijk", job_id=job),
            key=None if n % 2 else f"key-{n}",
        )
        for n in range(50)
    ]
    async with TopicReader(kafka_bootstrap, topic.name) as reader, running(worker):
        async with worker.sessionmaker() as session, session.begin():
            await enqueue_many(session, events)
        records = await reader.until(lambda seen: len(seen) >= 50, within_s=20.0)
    progress = [JobStage.model_validate_json(r.value or b"").progress for r in records]
    assert progress == [n / 50 for n in range(50)]  # one partition: in order
    assert [r.key for r in records] == [
        b"abcdefghijk" if n % 2 else f"key-{n}".encode() for n in range(50)
    ]
    assert all(r.topic == physical_topic(topic.name) for r in records)
    assert all(dict(r.headers)["ce_jobid"] == str(job).encode() for r in records)


async def test_ops_endpoints_report_health_readiness_and_metrics(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    worker = _worker(admin_database_url, kafka_bootstrap, port)
    async with running(worker):
        ops = OpsServer(worker.settings, worker.ready)
        await ops.start()
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                health = await client.get("/healthz")
                ready = await client.get("/readyz")
                metrics = await client.get("/metrics")
        finally:
            await ops.stop()
    assert health.json()["status"] == "ok"
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "kafka": True}
    assert "pind_outbox_published_total" in metrics.text


async def test_readiness_fails_when_the_database_is_unreachable(kafka_bootstrap: str) -> None:
    worker = Worker(
        ServiceSettings(
            service_name="kit-unready",
            database_url="postgresql+asyncpg://nobody:wrong@127.0.0.1:1/none",
            db_schema="none",
            kafka_bootstrap=kafka_bootstrap,
        )
    )
    checks = await worker.ready()
    assert checks["database"] is False
    await worker.engine.dispose()


async def test_rows_for_a_topic_the_broker_lacks_hold_back_no_other_topic(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str
) -> None:
    """A row whose topic was deleted (or never created) waits in the outbox;
    the rows after it, for topics that exist, are published without waiting
    for the producer's metadata timeout, and the row leaves once its topic
    exists."""
    present = Topic(unique_topic("outbox-present"), JobStage, 1, "video id", "outbox test")
    absent = Topic(unique_topic("outbox-absent"), JobStage, 1, "video id", "outbox test")
    await create_topics(kafka_bootstrap, [present.name])
    worker = Worker(
        _worker(admin_database_url, kafka_bootstrap).settings.model_copy(
            update={"relay_missing_topic_recheck_s": 0.5}
        )
    )
    job = uuid.uuid4()

    def event(topic: Topic, n: int) -> OutboxEvent:
        stage = JobStage(
            job_id=job, video_id="abcdefghijk", stage="geo", state="progress", progress=n / 10
        )
        envelope = Envelope(
            type=topic.event_type, producer="test", subject="abcdefghijk", job_id=job
        )
        return OutboxEvent(topic, stage, envelope)

    async def waiting() -> list[str]:
        async with worker.engine.connect() as conn:
            rows = await conn.scalars(
                text(f"SELECT topic FROM {SCHEMA}.outbox WHERE headers->>'ce_jobid' = :job"),
                {"job": str(job)},
            )
            return list(rows)

    async with running(worker):
        async with TopicReader(kafka_bootstrap, present.name) as reader:
            async with worker.sessionmaker() as session, session.begin():
                await enqueue_many(
                    session, [event(absent, 0), *(event(present, n) for n in (1, 2))]
                )
            # Well inside the producer's 40 s metadata wait for the absent topic.
            records = await reader.until(lambda seen: len(seen) >= 2, within_s=10.0)
        assert [JobStage.model_validate_json(r.value or b"").progress for r in records] == [
            0.1,
            0.2,
        ]
        # The relay deletes what it sent once Kafka acknowledged it, which a
        # reader may see first: the present rows leave shortly after.
        async with asyncio.timeout(10):
            while await waiting() != [physical_topic(absent.name)]:  # noqa: ASYNC110 (a table)
                await asyncio.sleep(0.05)

        await create_topics(kafka_bootstrap, [absent.name])
        async with TopicReader(kafka_bootstrap, absent.name) as late:
            arrived = await late.until(lambda seen: len(seen) >= 1, within_s=20.0)
        assert JobStage.model_validate_json(arrived[0].value or b"").progress == 0.0
    assert await waiting() == []


async def test_a_relay_that_finds_the_lock_taken_publishes_once_it_is_free(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str
) -> None:
    """Another instance holds the relay lock when our commit wakes our relay:
    the row leaves soon after the lock is released, with no further wake-up
    and long before the next poll (600 s here)."""
    topic = Topic(unique_topic("outbox-busy"), JobStage, 1, "video id", "outbox test")
    await create_topics(kafka_bootstrap, [topic.name])
    worker = _worker(admin_database_url, kafka_bootstrap, poll_interval_s=600.0)
    other = create_async_engine(
        admin_database_url, connect_args={"server_settings": {"search_path": SCHEMA}}
    )
    job = uuid.uuid4()
    busy_before = _lock_busy_count()
    try:
        async with (
            TopicReader(kafka_bootstrap, topic.name) as reader,
            running(worker),
            other.connect() as holder,
        ):
            await holder.execute(text(f"SELECT pg_advisory_lock({_LOCK_KEY})"))
            await holder.commit()
            async with worker.sessionmaker() as session, session.begin():
                await enqueue(
                    session,
                    topic,
                    JobStage(job_id=job, video_id="abcdefghijk", stage="geo", state="started"),
                    Envelope(
                        type=topic.event_type, producer="t", subject="abcdefghijk", job_id=job
                    ),
                )
            async with asyncio.timeout(10):
                # The relay met the held lock (a counter: nothing to await).
                while _lock_busy_count() == busy_before:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            await holder.execute(text(f"SELECT pg_advisory_unlock({_LOCK_KEY})"))
            await holder.commit()
            records = await reader.until(lambda seen: len(seen) >= 1, within_s=10.0)
    finally:
        await other.dispose()
    assert [JobStage.model_validate_json(r.value or b"").job_id for r in records] == [job]


_LOCK_KEY = "hashtext('pind-outbox:' || current_schema())"


def _lock_busy_count() -> float:
    return REGISTRY.get_sample_value("pind_outbox_lock_busy_total") or 0.0
