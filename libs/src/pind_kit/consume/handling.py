"""Handling events one at a time: decode, skip what this consumer already
processed, run the handler in a unit of work, retry or give up (delivery)."""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_kit.consume.delivery import Delivery
from pind_kit.consume.incoming import Incoming, event_context, from_record
from pind_kit.consume.processed import was_processed
from pind_kit.consume.subscription import Subscription
from pind_kit.consume.unit_of_work import UnitOfWork
from pind_kit.db import single_statements
from pind_kit.errors import AlreadyProcessed, UndecodableEvent
from pind_kit.metrics import EVENTS_HANDLED, HANDLER_SECONDS, STAGE_SECONDS

log = structlog.get_logger(__name__)

Handler = Callable[[Incoming[Any], UnitOfWork], Awaitable[None]]


class EventHandling:
    """One subscription's handler of single events."""

    def __init__(
        self,
        subscription: Subscription,
        handler: Handler,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        producer: str,
        delivery: Delivery,
    ) -> None:
        self.subscription = subscription
        self.handler = handler
        self.sessionmaker = sessionmaker
        self.producer = producer
        self.delivery = delivery

    async def consume(self, raw: Any) -> None:
        """Handle the Kafka record ``raw``; returns once its outcome is durable
        (handled, a duplicate, or dead-lettered), so its offset may be committed."""
        incoming = await self.decode(raw)
        if incoming is not None:
            await self.consume_decoded(incoming, raw)

    async def decode(self, raw: Any) -> Incoming[Any] | None:
        """``raw`` as an event, or None once an undecodable record is dead-lettered."""
        topic, group = self.subscription.topic, self.subscription.group
        try:
            return from_record(topic, raw)
        except UndecodableEvent as exc:
            log.warning("undecodable event", topic=topic.name, offset=raw.offset, error=str(exc))
            await self.delivery.until_infrastructure_answers(
                self.subscription,
                functools.partial(
                    self.delivery.dead_letter, self.subscription, raw, exc, attempts=0
                ),
            )
            EVENTS_HANDLED.labels(topic.name, group, "undecodable").inc()
            return None

    async def consume_decoded(
        self, incoming: Incoming[Any], raw: Any, *, known_fresh: bool = False
    ) -> None:
        """Handle a decoded event; ``known_fresh``: the caller has just found it
        not processed, so the first try skips that check (the processed mark,
        which commits with the work, still refuses a second handling)."""
        topic, group = self.subscription.topic, self.subscription.group
        started = time.perf_counter()
        with event_context(incoming):
            outcome = await self._handle(incoming, raw, known_fresh=known_fresh)
        EVENTS_HANDLED.labels(topic.name, group, outcome).inc()
        elapsed = time.perf_counter() - started
        HANDLER_SECONDS.labels(topic.name, group).observe(elapsed)
        if self.subscription.stage is not None and outcome != "duplicate":
            STAGE_SECONDS.labels(self.subscription.stage, outcome).observe(elapsed)

    def skipped_duplicate(self, incoming: Incoming[Any]) -> None:
        """Count ``incoming``, found already processed by the caller, as a duplicate."""
        with event_context(incoming):
            log.info("duplicate event skipped")
        EVENTS_HANDLED.labels(
            self.subscription.topic.name, self.subscription.group, "duplicate"
        ).inc()

    async def _handle(self, incoming: Incoming[Any], raw: Any, *, known_fresh: bool) -> str:
        check = not known_fresh

        async def attempt() -> str:
            nonlocal check
            # Inside the attempt, so a database outage is waited out here
            # rather than spinning the record through NACK and redelivery.
            replayed = incoming.replay_for == self.subscription.group
            if check and not replayed:
                async with single_statements(self.sessionmaker) as session:
                    if await was_processed(session, self.subscription.group, incoming.event_id):
                        log.info("duplicate event skipped")
                        return "duplicate"
            check = True  # a retry looks again
            uow = UnitOfWork.for_event(
                self.sessionmaker,
                self.producer,
                incoming,
                consumer=self.subscription.group,
                stage=self.subscription.stage,
            )
            try:
                await self.handler(incoming, uow)
                await uow.finish()
            except AlreadyProcessed:
                log.info("event was processed concurrently; skipped")
                return "duplicate"
            return "ok"

        return await self.delivery.retrying(self.subscription, incoming, raw, attempt)
