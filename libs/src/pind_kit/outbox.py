"""Transactional outbox: events are rows committed with the state they
describe; a relay publishes them in order and deletes them.

``enqueue`` (``enqueue_many`` for several events in one statement) is
called inside the caller's transaction. ``OutboxRelay`` runs
beside the service: it wakes when this process enqueued something (or every
``relay_poll_interval_s`` for rows written by other processes), takes the
schema's relay lock (a session-level advisory lock: one relay publishes at
a time, so rows leave in id order and per-key order holds across instances;
a relay that finds it taken asks again after 10 ms, backing off to the poll
interval, since the holder may have selected before our rows committed),
sends a batch through the idempotent producer, waits for every acknowledgement,
deletes the rows and releases the lock — without holding a transaction open
while Kafka answers. A crash after sending and before the delete publishes the
batch again with the same event ids: consumers dedupe. While the database or
Kafka is away the relay backs off quietly (:mod:`pind_kit.faults`).

A row for a topic the broker does not have (deleted, or never created in this
deployment) waits in the outbox, with a warning and the
``pind_outbox_missing_topics`` gauge, and the broker is asked for the topic
again every ``missing_topic_recheck_s``; the row holds back no other topic's rows (the
producer would otherwise block each pass on that topic's metadata).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import (
    ARRAY,
    LargeBinary,
    Text,
    bindparam,
    cast,
    column,
    delete,
    func,
    select,
    text,
)
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from pind_contracts import Contract, Envelope, Topic
from pind_kit.db import OUTBOX, TOPIC_PREFIX_OPTION
from pind_kit.faults import Outage, is_infrastructure_error
from pind_kit.metrics import (
    OUTBOX_DEPTH,
    OUTBOX_LOCK_BUSY,
    OUTBOX_MISSING_TOPICS,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PUBLISHED,
    OUTBOX_RELAY_ERRORS,
)
from pind_kit.tracing import traced

log = structlog.get_logger(__name__)

_wakeups: set[asyncio.Event] = set()


def encode_payload(payload: Contract) -> bytes:
    return payload.model_dump_json().encode("utf-8")


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """One event to add to the outbox (see :func:`enqueue` for ``key``)."""

    topic: Topic | str
    payload: Contract | bytes
    envelope: Envelope
    key: str | None = None


async def enqueue(
    session: AsyncSession,
    topic: Topic | str,
    payload: Contract | bytes,
    envelope: Envelope,
    *,
    key: str | None = None,
) -> None:
    """Add one event to the outbox inside ``session``'s transaction.

    ``key`` defaults to the envelope's subject (the video id, for video
    topics), so every event of one video lands on one partition in order.
    """
    await enqueue_many(session, [OutboxEvent(topic, payload, envelope, key)])


async def enqueue_many(session: AsyncSession, events: Sequence[OutboxEvent]) -> None:
    """Add ``events`` to the outbox inside ``session``'s transaction, in order,
    in one statement; this process's relay wakes when the transaction commits."""
    if not events:
        return
    prefix = session.get_bind().get_execution_options().get(TOPIC_PREFIX_OPTION, "")
    rows = [_outbox_row(event, prefix) for event in events]
    await session.execute(
        _INSERT_MANY, {name: [row[name] for row in rows] for name in _OUTBOX_COLUMNS}
    )
    # Wake this process's relay as soon as the caller's transaction commits.
    sync_session = session.sync_session
    sync_session.info["pind_outbox_pending"] = True
    if not sync_session.info.get("pind_outbox_listening"):
        sa_event.listen(sync_session, "after_commit", _wake_relays)
        sync_session.info["pind_outbox_listening"] = True


_OUTBOX_COLUMNS = ("topic", "key", "value", "headers")
# One array parameter per column: one statement, executed once, whatever the
# number of events, and compiled once; rows keep their order (ids are the
# relay's order). Headers travel as JSON text.
_UNNESTED = (
    func.unnest(
        bindparam("topic", type_=ARRAY(Text)),
        bindparam("key", type_=ARRAY(Text)),
        bindparam("value", type_=ARRAY(LargeBinary)),
        bindparam("headers", type_=ARRAY(Text)),
    )
    .table_valued(
        column("topic", Text),
        column("key", Text),
        column("value", LargeBinary),
        column("headers", Text),
        with_ordinality="position",
    )
    .render_derived()
)
_INSERT_MANY = insert(OUTBOX).from_select(
    list(_OUTBOX_COLUMNS),
    select(
        _UNNESTED.c.topic, _UNNESTED.c.key, _UNNESTED.c.value, cast(_UNNESTED.c.headers, JSONB)
    ).order_by(_UNNESTED.c.position),
)


def _outbox_row(event: OutboxEvent, prefix: str) -> dict[str, Any]:
    name = event.topic if isinstance(event.topic, str) else event.topic.name
    payload = event.payload
    return {
        "topic": name if name.startswith(prefix) else prefix + name,
        "key": event.key or event.envelope.subject,
        "value": payload if isinstance(payload, bytes) else encode_payload(payload),
        "headers": json.dumps({k: v.decode() for k, v in traced(event.envelope).to_headers()}),
    }


def _wake_relays(sync_session: Session) -> None:
    if sync_session.info.pop("pind_outbox_pending", False):
        for wakeup in list(_wakeups):
            wakeup.set()


