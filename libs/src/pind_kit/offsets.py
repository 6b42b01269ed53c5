"""Reading consumer groups' progress from the broker, as a lag exporter does:
a topic's partitions, their end offsets, and what a group has committed.
Used for the lag gauge (:mod:`pind_kit.consume.upkeep`) and by the gateway to
know how far its projection has read."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Iterable
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

T = TypeVar("T")


class BrokerOffsets:
    """A consumer (no group) and an admin client, connected on first use and
    dropped on any failure, so the next call connects afresh."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._consumer: AIOKafkaConsumer | None = None
        self._admin: AIOKafkaAdminClient | None = None

    async def partitions(self, topics: Iterable[str]) -> list[TopicPartition]:
        """Every partition of ``topics`` (physical names) the broker knows."""
        wanted = set(topics)
        _, admin = await self._clients()
        described = await self._guarded(admin.describe_topics(list(wanted)))
        return [
            TopicPartition(t["topic"], p["partition"])
            for t in described
            if t.get("topic") in wanted and t.get("error_code") == 0
            for p in t.get("partitions", ())
        ]

    async def ends(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        consumer, _ = await self._clients()
        return dict(await self._guarded(consumer.end_offsets(partitions)))

    async def committed(
        self, group: str, partitions: list[TopicPartition]
    ) -> dict[TopicPartition, int]:
        """The group's committed offset of each partition; where it committed
        none yet, the partition's first offset (where it will start reading)."""
        consumer, admin = await self._clients()
        offsets = await self._guarded(
            admin.list_consumer_group_offsets(group, partitions=partitions)
        )
        done = {
            tp: offset.offset
            for tp in partitions
            if (offset := offsets.get(tp)) is not None and offset.offset >= 0
        }
        missing = [tp for tp in partitions if tp not in done]
        if missing:
            done.update(await self._guarded(consumer.beginning_offsets(missing)))
        return done

    async def lag(self, group: str, topic: str) -> int:
        """Records of ``topic`` the group has not committed yet."""
        partitions = await self.partitions([topic])
        if not partitions:
            return 0
        ends = await self.ends(partitions)
        done = await self.committed(group, partitions)
        return sum(max(end - done.get(tp, 0), 0) for tp, end in ends.items())

    async def close(self) -> None:
        consumer, admin = self._consumer, self._admin
        self._consumer = self._admin = None
        if consumer is not None:
            with contextlib.suppress(Exception):
                await consumer.stop()
        if admin is not None:
            with contextlib.suppress(Exception):
                await admin.close()

    async def _clients(self) -> tuple[AIOKafkaConsumer, AIOKafkaAdminClient]:
        if self._consumer is None or self._admin is None:
            await self.close()
            consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap)
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
            self._consumer, self._admin = consumer, admin
            await self._guarded(consumer.start())
            await self._guarded(admin.start())
        return self._consumer, self._admin

    async def _guarded(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except BaseException:
            await self.close()  # connect afresh next time
            raise
