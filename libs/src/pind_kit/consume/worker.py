"""A :class:`Worker` owns one process's event machinery: its Kafka consumers
(FastStream subscribers with ``AckPolicy.NACK_ON_ERROR``: an offset is
committed only once the handling's outcome is durable), an idempotent producer
for the outbox relay and dead letters, background tasks, and readiness.

Handlers are plain async functions ``(Incoming[T], UnitOfWork) -> None``, one
event at a time (:mod:`~pind_kit.consume.handling`), or several of different
keys at once (:mod:`~pind_kit.consume.concurrent`); batch handlers
``(Batch[T]) -> None`` take many events in one transaction
(:mod:`~pind_kit.consume.batch`). Retries and dead letters:
:mod:`~pind_kit.consume.delivery`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Awaitable, Callable, Coroutine
from functools import partial
from typing import Any, TypeVar

import structlog
from aiokafka import AIOKafkaProducer
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pind_contracts import Topic
from pind_contracts.types import Stage
from pind_kit.consume.batch import BatchHandler, BatchHandling, parse_without_headers
from pind_kit.consume.concurrent import ConcurrentHandling
from pind_kit.consume.delivery import Delivery
from pind_kit.consume.handling import EventHandling
from pind_kit.consume.subscription import GiveUpHook, Subscription
from pind_kit.consume.upkeep import observe_lag_forever, prune_forever
from pind_kit.db import make_engine, make_sessionmaker
from pind_kit.faults import Outage, describe, is_infrastructure_error
from pind_kit.logging import configure_logging
from pind_kit.ops import OpsServer
from pind_kit.outbox import OutboxRelay
from pind_kit.settings import ServiceSettings

log = structlog.get_logger(__name__)

HandlerFn = TypeVar("HandlerFn", bound=Callable[..., Awaitable[None]])
BatchHandlerFn = TypeVar("BatchHandlerFn", bound=BatchHandler)


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
        self.delivery = Delivery(settings, self.sessionmaker)
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.subscriptions: list[Subscription] = []
        self._background: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._kafka_task: asyncio.Task[None] | None = None
        self.kafka_required = True
        """Readiness needs Kafka (False for HTTP services, which serve without it)."""
        self.kafka_started = False

    # -- registration -------------------------------------------------------
    def handler(
        self,
        topic: Topic,
        *,
        group: str,
        stage: Stage | None = None,
        on_give_up: GiveUpHook | None = None,
        concurrency: int | None = None,
    ) -> Callable[[HandlerFn], HandlerFn]:
        """Register ``fn`` as ``group``'s handler of ``topic`` (Kafka group
        ``<group>.<topic>``; ``group`` also keys the processed-events table).
        ``on_give_up`` runs with the ``failed`` stage if handling gives up.
        ``concurrency`` > 1: up to that many events of different keys are
        handled at once, each key's in order, offsets committed once all of a
        fetch are durable (:mod:`~pind_kit.consume.concurrent`); unset:
        the ``consume_concurrency`` setting (1 unless a service says)."""
        if concurrency is None:
            concurrency = self.settings.consume_concurrency
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")

        def register(fn: HandlerFn) -> HandlerFn:
            subscription = Subscription(topic, group, stage, on_give_up)
            handling = EventHandling(
                subscription,
                fn,
                sessionmaker=self.sessionmaker,
                producer=self.settings.service_name,
                delivery=self.delivery,
            )

            if concurrency == 1:

                async def consume(message: KafkaMessage) -> None:
                    await handling.consume(message.raw_message)

                self._subscribe(subscription, consume)
                return fn

            several = ConcurrentHandling(handling, concurrency)

            async def consume_fetch(message: KafkaMessage) -> None:
                await several.consume(message.raw_message)

            self._subscribe(
                subscription,
                consume_fetch,
                batch=True,
                max_records=concurrency,
                batch_timeout_ms=max(1, round(self.settings.batch_timeout_s * 1000)),
                parser=parse_without_headers,
            )
            return fn

        return register

    def batch_handler(
        self, topic: Topic, *, group: str, stage: Stage | None = None
    ) -> Callable[[BatchHandlerFn], BatchHandlerFn]:
        """Register ``fn`` as ``group``'s batch handler of ``topic``: it gets up to
        ``batch_max_records`` fresh events at a time in one transaction; the
        same Kafka group and processed marks as :meth:`handler`, so a topic can
        move between the two modes."""

        def register(fn: BatchHandlerFn) -> BatchHandlerFn:
            subscription = Subscription(topic, group, stage)
            handling = BatchHandling(
                subscription,
                fn,
                sessionmaker=self.sessionmaker,
                delivery=self.delivery,
                database_answers=self.database_answers,
            )

            async def consume(message: KafkaMessage) -> None:
                await handling.consume(message.raw_message)

            self._subscribe(
                subscription,
                consume,
                batch=True,
                max_records=self.settings.batch_max_records,
                batch_timeout_ms=max(1, round(self.settings.batch_timeout_s * 1000)),
                parser=parse_without_headers,
            )
            return fn

        return register

    def _subscribe(
        self,
        subscription: Subscription,
        consume: Callable[[KafkaMessage], Awaitable[None]],
        **options: Any,
    ) -> None:
        self.subscriptions.append(subscription)
        name = f"{subscription.group}:{subscription.topic.name}"
        consume.__name__ = name
        self.broker.subscriber(
            self.topic_name(subscription.topic.name),
            group_id=subscription.kafka_group(self.settings.kafka_topic_prefix),
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            max_poll_interval_ms=self.settings.max_poll_interval_s * 1000,
            decoder=_keep_bytes,
            title=name,
            description=subscription.topic.description,
            **options,
        )(consume)

    def topic_name(self, logical: str) -> str:
        """The physical Kafka topic of a contract topic name in this deployment."""
        return self.settings.kafka_topic_prefix + logical

    def background(
        self, fn: Callable[[], Coroutine[Any, Any, None]]
    ) -> Callable[[], Coroutine[Any, Any, None]]:
        """Run ``fn`` as a long-lived task beside the consumers (e.g. a sweeper)."""
        self._background.append(fn)
        return fn

    # -- lifecycle ----------------------------------------------------------
    async def start(self, *, wait_for_kafka: bool = True) -> None:
        """Start the relay's producer, the consumers and the background tasks.

        ``wait_for_kafka=False`` (HTTP services, :func:`pind_kit.service.kit_lifespan`):
        return at once and connect to Kafka in the background, retrying
        quietly until the broker answers. Meanwhile the process serves from
        PostgreSQL, its outbox buffers what it emits, and readiness does not
        depend on Kafka."""
        self.kafka_required = wait_for_kafka
        if wait_for_kafka:
            await self._start_kafka()
        else:
            self._kafka_task = asyncio.create_task(self._start_kafka_when_reachable())
        upkeep: list[Callable[[], Coroutine[Any, Any, None]]] = [
            partial(prune_forever, self),
            partial(observe_lag_forever, self),
        ]
        self._tasks = [
            asyncio.create_task(fn(), name=getattr(fn, "__name__", "upkeep"))
            for fn in [*self._background, *upkeep]
        ]
        # What exists now (modules, the app, metadata, clients) lives as long as
        # the process: keep the cycle collector from walking all of it on every
        # full collection, which batches of thousands of events set off often.
        gc.collect()
        gc.freeze()
        log.info("worker started", handlers=[s.topic.name for s in self.subscriptions])

    async def _start_kafka(self) -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            client_id=f"pind-{self.settings.service_name}-relay",
            enable_idempotence=True,
            acks="all",
            linger_ms=5,
        )
        try:
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        try:
            await self.broker.start()
        except BaseException:
            await producer.stop()
            with contextlib.suppress(Exception):
                await self.broker.stop()  # what it connected; it can start again
            raise
        self.producer = producer
        self.delivery.producer = producer
        self.relay = OutboxRelay(
            self.sessionmaker,
            producer,
            batch_size=self.settings.relay_batch_size,
            poll_interval_s=self.settings.relay_poll_interval_s,
            missing_topic_recheck_s=self.settings.relay_missing_topic_recheck_s,
        )
        await self.relay.start()
        self.kafka_started = True

    async def _start_kafka_when_reachable(self) -> None:
        outage = Outage("kafka-connect", initial_s=0.5, max_s=10.0)
        while self.producer is None:
            try:
                await self._start_kafka()
            except Exception as exc:
                if not is_infrastructure_error(exc):
                    log.exception("connecting to Kafka failed; retrying")
                await outage.wait(exc, bootstrap=self.settings.kafka_bootstrap)
        outage.recovered()

    async def stop(self) -> None:
        """Stop fetching, let the in-flight handler finish or be abandoned
        uncommitted, flush the relay, close the producer and the pool."""
        if self._kafka_task is not None:
            self._kafka_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._kafka_task
        if self.kafka_started:
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
        """Whether the database and (where the process needs it to serve) the
        broker answer now."""
        checks = {"database": await self.database_answers()}
        if not self.kafka_required:
            return checks
        checks["kafka"] = False
        try:
            if self.producer is not None:
                await asyncio.wait_for(self.producer.client.fetch_all_metadata(), timeout=3)
                checks["kafka"] = True
        except Exception as exc:
            log.debug("readiness: kafka unreachable", error=describe(exc))
        return checks

    async def database_answers(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.debug("database unreachable", error=describe(exc))
            return False
        return True

    def run(self) -> None:
        """Run until SIGTERM/SIGINT: consumers, relay and the ops HTTP server."""
        configure_logging(self.settings)
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        ops = OpsServer(self.settings, self.ready)
        await ops.start()
        try:
            await stop.wait()
        finally:
            log.info("shutting down")
            await ops.stop()
            await self.stop()


async def _keep_bytes(message: Any) -> Any:
    # FastStream would json-decode the body before our handler runs; we decode
    # (and dead-letter what does not decode) ourselves.
    return message.body