class OutboxRelay:
    """Publishes outbox rows of one service schema, in id order."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        poll_interval_s: float = 0.5,
        missing_topic_recheck_s: float = 30.0,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._producer = producer
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._depth_seen_at = 0.0
        self._missing_recheck_s = missing_topic_recheck_s
        self._missing: dict[str, float] = {}
        """Topic the broker lacks → when (monotonic) to ask for it again."""

    async def start(self) -> None:
        _wakeups.add(self._wake)
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        _wakeups.discard(self._wake)
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        outage = Outage("outbox-relay", initial_s=self._poll_interval_s, max_s=10.0)
        busy_wait = _BUSY_WAIT_S
        while not self._stopping:
            wait = self._poll_interval_s
            try:
                sent = await self._pass()
            except _LockBusy:
                OUTBOX_LOCK_BUSY.inc()
                # Another instance is publishing this schema's rows; ours may
                # have been committed after its select: look again soon, not a
                # whole poll interval later (backing off while it stays busy).
                await asyncio.sleep(busy_wait)
                busy_wait = min(busy_wait * 2, self._poll_interval_s)
                continue
            except Exception as exc:
                OUTBOX_RELAY_ERRORS.inc()
                sent = 0
                if is_infrastructure_error(exc):
                    wait = outage.failed(exc)  # one warning per outage, not per try
                else:
                    log.exception("outbox relay failed; retrying")
                    wait = min(self._poll_interval_s * 4, 10.0)
            else:
                outage.recovered()
            busy_wait = _BUSY_WAIT_S
            if sent >= self._batch_size:
                continue  # more waiting: no pause
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()

    async def _pass(self) -> int:
        """Publish one batch; raises :class:`_LockBusy` when another instance
        holds the relay lock.

        The relay lock is a session-level advisory lock on a connection in
        autocommit mode: no transaction stays open (holding back vacuum and
        row locks) while the producer waits for Kafka's acknowledgements.
        The lock is released at the end of the pass, or by PostgreSQL when
        the connection breaks."""
        engine = self._sessionmaker.kw["bind"]
        async with engine.connect() as plain:
            conn = await plain.execution_options(isolation_level="AUTOCOMMIT")
            if not await conn.scalar(_TRY_LOCK):
                raise _LockBusy  # another instance is relaying this schema's rows
            try:
                query = select(
                    OUTBOX.c.id, OUTBOX.c.topic, OUTBOX.c.key, OUTBOX.c.value, OUTBOX.c.headers
                )
                held_back = self._held_back()
                if held_back:
                    query = query.where(OUTBOX.c.topic.not_in(held_back))
                rows: Sequence[Any] = (
                    await conn.execute(query.order_by(OUTBOX.c.id).limit(self._batch_size))
                ).all()
                await self._observe_depth(conn, len(rows))
                missing = await self._missing_topics({row[1] for row in rows})
                rows = [row for row in rows if row[1] not in missing]
                if not rows:
                    return 0
                futures = [
                    await self._producer.send(
                        topic,
                        value=value,
                        key=key.encode() if key is not None else None,
                        headers=[(k, v.encode()) for k, v in headers.items()],
                    )
                    for _, topic, key, value, headers in rows
                ]
                await asyncio.gather(*futures)
                await conn.execute(delete(OUTBOX).where(OUTBOX.c.id.in_([r[0] for r in rows])))
            finally:
                if not conn.invalidated:
                    await conn.scalar(_UNLOCK)
        OUTBOX_PUBLISHED.inc(len(rows))
        return len(rows)

    def _held_back(self) -> list[str]:
        """Topics the broker lacked at the last look, not yet due another."""
        now = time.monotonic()
        for topic in [t for t, due in self._missing.items() if due <= now]:
            del self._missing[topic]  # asked about again with the next batch
        return sorted(self._missing)

    async def _missing_topics(self, topics: set[str]) -> set[str]:
        """The ones among ``topics`` the broker does not have. The producer's
        cached metadata answers for topics it has sent to; others are looked
        up in one metadata request."""
        client = self._producer.client
        unknown = {t for t in topics if client.cluster.partitions_for_topic(t) is None}
        if unknown:
            present = (await client.fetch_all_metadata()).topics()
            unknown -= set(present)
        for topic in sorted(unknown):
            log.warning(
                "outbox rows wait for a topic the broker does not have; "
                "create it (make topics) or delete the rows",
                topic=topic,
                recheck_s=self._missing_recheck_s,
            )
            self._missing[topic] = time.monotonic() + self._missing_recheck_s
        OUTBOX_MISSING_TOPICS.set(len(self._missing))
        return unknown

    async def _observe_depth(self, conn: AsyncConnection, fetched: int) -> None:
        """Outbox depth and oldest-row age, for the gauges (cheap: the table
        is small while the relay keeps up; read at most once a second)."""
        now = time.monotonic()
        if fetched == 0:
            OUTBOX_DEPTH.set(0)
            OUTBOX_OLDEST_AGE.set(0)
            return
        if now - self._depth_seen_at < 1.0:
            return
        self._depth_seen_at = now
        depth, age = (await conn.execute(_DEPTH)).one()
        OUTBOX_DEPTH.set(depth)
        OUTBOX_OLDEST_AGE.set(float(age or 0))


_BUSY_WAIT_S = 0.01
"""First wait before asking again for a relay lock another instance holds."""


class _LockBusy(Exception):
    """Another instance holds this schema's relay lock."""


_LOCK_KEY = "hashtext('pind-outbox:' || current_schema())"
_TRY_LOCK = text(f"SELECT pg_try_advisory_lock({_LOCK_KEY})")
_UNLOCK = text(f"SELECT pg_advisory_unlock({_LOCK_KEY})")
_DEPTH = select(
    func.count(),
    func.coalesce(func.extract("epoch", func.now() - func.min(OUTBOX.c.created_at)), 0),
).select_from(OUTBOX)
