"""Upkeep every process runs beside its consumers: pruning processed-event
marks older than the topics' retention, and reading its consumer groups' lag."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_kit.consume.processed import prune_processed
from pind_kit.consume.subscription import Subscription
from pind_kit.faults import Outage, describe, is_infrastructure_error
from pind_kit.metrics import CONSUMER_LAG, PROCESSED_PRUNED
from pind_kit.offsets import BrokerOffsets
from pind_kit.settings import ServiceSettings

log = structlog.get_logger(__name__)


class WorkerState(Protocol):
    """What upkeep reads of the worker it runs beside (``consume.worker.Worker``
    has it; a Protocol keeps this module from importing the worker back)."""

    @property
    def settings(self) -> ServiceSettings: ...
    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]: ...
    @property
    def kafka_started(self) -> bool: ...
    @property
    def subscriptions(self) -> Sequence[Subscription]: ...
    def topic_name(self, logical: str) -> str: ...


async def prune_forever(worker: WorkerState) -> None:
    """Delete processed marks older than the topics' retention, now and then."""
    outage = Outage("prune-processed")
    while True:
        try:
            pruned = await prune_processed(
                worker.sessionmaker, worker.settings.processed_marks_keep_s
            )
        except Exception as exc:
            if not is_infrastructure_error(exc):
                log.exception("pruning processed marks failed")
            else:
                outage.failed(exc)
        else:
            outage.recovered()
            if pruned:
                PROCESSED_PRUNED.inc(pruned)
                log.info("old processed marks pruned", rows=pruned)
        await asyncio.sleep(worker.settings.processed_prune_interval_s)


async def observe_lag_forever(worker: WorkerState) -> None:
    """Every ``lag_interval_s``: each subscription's lag (end offset minus
    the group's committed offset, summed over partitions) as a gauge, read
    the way a lag exporter does, from the broker's own records."""
    outage = Outage("consumer-lag")
    offsets = BrokerOffsets(worker.settings.kafka_bootstrap)
    try:
        while True:
            await asyncio.sleep(worker.settings.lag_interval_s)
            if not worker.kafka_started or not worker.subscriptions:
                continue
            try:
                for subscription in worker.subscriptions:
                    lag = await offsets.lag(
                        subscription.kafka_group(worker.settings.kafka_topic_prefix),
                        worker.topic_name(subscription.topic.name),
                    )
                    CONSUMER_LAG.labels(subscription.topic.name, subscription.group).set(lag)
            except Exception as exc:
                if not is_infrastructure_error(exc):
                    log.warning("reading consumer lag failed", error=describe(exc))
                else:
                    outage.failed(exc)
            else:
                outage.recovered()
    finally:
        await offsets.close()
