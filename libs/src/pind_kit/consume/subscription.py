"""A subscription: which consumer group reads which topic, and which stage of
a job its handling reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pind_contracts import JobStage, Topic
from pind_contracts.types import Stage

if TYPE_CHECKING:
    from pind_kit.consume.unit_of_work import UnitOfWork

GiveUpHook = Callable[["UnitOfWork", JobStage], Awaitable[None]]
"""Called when handling gives up on an event, in the transaction that commits
the ``failed`` stage (passed in): what it emits commits with that report."""


@dataclass(frozen=True, slots=True)
class Subscription:
    topic: Topic
    group: str
    """The service's consumer name: keys the processed-events table and, with
    the topic and the deployment's topic prefix, names the Kafka consumer
    group (:func:`kafka_group_id`)."""
    stage: Stage | None = None
    """The job stage a failure of this handling is reported as, if any."""
    on_give_up: GiveUpHook | None = None
    """Also publish the service's own failed outcome with that report (e.g.
    transcript's on ``pind.transcript.ready.v1``); needs ``stage``."""

    def kafka_group(self, prefix: str) -> str:
        return kafka_group_id(self.group, self.topic, prefix)


def kafka_group_id(group: str, topic: Topic, prefix: str = "") -> str:
    """The Kafka consumer group of ``group``'s subscription to ``topic`` in
    the deployment whose topics carry ``prefix``: one per (service group,
    topic), so the subscribers of one process join and rebalance
    independently instead of revoking each other's partitions mid-commit at
    start-up; under the topics' prefix, so deployments sharing a broker never
    share a group (nor rebalance each other), and a prefixed ACL on groups
    covers one deployment."""
    return f"{prefix}{group}.{topic.name}"
