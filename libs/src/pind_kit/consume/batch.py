"""Handling events in batches (:meth:`pind_kit.consume.Worker.batch_handler`).

A batch is what one fetch returned from one topic. It is decoded, what does
not decode is dead-lettered, events seen twice and those this consumer already
processed are dropped, and the rest go to the handler inside one transaction,
which commits once with every processed mark; then the offsets are committed
once. When the batch fails while the database answers, its events are applied
one at a time, so one bad event is retried and dead-lettered alone; when the
database or Kafka does not answer, the whole batch is tried again, quietly,
until it does (:mod:`pind_kit.faults`).
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

import structlog
from prometheus_client import Histogram
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_contracts import Contract
from pind_kit.consume.delivery import Delivery
from pind_kit.consume.incoming import Incoming, event_context, from_record
from pind_kit.consume.processed import mark_all_processed, unmark_processed
from pind_kit.consume.subscription import Subscription
from pind_kit.errors import UndecodableEvent
from pind_kit.faults import is_infrastructure_error
from pind_kit.metrics import EVENTS_HANDLED
from pind_kit.tracing import consuming_batch

if TYPE_CHECKING:
    from aiokafka import ConsumerRecord
    from faststream.message import StreamMessage

log = structlog.get_logger(__name__)

T = TypeVar("T", bound=Contract)

BATCH_SECONDS = Histogram(
    "pind_batch_seconds",
    "Time spent on one batch, from decoding to commit",
    ["topic", "consumer"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60),
)


@dataclass
class Batch(Generic[T]):
    """The fresh events of one fetch: none handled by this consumer before, each
    once, each partition's in order. The handler writes through ``session``,
    the transaction that holds the events' processed marks and commits when
    the handler returns."""

    events: Sequence[Incoming[T]]
    session: AsyncSession
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the batch is committed (e.g. to wake waiters)."""
        self._after_commit.append(callback)

    def committed(self) -> None:
        """Run the after-commit callbacks; the batch is durable, so a failing
        callback is logged and the others still run."""
        for callback in self._after_commit:
            try:
                callback()
            except Exception:
                log.exception("after-commit callback failed")


BatchHandler = Callable[[Batch[Any]], Awaitable[None]]


class BatchHandling:
    """One subscription's batch handler."""

    def __init__(
        self,
        subscription: Subscription,
        handler: BatchHandler,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        delivery: Delivery,
        database_answers: Callable[[], Awaitable[bool]],
    ) -> None:
        self.subscription = subscription
        self.handler = handler
        self.sessionmaker = sessionmaker
        self.delivery = delivery
        self.database_answers = database_answers

    async def consume(self, records: tuple[Any, ...]) -> None:
        """Decode, dedupe and apply one fetch in one transaction; on failure
        apply its events one by one. Undecodable records go to the DLT."""
        topic, group = self.subscription.topic, self.subscription.group
        started = time.perf_counter()
        fetched: dict[UUID, tuple[Incoming[Any], Any]] = {}
        undecodable: list[tuple[Any, UndecodableEvent]] = []
        for raw in records:
            try:
                incoming = from_record(topic, raw)
            except UndecodableEvent as exc:
                undecodable.append((raw, exc))
            else:
                fetched.setdefault(incoming.event_id, (incoming, raw))  # first delivery wins
        outcomes: Counter[str] = Counter(duplicate=len(records) - len(undecodable) - len(fetched))
        with (
            structlog.contextvars.bound_contextvars(topic=topic.name, batch=len(records)),
            consuming_batch(topic.name, [i.envelope for i, _ in fetched.values()]),
        ):
            events = [i for i, _ in fetched.values()]
            outage = self.delivery.outage(self.subscription)
            while True:
                try:
                    fresh = await self.apply(events)
                except Exception as exc:
                    if is_infrastructure_error(exc) or not await self.database_answers():
                        await outage.wait(exc)
                        continue  # the whole batch again, once the database is back
                    outage.recovered()
                    log.warning("batch failed; applying its events one at a time", exc_info=True)
                    for incoming, raw in fetched.values():
                        with event_context(incoming):
                            outcomes[await self._apply_alone(incoming, raw)] += 1
                else:
                    outage.recovered()
                    outcomes.update(ok=fresh, duplicate=len(fetched) - fresh)
                break
            for raw, error in undecodable:
                log.warning("undecodable event", offset=raw.offset, error=str(error))
                await self.delivery.until_infrastructure_answers(
                    self.subscription,
                    functools.partial(
                        self.delivery.dead_letter, self.subscription, raw, error, attempts=0
                    ),
                )
        outcomes["undecodable"] = len(undecodable)
        for outcome, count in outcomes.items():
            if count:
                EVENTS_HANDLED.labels(topic.name, group, outcome).inc(count)
        BATCH_SECONDS.labels(topic.name, group).observe(time.perf_counter() - started)

    async def apply(self, events: list[Incoming[Any]]) -> int:
        """Mark ``events`` processed and hand the fresh ones to the handler, in
        one transaction; how many were fresh."""
        if not events:
            return 0
        async with self.sessionmaker() as session, session.begin():
            for event in events:
                if event.replay_for == self.subscription.group:  # a replay from the DLT
                    await unmark_processed(session, self.subscription.group, event.event_id)
            marked = await mark_all_processed(
                session,
                self.subscription.group,
                self.subscription.topic.name,
                [e.event_id for e in events],
            )
            batch = Batch([e for e in events if e.event_id in marked], session)
            if batch.events:
                await self.handler(batch)
        batch.committed()
        return len(batch.events)

    async def _apply_alone(self, incoming: Incoming[Any], raw: Any) -> str:
        """One event of a failed batch, as a batch of one, with the usual retries."""

        async def attempt() -> str:
            fresh = await self.apply([incoming])
            return "ok" if fresh else "duplicate"

        return await self.delivery.retrying(self.subscription, incoming, raw, attempt)


async def parse_without_headers(
    records: tuple[ConsumerRecord[bytes, bytes], ...],
    parse: Callable[[tuple[ConsumerRecord[bytes, bytes], ...]], Awaitable[StreamMessage[Any]]],
) -> StreamMessage[Any]:
    """FastStream's batch parser reads every header as UTF-8 and fails the whole
    batch on one that is not. The worker reads headers itself (and dead-letters
    the record it cannot read), so FastStream parses the records without them."""
    message = await parse(tuple(dataclasses.replace(r, headers=()) for r in records))
    message.raw_message = records
    return message
