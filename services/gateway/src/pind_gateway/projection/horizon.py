"""How far the gateway has heard the analyses: what the job-timeout sweeper
may count as silence.

The projection's last write to an analysis alone cannot tell silence from
deafness: while the projection lags or the gateway's outbox is stuck, reports
and requests wait in the topics and the outbox, and an analysis whose work
finishes would be failed. Two horizons bound what may be called silent:

- :class:`ProjectionHorizon`: the broker's committed offsets of the
  projection's consumer groups against the topics' end offsets noted at
  earlier looks. Once every partition's committed offset reaches the ends
  noted at time ``T``, every report published before ``T`` has been
  projected, so an analysis not updated since ``T - timeout`` was silent for
  the whole timeout. While the projection lags (or no instance projects),
  ``T`` stays behind.
- :func:`unsent_since`: the oldest request still waiting in the gateway's
  outbox for this deployment's request topic. An analysis created after it
  may not have reached any worker yet. Rows for other topics (another
  namespace's, left in a shared schema) say nothing about these analyses.

Outages (Kafka or the database unreachable at a look) are the sweeper's
(:mod:`pind_gateway.projection.sweeper`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiokafka import TopicPartition
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pind_contracts import JOB_STAGE, PLACES_EXTRACTED, VIDEO_INGESTED, Topic
from pind_kit.consume import kafka_group_id
from pind_kit.db import OUTBOX
from pind_kit.offsets import BrokerOffsets

REPORTS: tuple[Topic, ...] = (JOB_STAGE, VIDEO_INGESTED, PLACES_EXTRACTED)
"""The topics whose events change an analysis' status."""

KEPT_LOOKS = 256
"""Looks remembered while the projection has not reached them (the oldest
are forgotten first: the horizon then moves later, never past what was heard)."""


@dataclass(frozen=True, slots=True)
class _Look:
    at: datetime
    ends: dict[TopicPartition, int]


class ProjectionHorizon:
    """Up to when the projection (consumer group ``group``) has projected every
    report, read from the broker as a lag exporter would."""

    def __init__(
        self,
        bootstrap: str,
        group: str,
        prefix: str,
        *,
        topics: Sequence[Topic] = REPORTS,
        timeout_s: float = 10.0,
    ) -> None:
        self._bootstrap = bootstrap
        self._groups = {
            prefix + topic.name: kafka_group_id(group, topic, prefix) for topic in topics
        }
        self._timeout_s = timeout_s
        self._looks: deque[_Look] = deque(maxlen=KEPT_LOOKS)
        self._offsets = BrokerOffsets(bootstrap)

    async def heard_up_to(self, now: datetime) -> datetime | None:
        """Note the topics' end offsets as of ``now``; the latest noted time
        up to which everything published has been projected (None: not even
        the oldest look remembered). Raises the broker's errors (an outage)."""
        # A failure (or the timeout) drops the broker clients: the next look
        # connects afresh.
        async with asyncio.timeout(self._timeout_s):
            partitions = await self._offsets.partitions(self._groups)
            self._looks.append(_Look(now, await self._offsets.ends(partitions)))
            done: dict[TopicPartition, int] = {}
            for topic, group in self._groups.items():
                mine = [tp for tp in partitions if tp.topic == topic]
                if mine:
                    done.update(await self._offsets.committed(group, mine))
        reached: _Look | None = None
        while self._looks and all(
            done.get(tp, 0) >= end for tp, end in self._looks[0].ends.items()
        ):
            reached = self._looks.popleft()  # ends only grow: the reached looks lead
        if reached is None:
            return None
        self._looks.appendleft(reached)  # still the horizon until a later look is reached
        return reached.at

    async def close(self) -> None:
        await self._offsets.close()


async def unsent_since(session: AsyncSession, now: datetime, topic: str) -> datetime | None:
    """When the oldest row for ``topic`` (the physical request topic) still
    waiting in the gateway's outbox was written (as ``now`` minus its age by
    the database's clock); None when there is none."""
    age = await session.scalar(
        select(func.extract("epoch", func.now() - func.min(OUTBOX.c.created_at))).where(
            OUTBOX.c.topic == topic
        )
    )
    return None if age is None else now - timedelta(seconds=float(age))
