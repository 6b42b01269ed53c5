"""Batches for :meth:`pind_kit.worker.Worker.batch_handler`: what a batch
handler sees, and the one statement that marks a whole batch processed.

A batch is what one fetch returned from one topic. The worker decodes it,
dead-letters what does not decode, drops events seen twice and those this
consumer already processed, and hands the rest to the handler inside one
transaction, which commits once with every processed mark; then the offsets
are committed once. When the batch fails, the worker applies its events one
at a time, so one bad event is retried and dead-lettered alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

import structlog
from prometheus_client import Histogram
from sqlalchemy import String, Uuid, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from pind_contracts import Contract
from pind_kit.db import PROCESSED_EVENTS

if TYPE_CHECKING:
    from aiokafka import ConsumerRecord
    from faststream.message import StreamMessage

    from pind_kit.worker import Incoming

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


_MARK_ALL = (
    pg_insert(PROCESSED_EVENTS)
    .from_select(
        ["consumer", "event_id", "topic"],
        select(
            bindparam("consumer", type_=String()),
            func.unnest(bindparam("event_ids", type_=ARRAY(Uuid()))),
            bindparam("topic", type_=String()),
        ),
    )
    .on_conflict_do_nothing()
    .returning(PROCESSED_EVENTS.c.event_id)
)


async def mark_all_processed(
    session: AsyncSession, consumer: str, topic: str, event_ids: Iterable[UUID]
) -> set[UUID]:
    """Record that ``consumer`` handled these events; the ids it had not before.

    One statement for the whole batch. Ids go in sorted, so two transactions
    marking overlapping batches (a rebalance) take the index locks in one
    order; the later one waits for the earlier and then skips its ids.
    """
    ids = sorted(set(event_ids), key=attrgetter("int"))  # UUID's own __lt__ is slow Python
    marked = await session.execute(
        _MARK_ALL, {"consumer": consumer, "event_ids": ids, "topic": topic}
    )
    return set(marked.scalars())


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
