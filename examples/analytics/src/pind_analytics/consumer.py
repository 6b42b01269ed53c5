"""The consumer: its own Kafka consumer group on ``pind.places.extracted.v1``
and ``pind.job.stage.v1``; each record's CloudEvents headers and JSON payload
are checked (the payload against the topic's JSON Schema), applied to DuckDB,
and only then is the offset committed. A record that fails a check is kept in
``rejected`` with the reason and skipped, so one bad record never stops it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from pind_analytics.schemas import InvalidPayload, Schemas
from pind_analytics.store import AnalyticsStore, Event

log = logging.getLogger(__name__)

TOPICS = ("pind.places.extracted.v1", "pind.job.stage.v1")
DEFAULT_GROUP = "pind-analytics-example"


class InvalidRecord(ValueError):
    pass


@dataclass
class Progress:
    applied: int = 0
    repeated: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)


def decode(record: ConsumerRecord[bytes, bytes], logical_topic: str, schemas: Schemas) -> Event:
    """The record as an :class:`Event`, or :class:`InvalidRecord` saying why not."""
    headers = {k.lower(): v.decode("utf-8", "replace") for k, v in record.headers or ()}
    for required in ("ce_id", "ce_type", "ce_time"):
        if not headers.get(required):
            raise InvalidRecord(f"no {required} header (not a CloudEvents record)")
    # The CloudEvents type is the topic name without its version (ce_schemaversion).
    expected_type = logical_topic.rsplit(".", 1)[0]
    if headers["ce_type"] != expected_type:
        raise InvalidRecord(f"ce_type {headers['ce_type']!r} on topic {logical_topic}")
    try:
        occurred_at = datetime.fromisoformat(headers["ce_time"])
    except ValueError as exc:
        raise InvalidRecord(f"ce_time {headers['ce_time']!r} is not a time") from exc
    if occurred_at.tzinfo is None:
        raise InvalidRecord(f"ce_time {headers['ce_time']!r} has no time zone")
    try:
        payload: Any = json.loads(record.value or b"")
    except ValueError as exc:
        raise InvalidRecord(f"the value is not JSON ({exc})") from exc
    try:
        schemas.validate(logical_topic, payload)
    except InvalidPayload as exc:
        raise InvalidRecord(str(exc)) from exc
    return Event(headers["ce_id"], logical_topic, occurred_at, payload)


class AnalyticsConsumer:
    """Reads both topics under ``topic_prefix`` (empty for a real deployment)."""

    def __init__(
        self,
        bootstrap: str,
        store: AnalyticsStore,
        schemas: Schemas,
        *,
        group: str = DEFAULT_GROUP,
        topic_prefix: str = "",
    ) -> None:
        self.store = store
        self.schemas = schemas
        self.topics = {topic_prefix + name: name for name in TOPICS}
        self._consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=bootstrap,
            group_id=group,
            enable_auto_commit=False,  # committed after DuckDB has the records
            auto_offset_reset="earliest",  # a new group reads the history
        )
        self.progress = Progress()

    async def __aenter__(self) -> AnalyticsConsumer:
        await self._consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    def _handle(self, record: ConsumerRecord[bytes, bytes]) -> None:
        logical = self.topics[record.topic]
        try:
            event = decode(record, logical, self.schemas)
        except InvalidRecord as exc:
            self.store.reject(record.topic, record.partition, record.offset, str(exc))
            self.progress.rejected += 1
            self.progress.reasons.append(str(exc))
            log.warning(
                "rejected %s[%d]@%d: %s", record.topic, record.partition, record.offset, exc
            )
            return
        if self.store.apply(event, logical):
            self.progress.applied += 1
        else:
            self.progress.repeated += 1

    async def poll_once(self, timeout_ms: int = 500) -> int:
        """Fetch, apply and commit one batch; the number of records in it."""
        batch = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=500)
        count = 0
        for records in batch.values():
            for record in records:
                self._handle(record)
                count += 1
        if batch:
            await self._consumer.commit()
        return count

    async def end_offsets(self) -> dict[TopicPartition, int]:
        """Every partition of both topics, with its end offset now."""
        partitions = []
        for topic in self.topics:
            for partition in self._consumer.partitions_for_topic(topic) or ():
                partitions.append(TopicPartition(topic, partition))
        if len(partitions) < len(self.topics):
            missing = [t for t in self.topics if not self._consumer.partitions_for_topic(t)]
            raise RuntimeError(f"topic(s) {', '.join(missing)} do not exist on the broker")
        ends: dict[TopicPartition, int] = await self._consumer.end_offsets(partitions)
        return ends

    async def caught_up_with(self, ends: dict[TopicPartition, int]) -> bool:
        """Whether this group's committed offsets reached ``ends`` on every partition."""
        assigned = self._consumer.assignment()
        if not set(ends) <= assigned:
            return False  # the group has not been given every partition yet
        for tp, end in ends.items():
            if await self._consumer.position(tp) < end:
                return False
        return True

    async def run_until_caught_up(self) -> Progress:
        """Consume until everything on the topics when this began is applied."""
        await self._consumer.topics()  # fresh cluster metadata: every partition known
        ends = await self.end_offsets()
        while True:
            await self.poll_once()
            if await self.caught_up_with(ends):
                return self.progress

    async def run_forever(self) -> None:
        while True:
            await self.poll_once(timeout_ms=1000)
