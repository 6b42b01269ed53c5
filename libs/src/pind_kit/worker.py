"""Consuming events: decode, dedupe, handle, retry, dead-letter, commit.

A :class:`Worker` owns one process's Kafka consumers (FastStream subscribers
with ``AckPolicy.NACK_ON_ERROR``: the offset is committed only after the
handler's outcome is durable), an idempotent producer for the outbox relay and
dead letters, and the ops HTTP endpoints. Handlers are plain async functions
``(Incoming[T], UnitOfWork) -> None``, one event at a time; batch handlers
``(Batch[T]) -> None`` take many events in one transaction (:mod:`pind_kit.batch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import time
from collections import Counter
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
    Mapping,
)
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import structlog
from aiokafka import AIOKafkaProducer
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pind_contracts import JOB_STAGE, Contract, Envelope, EnvelopeError, JobStage, Topic
from pind_contracts.events.job_stage import StageState
from pind_contracts.types import Stage
from pind_kit.batch import (
    BATCH_SECONDS,
    Batch,
    BatchHandler,
    mark_all_processed,
    parse_without_headers,
)
from pind_kit.db import PROCESSED_EVENTS, make_engine, make_sessionmaker
from pind_kit.errors import AlreadyProcessed, TransientError, UndecodableEvent
from pind_kit.logging import configure_logging
from pind_kit.metrics import DLT_PUBLISHED, EVENTS_HANDLED, HANDLER_SECONDS
from pind_kit.outbox import OutboxRelay, enqueue
from pind_kit.settings import ServiceSettings

log = structlog.get_logger(__name__)

T = TypeVar("T", bound=Contract)
Handler = Callable[["Incoming[Any]", "UnitOfWork"], Awaitable[None]]
HandlerFn = TypeVar("HandlerFn", bound=Callable[..., Awaitable[None]])
BatchHandlerFn = TypeVar("BatchHandlerFn", bound=BatchHandler)

DLT_HEADER_PREFIX = "pind_dlt_"


@dataclass(frozen=True, slots=True)
class Incoming(Generic[T]):
    """One decoded event as a handler sees it."""

    payload: T
    envelope: Envelope
    topic: Topic
    partition: int
    offset: int
    key: str | None

    @property
    def event_id(self) -> UUID:
        return self.envelope.event_id


def decode(
    topic: Topic,
    value: bytes | None,
    headers: Mapping[str, bytes | str] | Iterable[tuple[str, bytes | str]],
) -> tuple[Any, Envelope]:
    """Envelope from the CloudEvents headers and payload from the JSON value;
    raises :class:`UndecodableEvent` with a readable reason."""
    try:
        envelope = Envelope.from_headers(headers)
    except EnvelopeError as exc:
        raise UndecodableEvent(str(exc)) from exc
    if value is None:
        raise UndecodableEvent("empty message value")
    try:
        payload = topic.payload.model_validate_json(value)
    except ValidationError as exc:
        raise UndecodableEvent(f"value does not match {topic.payload.__name__}: {exc}") from exc
    return payload, envelope


@dataclass
class UnitOfWork:
    """What a handler may do with the world: report its stage at once, and
    commit its writes and emitted events together with the processed mark."""

    worker: Worker
    incoming: Incoming[Any]
    consumer: str
    stage_name: Stage | None
    _buffer: list[tuple[Topic, Contract, str | None]] = field(default_factory=list)
    _session: AsyncSession | None = None
    marked: bool = False

    @property
    def job_id(self) -> UUID | None:
        job_id = getattr(self.incoming.payload, "job_id", None)
        return job_id if isinstance(job_id, UUID) else self.incoming.envelope.job_id

    @property
    def video_id(self) -> str:
        video_id = getattr(self.incoming.payload, "video_id", None)
        return video_id if isinstance(video_id, str) else self.incoming.envelope.subject

    def _envelope_for(self, topic: Topic, key: str | None) -> Envelope:
        envelope = self.incoming.envelope.caused(
            type=topic.event_type,
            producer=self.worker.settings.service_name,
            subject=key or self.video_id,
        )
        return envelope if envelope.job_id else _with_job(envelope, self.job_id)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction holding the processed mark, the caller's writes and
        every event emitted so far or inside it. Raises :class:`AlreadyProcessed`
        when another delivery of this event already committed."""
        async with self.worker.sessionmaker() as session, session.begin():
            if not self.marked:
                if not await mark_processed(session, self.consumer, self.incoming):
                    raise AlreadyProcessed(str(self.incoming.event_id))
                self.marked = True
            self._session = session
            try:
                await self._flush(session)
                yield session
                await self._flush(session)
            finally:
                self._session = None

    async def emit(self, topic: Topic, payload: Contract, *, key: str | None = None) -> None:
        """Publish ``payload`` through the outbox, atomically with the handler's
        transaction (or at the handler's end when none is open)."""
        self._buffer.append((topic, payload, key))
        if self._session is not None:
            await self._flush(self._session)

    async def _flush(self, session: AsyncSession) -> None:
        while self._buffer:
            topic, payload, key = self._buffer.pop(0)
            await enqueue(session, topic, payload, self._envelope_for(topic, key), key=key)

    def stage_event(
        self,
        state: StageState,
        *,
        progress: float | None = None,
        reason: str | None = None,
        retryable: bool = False,
        error_code: str | None = None,
    ) -> JobStage:
        if self.stage_name is None or self.job_id is None:
            raise RuntimeError("stage events need a handler registered with stage= and a job id")
        if progress is None:
            progress = 1.0 if state in ("succeeded", "failed", "skipped") else 0.0
        return JobStage(
            job_id=self.job_id,
            video_id=self.video_id,
            stage=self.stage_name,
            state=state,
            progress=progress,
            reason=reason,
            retryable=retryable,
            error_code=error_code,
        )

    async def emit_stage(self, state: StageState, **kwargs: Any) -> None:
        """A JobStage event committed with the handler's outcome."""
        await self.emit(JOB_STAGE, self.stage_event(state, **kwargs))

    async def stage(self, state: StageState, **kwargs: Any) -> None:
        """A JobStage event published now (its own short transaction), for
        ``started`` and ``progress`` that people watch live."""
        event = self.stage_event(state, **kwargs)
        async with self.worker.sessionmaker() as session, session.begin():
            await enqueue(session, JOB_STAGE, event, self._envelope_for(JOB_STAGE, None))


