"""The processed-events table: which consumer already handled which event.
A mark commits in the same transaction as the handler's effects, so a
redelivered event changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import Any, cast
from uuid import UUID

from sqlalchemy import String, Uuid, bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_kit.db import PROCESSED_EVENTS


async def mark_processed(session: AsyncSession, consumer: str, event_id: UUID, topic: str) -> bool:
    """Record that ``consumer`` handled this event; False if it already had."""
    result = await session.execute(
        pg_insert(PROCESSED_EVENTS)
        .values(consumer=consumer, event_id=event_id, topic=topic)
        .on_conflict_do_nothing()
        .returning(PROCESSED_EVENTS.c.event_id)
    )
    return result.first() is not None


async def unmark_processed(session: AsyncSession, consumer: str, event_id: UUID) -> None:
    """Forget that ``consumer`` handled this event (a replay from the DLT)."""
    await session.execute(
        delete(PROCESSED_EVENTS).where(
            PROCESSED_EVENTS.c.consumer == consumer, PROCESSED_EVENTS.c.event_id == event_id
        )
    )


async def was_processed(session: AsyncSession, consumer: str, event_id: UUID) -> bool:
    found = await session.execute(
        select(PROCESSED_EVENTS.c.event_id).where(
            PROCESSED_EVENTS.c.consumer == consumer, PROCESSED_EVENTS.c.event_id == event_id
        )
    )
    return found.first() is not None


async def processed_among(
    session: AsyncSession, consumer: str, event_ids: Sequence[UUID]
) -> set[UUID]:
    """Which of ``event_ids`` this consumer has processed (one query)."""
    if not event_ids:
        return set()
    found = await session.execute(
        select(PROCESSED_EVENTS.c.event_id).where(
            PROCESSED_EVENTS.c.consumer == consumer,
            PROCESSED_EVENTS.c.event_id.in_(list(event_ids)),
        )
    )
    return set(found.scalars())


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


_PRUNE = text(
    "DELETE FROM processed_events WHERE ctid = ANY(ARRAY("
    " SELECT ctid FROM processed_events WHERE processed_at < now() - make_interval(secs => :keep)"
    " LIMIT :chunk))"
)


async def prune_processed(
    sessionmaker: async_sessionmaker[AsyncSession], keep_s: float, *, chunk: int = 10_000
) -> int:
    """Delete marks older than ``keep_s`` seconds, ``chunk`` rows per
    transaction (short locks); returns how many went.

    A mark only matters while its event can still be delivered again, i.e.
    while the record is in its topic: keep it longer than the topics'
    retention (``processed_marks_keep_s``)."""
    total = 0
    while True:
        async with sessionmaker() as session, session.begin():
            result = await session.execute(_PRUNE, {"keep": keep_s, "chunk": chunk})
            deleted = int(cast("CursorResult[Any]", result).rowcount)
        total += deleted
        if deleted < chunk:
            return total
