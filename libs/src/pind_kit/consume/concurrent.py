"""Handling single events several at a time (``Worker.handler(..., concurrency=N)``).

A handler that waits on the outside world (YouTube, a geocoder) and on its own
three short transactions spends most of an event's time idle; handled one
record at a time, a consumer's throughput is one over that latency. Here the
subscription fetches up to ``concurrency`` records at once and handles them
together, each exactly as :class:`~pind_kit.consume.handling.EventHandling`
handles one event (processed-mark dedupe, its own unit of work, retries, dead
letters), with these guarantees kept:

- **per-key order**: the records of one key (of one partition, for records
  without a key) form a lane handled one after the other, in offset order;
  only different lanes overlap;
- **offsets only once durable**: the fetch's offsets are committed (by the
  subscriber, after :meth:`ConcurrentHandling.consume` returns) only when
  every record's outcome is durable — handled, a duplicate, or dead-lettered.
  If any lane fails, the others still finish, then the error propagates and
  each partition is rewound to the fetch's first record (``NACK_ON_ERROR``):
  what was already handled comes back as a duplicate and is skipped by its
  processed mark — at-least-once delivery, idempotent handling;
- **bounded**: at most ``concurrency`` records are in flight per subscription.

Which of a fetch's events this consumer already processed is asked in one
query for the whole fetch, instead of once per event (a pooled connection's
checkout costs three round trips of its own); if that query fails, each event
asks for itself inside its retries, as one at a time.

The price is head-of-line blocking within a fetch: the next fetch starts when
the slowest record of this one is done (a record in transient-retry backoff
holds its fetch), which is what keeps the commit in order without tracking
offsets record by record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Sequence
from typing import Any
from uuid import UUID

import structlog

from pind_kit.consume.handling import EventHandling
from pind_kit.consume.incoming import Incoming
from pind_kit.consume.processed import processed_among
from pind_kit.db import single_statements
from pind_kit.faults import describe

log = structlog.get_logger(__name__)


def lanes(records: Sequence[Any]) -> list[list[Any]]:
    """``records`` split into lanes that may run side by side: one per key
    (keys live on one partition), one per partition for records without a
    key; each lane in offset order."""
    by_lane: dict[Hashable, list[Any]] = {}
    for raw in records:
        lane = ("key", raw.partition, raw.key) if raw.key is not None else ("p", raw.partition)
        by_lane.setdefault(lane, []).append(raw)
    for lane_records in by_lane.values():
        lane_records.sort(key=lambda r: r.offset)
    return list(by_lane.values())


class ConcurrentHandling:
    """One subscription's single-event handler, run on a fetch's lanes at once."""

    def __init__(self, handling: EventHandling, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.handling = handling
        self.concurrency = concurrency

    async def consume(self, records: tuple[Any, ...]) -> None:
        """Handle one fetch (at most ``concurrency`` records); returns once every
        record's outcome is durable, raises the first failure after the other
        lanes have finished."""
        handling = self.handling
        group = handling.subscription.group
        decoded: dict[int, Incoming[Any]] = {}
        for raw in records:  # what does not decode is dead-lettered here
            incoming = await handling.decode(raw)
            if incoming is not None:
                decoded[id(raw)] = incoming
        ids = [i.event_id for i in decoded.values() if i.replay_for != group]
        processed = await self._processed(ids)
        seen: set[UUID] = set()

        async def run(lane: list[Any]) -> None:
            for raw in lane:
                incoming = decoded.get(id(raw))
                if incoming is None:
                    continue
                replayed = incoming.replay_for == group  # handled again on purpose
                if processed is not None and incoming.event_id in processed and not replayed:
                    handling.skipped_duplicate(incoming)
                    continue
                # An id twice in one fetch: the second delivery checks again.
                fresh = processed is not None and incoming.event_id not in seen
                seen.add(incoming.event_id)
                await handling.consume_decoded(incoming, raw, known_fresh=fresh)

        results = await asyncio.gather(
            *(run(lane) for lane in lanes(records)), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _processed(self, event_ids: list[UUID]) -> set[UUID] | None:
        """Which of ``event_ids`` were processed; None when the database does
        not say (each event then asks for itself, waiting out an outage)."""
        if not event_ids:
            return set()
        try:
            async with single_statements(self.handling.sessionmaker) as session:
                return await processed_among(session, self.handling.subscription.group, event_ids)
        except Exception as exc:
            log.debug("processed marks of a fetch unknown", error=describe(exc))
            return None
