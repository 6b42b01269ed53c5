"""Consumer lag of every group reading the run's topics, sampled over time
(:class:`pind_kit.offsets.BrokerOffsets`). A group is found on the broker by
its name (``<topic prefix><service group>.<contract topic>``,
:func:`pind_kit.consume.kafka_group_id`) once it has committed an offset on
the run's physical topic."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from pind_contracts import ALL_TOPICS
from pind_kit.offsets import BrokerOffsets


@dataclass
class LagSeries:
    """(seconds into the run, group → lag) samples."""

    samples: list[tuple[float, dict[str, int]]] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    """Why each sample that could not be read failed (a gap in the table)."""

    @property
    def groups(self) -> list[str]:
        return sorted({g for _, lags in self.samples for g in lags})


async def discover(bootstrap: str, prefix: str, offsets: BrokerOffsets) -> dict[str, str]:
    """group → physical topic, for groups with an offset committed on the run's topics."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = {str(g[0]) for g in await admin.list_consumer_groups()}
        found: dict[str, str] = {}
        for topic in ALL_TOPICS:
            physical = prefix + topic.name
            partitions: list[TopicPartition] = await offsets.partitions([physical])
            ours = (g for g in names if g.startswith(prefix) and g.endswith("." + topic.name))
            for group in sorted(ours):
                committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
                if any(o.offset >= 0 for tp, o in committed.items() if tp.topic == physical):
                    found[group] = physical
        return found
    finally:
        await admin.close()


async def sample(
    bootstrap: str, prefix: str, series: LagSeries, started: float, every_s: float
) -> None:
    """Append a sample every ``every_s``; groups are looked for anew every tenth one."""
    offsets = BrokerOffsets(bootstrap)
    groups: dict[str, str] = {}
    count = 0
    try:
        while True:
            try:
                if count % 10 == 0:
                    groups = await discover(bootstrap, prefix, offsets)
                count += 1
                lags = {g: await offsets.lag(g, t) for g, t in groups.items()}
                series.samples.append((time.monotonic() - started, lags))
            except Exception as exc:  # a missed sample is a gap, counted and printed
                series.missed.append(f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(every_s)  # a sampling period
    finally:
        await offsets.close()