def _with_job(envelope: Envelope, job_id: UUID | None) -> Envelope:
    from dataclasses import replace

    return replace(envelope, job_id=job_id)


async def mark_processed(session: AsyncSession, consumer: str, incoming: Incoming[Any]) -> bool:
    """Record that ``consumer`` handled this event; False if it already had."""
    result = await session.execute(
        pg_insert(PROCESSED_EVENTS)
        .values(consumer=consumer, event_id=incoming.event_id, topic=incoming.topic.name)
        .on_conflict_do_nothing()
        .returning(PROCESSED_EVENTS.c.event_id)
    )
    return result.first() is not None


async def was_processed(session: AsyncSession, consumer: str, event_id: UUID) -> bool:
    found = await session.execute(
        select(PROCESSED_EVENTS.c.event_id).where(
            PROCESSED_EVENTS.c.consumer == consumer, PROCESSED_EVENTS.c.event_id == event_id
        )
    )
    return found.first() is not None


@dataclass(frozen=True, slots=True)
class _Registration:
    topic: Topic
    group: str
    stage: Stage | None
    handler: Handler


@dataclass(frozen=True, slots=True)
class _BatchRegistration:
    topic: Topic
    group: str
    stage: Stage | None
    handler: BatchHandler


class Worker:
    """One service process's event machinery."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        engine: AsyncEngine | None = None,
        sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine or make_engine(settings)
        self.sessionmaker = sessionmaker or make_sessionmaker(self.engine)
        self.broker = KafkaBroker(
            settings.kafka_bootstrap,
            client_id=f"pind-{settings.service_name}",
            enable_idempotence=True,
            logger=structlog.get_logger("faststream"),
            graceful_timeout=settings.shutdown_grace_s,
        )
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self._registrations: list[_Registration] = []
        self._background: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False

    # -- registration -------------------------------------------------------
    def handler(
        self, topic: Topic, *, group: str, stage: Stage | None = None
    ) -> Callable[[HandlerFn], HandlerFn]:
        """Register ``fn`` as ``group``'s handler of ``topic`` (Kafka group ``<group>.<topic>``;
        ``group`` also keys the processed-events table)."""

        def register(fn: HandlerFn) -> HandlerFn:
            registration = _Registration(topic, group, stage, fn)
            self._registrations.append(registration)

            async def consume(message: KafkaMessage) -> None:
                await self._consume(registration, message)

            consume.__name__ = f"{group}:{topic.name}"
            self.broker.subscriber(
                self.topic_name(topic.name),
                # One Kafka group per (service group, topic): subscribers of one
                # process then join and rebalance independently instead of
                # revoking each other's partitions mid-commit at start-up.
                group_id=kafka_group_id(group, topic),
                auto_offset_reset="earliest",
                ack_policy=AckPolicy.NACK_ON_ERROR,
                max_poll_interval_ms=self.settings.max_poll_interval_s * 1000,
                decoder=_keep_bytes,
                title=f"{group}:{topic.name}",
                description=topic.description,
            )(consume)
            return fn

        return register

    def batch_handler(
        self, topic: Topic, *, group: str, stage: Stage | None = None
    ) -> Callable[[BatchHandlerFn], BatchHandlerFn]:
        """Register ``fn`` as ``group``'s batch handler of ``topic``: it gets up to
        ``batch_max_records`` fresh events at a time in one transaction (see
        :mod:`pind_kit.batch`); the same Kafka group and processed marks as
        :meth:`handler`, so a topic can move between the two modes."""

        def register(fn: BatchHandlerFn) -> BatchHandlerFn:
            registration = _BatchRegistration(topic, group, stage, fn)

            async def consume(message: KafkaMessage) -> None:
                await self._consume_batch(registration, message.raw_message)

            consume.__name__ = f"{group}:{topic.name}"
            self.broker.subscriber(
                self.topic_name(topic.name),
                batch=True,
                max_records=self.settings.batch_max_records,
                batch_timeout_ms=max(1, round(self.settings.batch_timeout_s * 1000)),
                group_id=kafka_group_id(group, topic),
                auto_offset_reset="earliest",
                ack_policy=AckPolicy.NACK_ON_ERROR,
                max_poll_interval_ms=self.settings.max_poll_interval_s * 1000,
                parser=parse_without_headers,
                decoder=_keep_bytes,
                title=f"{group}:{topic.name}",
                description=topic.description,
            )(consume)
            return fn

        return register

    def topic_name(self, logical: str) -> str:
        """The physical Kafka topic of a contract topic name in this deployment."""
        return self.settings.kafka_topic_prefix + logical

    def background(
        self, fn: Callable[[], Coroutine[Any, Any, None]]
    ) -> Callable[[], Coroutine[Any, Any, None]]:
        """Run ``fn`` as a long-lived task beside the consumers (e.g. a sweeper)."""
        self._background.append(fn)
        return fn

    # -- handling -----------------------------------------------------------
    async def _consume(self, registration: _Registration, message: Any) -> None:
        raw = message.raw_message
        topic = registration.topic
        started = time.perf_counter()
        try:
            incoming = _incoming(topic, raw)
        except UndecodableEvent as exc:
            log.warning("undecodable event", topic=topic.name, offset=raw.offset, error=str(exc))
            await self.dead_letter(registration, raw, exc, attempts=0)
            EVENTS_HANDLED.labels(topic.name, registration.group, "undecodable").inc()
            return
        with _event_context(incoming):
            outcome = await self._handle(registration, incoming, raw)
        EVENTS_HANDLED.labels(topic.name, registration.group, outcome).inc()
        HANDLER_SECONDS.labels(topic.name, registration.group).observe(
            time.perf_counter() - started
        )

    async def _handle(self, registration: _Registration, incoming: Incoming[Any], raw: Any) -> str:
        async with self.sessionmaker() as session:
            if await was_processed(session, registration.group, incoming.event_id):
                log.info("duplicate event skipped")
                return "duplicate"

        async def attempt() -> str:
            uow = UnitOfWork(self, incoming, registration.group, registration.stage)
            try:
                await registration.handler(incoming, uow)
                if uow._buffer or not uow.marked:
                    async with uow.transaction():
                        pass
            except AlreadyProcessed:
                log.info("event was processed concurrently; skipped")
                return "duplicate"
            return "ok"

        return await self._retrying(registration, incoming, raw, attempt)

    async def _consume_batch(
        self, registration: _BatchRegistration, records: tuple[Any, ...]
    ) -> None:
        """Decode, dedupe and apply one fetch in one transaction; on failure
        apply its events one by one. Undecodable records go to the DLT."""
        topic = registration.topic
        started = time.perf_counter()
        fetched: dict[UUID, tuple[Incoming[Any], Any]] = {}
        undecodable: list[tuple[Any, UndecodableEvent]] = []
        for raw in records:
            try:
                incoming = _incoming(topic, raw)
            except UndecodableEvent as exc:
                undecodable.append((raw, exc))
            else:
                fetched.setdefault(incoming.event_id, (incoming, raw))  # first delivery wins
        outcomes: Counter[str] = Counter(duplicate=len(records) - len(undecodable) - len(fetched))
        with structlog.contextvars.bound_contextvars(topic=topic.name, batch=len(records)):
            try:
                fresh = await self._apply_batch(registration, [i for i, _ in fetched.values()])
                outcomes.update(ok=fresh, duplicate=len(fetched) - fresh)
            except Exception:
                if not await self._database_answers():
                    log.exception("database unreachable; the batch will be redelivered")
                    await asyncio.sleep(self.settings.retry_backoff_max_s)
                    raise
                log.warning("batch failed; applying its events one at a time", exc_info=True)
                for incoming, raw in fetched.values():
                    with _event_context(incoming):
                        outcomes[await self._apply_alone(registration, incoming, raw)] += 1
            for raw, error in undecodable:
                log.warning("undecodable event", offset=raw.offset, error=str(error))
                await self.dead_letter(registration, raw, error, attempts=0)
        outcomes["undecodable"] = len(undecodable)
        for outcome, count in outcomes.items():
            if count:
                EVENTS_HANDLED.labels(topic.name, registration.group, outcome).inc(count)
        BATCH_SECONDS.labels(topic.name, registration.group).observe(time.perf_counter() - started)

    async def _apply_batch(
        self, registration: _BatchRegistration, events: list[Incoming[Any]]
    ) -> int:
        """Mark ``events`` processed and hand the fresh ones to the handler, in
        one transaction; how many were fresh."""
        if not events:
            return 0
        async with self.sessionmaker() as session, session.begin():
            marked = await mark_all_processed(
                session, registration.group, registration.topic.name, [e.event_id for e in events]
            )
            batch = Batch([e for e in events if e.event_id in marked], session)
            if batch.events:
                await registration.handler(batch)
        batch.committed()
        return len(batch.events)

    async def _apply_alone(
        self, registration: _BatchRegistration, incoming: Incoming[Any], raw: Any
    ) -> str:
        """One event of a failed batch, as a batch of one, with the usual retries."""

        async def attempt() -> str:
            fresh = await self._apply_batch(registration, [incoming])
            return "ok" if fresh else "duplicate"

        return await self._retrying(registration, incoming, raw, attempt)

    async def _retrying(
        self,
        registration: _Registration | _BatchRegistration,
        incoming: Incoming[Any],
        raw: Any,
        attempt: Callable[[], Awaitable[str]],
    ) -> str:
        """Run ``attempt`` until it returns its outcome; retry a
        :class:`TransientError` with backoff, dead-letter the last one and any
        other failure."""
        tries = 0
        delay = self.settings.retry_backoff_initial_s
        while True:
            tries += 1
            try:
                return await attempt()
            except TransientError as exc:
                if tries >= self.settings.retry_attempts:
                    await self._give_up(registration, incoming, raw, exc, tries, retryable=True)
                    return "dead-lettered"
                log.warning(
                    "transient failure; retrying", attempt=tries, delay_s=delay, error=str(exc)
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.retry_backoff_max_s)
            except Exception as exc:
                log.exception("handler failed")
                await self._give_up(registration, incoming, raw, exc, tries, retryable=False)
                return "dead-lettered"

    async def _give_up(
        self,
        registration: _Registration | _BatchRegistration,
        incoming: Incoming[Any],
        raw: Any,
        exc: BaseException,
        attempts: int,
        *,
        retryable: bool,
    ) -> None:
        await self.dead_letter(registration, raw, exc, attempts=attempts)
        uow = UnitOfWork(self, incoming, registration.group, registration.stage)
        async with uow.transaction():
            if registration.stage is not None and uow.job_id is not None:
                await uow.emit_stage(
                    "failed",
                    reason=f"{registration.stage} failed after {attempts} "
                    f"attempt(s): {_short(exc)}",
                    retryable=retryable,
                    error_code="internal" if not retryable else "unavailable",
                )

    async def dead_letter(
        self,
        registration: _Registration | _BatchRegistration,
        raw: Any,
        exc: BaseException,
        *,
        attempts: int,
    ) -> None:
        """Send the original bytes and headers plus the error to ``<topic>.dlt``."""
        assert self.producer is not None, "worker not started"
        headers = list(raw.headers or ())
        headers += [
            (f"{DLT_HEADER_PREFIX}error", _short(exc, 2000).encode()),
            (f"{DLT_HEADER_PREFIX}error_type", type(exc).__name__.encode()),
            (f"{DLT_HEADER_PREFIX}attempts", str(attempts).encode()),
            (f"{DLT_HEADER_PREFIX}consumer", registration.group.encode()),
            (f"{DLT_HEADER_PREFIX}original_topic", raw.topic.encode()),
            (f"{DLT_HEADER_PREFIX}original_partition", str(raw.partition).encode()),
            (f"{DLT_HEADER_PREFIX}original_offset", str(raw.offset).encode()),
            (f"{DLT_HEADER_PREFIX}failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        await self.producer.send_and_wait(
            self.topic_name(registration.topic.dlt), value=raw.value, key=raw.key, headers=headers
        )
        DLT_PUBLISHED.labels(registration.topic.name).inc()
        log.error("event dead-lettered", dlt=registration.topic.dlt, error=_short(exc))

    # -- lifecycle ----------------------------------------------------------
    async def start(self) -> None:
        self.producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            client_id=f"pind-{self.settings.service_name}-relay",
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
        )
        await self.producer.start()
        self.relay = OutboxRelay(
            self.sessionmaker,
            self.producer,
            batch_size=self.settings.relay_batch_size,
            poll_interval_s=self.settings.relay_poll_interval_s,
        )
        await self.relay.start()
        await self.broker.start()
        self._tasks = [
            asyncio.create_task(fn(), name=getattr(fn, "__name__", "bg")) for fn in self._background
        ]
        self._started = True
        # What exists now (modules, the app, metadata, clients) lives as long as
        # the process: keep the cycle collector from walking all of it on every
        # full collection, which batches of thousands of events set off often.
        gc.collect()
        gc.freeze()
        log.info("worker started", handlers=[r.topic.name for r in self._registrations])

    async def stop(self) -> None:
        """Stop fetching, let the in-flight handler finish or be abandoned
        uncommitted, flush the relay, close the producer and the pool."""
        self._started = False
        await self.broker.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.relay is not None:
            await self.relay.stop()
        if self.producer is not None:
            await self.producer.stop()
        await self.engine.dispose()
        log.info("worker stopped")

    async def ready(self) -> dict[str, bool]:
        """Whether the database and the broker answer now."""
        checks = {"database": await self._database_answers(), "kafka": False}
        try:
            if self.producer is not None:
                await asyncio.wait_for(self.producer.client.fetch_all_metadata(), timeout=3)
                checks["kafka"] = True
        except Exception:
            log.warning("readiness: kafka unreachable", exc_info=True)
        return checks

    async def _database_answers(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            log.warning("database unreachable", exc_info=True)
            return False
        return True

    def run(self) -> None:
        """Run until SIGTERM/SIGINT: consumers, relay and the ops HTTP server."""
        configure_logging(self.settings)
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        from pind_kit.ops import OpsServer

        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        ops = OpsServer(self)
        await ops.start()
        try:
            await stop.wait()
        finally:
            log.info("shutting down")
            await ops.stop()
            await self.stop()


def _incoming(topic: Topic, raw: Any) -> Incoming[Any]:
    """The record as a handler sees it; raises :class:`UndecodableEvent`."""
    payload, envelope = decode(topic, raw.value, raw.headers or ())
    key = raw.key.decode("utf-8", "replace") if raw.key is not None else None
    return Incoming(payload, envelope, topic, raw.partition, raw.offset, key)


@contextlib.contextmanager
def _event_context(incoming: Incoming[Any]) -> Iterator[None]:
    """Log lines inside carry the event's ids."""
    envelope = incoming.envelope
    with structlog.contextvars.bound_contextvars(
        event_id=str(envelope.event_id),
        job_id=str(envelope.job_id) if envelope.job_id else None,
        trace_id=envelope.traceparent,
        topic=incoming.topic.name,
    ):
        yield


def kafka_group_id(group: str, topic: Topic) -> str:
    """The Kafka consumer group of ``group``'s subscription to ``topic``."""
    return f"{group}.{topic.name}"


async def _keep_bytes(message: Any) -> Any:
    # FastStream would json-decode the body before our handler runs; we decode
    # (and dead-letter what does not decode) ourselves.
    return message.body


def _short(exc: BaseException, limit: int = 300) -> str:
    message = f"{type(exc).__name__}: {exc}"
    return message if len(message) <= limit else message[: limit - 1] + "…"


__all__ = [
    "AlreadyProcessed",
    "Batch",
    "Incoming",
    "TransientError",
    "UndecodableEvent",
    "UnitOfWork",
    "Worker",
    "decode",
]
