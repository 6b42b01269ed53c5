"""Delivery of one event to its handling: retries with backoff, and giving up
— the original record and the error to ``<topic>.dlt``, and a readable
``failed`` stage for the job, so it never hangs.

Infrastructure errors (:mod:`pind_kit.faults`) are waited out, however long
they last: the DLT holds only what a person has to look at — a poison event or
a handler's own failure."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_contracts import JOB_STAGE
from pind_kit.consume.incoming import Incoming
from pind_kit.consume.subscription import Subscription
from pind_kit.consume.unit_of_work import UnitOfWork
from pind_kit.errors import AlreadyProcessed, TransientError
from pind_kit.faults import Outage, is_infrastructure_error
from pind_kit.metrics import DLT_PUBLISHED
from pind_kit.settings import ServiceSettings

log = structlog.get_logger(__name__)

DLT_HEADER_PREFIX = "pind_dlt_"

Attempt = Callable[[], Awaitable[str]]
"""One try at handling; returns the outcome (``ok``, ``duplicate``)."""


def short_error(exc: BaseException, limit: int = 300) -> str:
    message = f"{type(exc).__name__}: {exc}"
    return message if len(message) <= limit else message[: limit - 1] + "…"


class Delivery:
    """Retries, dead letters and give-up stages for one process's subscriptions."""

    def __init__(
        self, settings: ServiceSettings, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.producer: AIOKafkaProducer | None = None
        """Set when the worker starts; dead letters go through it."""

    async def retrying(
        self, subscription: Subscription, incoming: Incoming[Any], raw: Any, attempt: Attempt
    ) -> str:
        """Run ``attempt`` until it returns its outcome.

        An infrastructure error (the database or Kafka away, a deadlock, a
        serialization failure) is retried with backoff for as long as it lasts,
        quietly, and never counts as a try. A :class:`TransientError` is
        retried ``retry_attempts`` times; the last one, and any other failure,
        gives up (outcome ``dead-lettered``).
        """
        tries = 0
        delay = self.settings.retry_backoff_initial_s
        outage = self.outage(subscription)
        while True:
            try:
                outcome = await attempt()
            except Exception as exc:
                if is_infrastructure_error(exc):
                    await outage.wait(exc, topic=subscription.topic.name)
                    continue
                outage.recovered(topic=subscription.topic.name)
                tries += 1
                if isinstance(exc, TransientError) and tries < self.settings.retry_attempts:
                    log.warning(
                        "transient failure; retrying", attempt=tries, delay_s=delay, error=str(exc)
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.settings.retry_backoff_max_s)
                    continue
                if not isinstance(exc, TransientError):
                    log.exception("handler failed")
                retryable = isinstance(exc, TransientError)
                await self.give_up(subscription, incoming, raw, exc, tries, retryable=retryable)
                return "dead-lettered"
            outage.recovered(topic=subscription.topic.name)
            return outcome

    def outage(self, subscription: Subscription) -> Outage:
        return Outage(
            f"consume:{subscription.group}:{subscription.topic.name}",
            initial_s=self.settings.retry_backoff_initial_s,
            max_s=self.settings.retry_backoff_max_s,
        )

    async def until_infrastructure_answers(
        self, subscription: Subscription, step: Callable[[], Awaitable[None]]
    ) -> None:
        """Run ``step`` (part of giving up), waiting out infrastructure errors."""
        outage = self.outage(subscription)
        while True:
            try:
                await step()
            except Exception as exc:
                if not is_infrastructure_error(exc):
                    raise
                await outage.wait(exc, topic=subscription.topic.name)
            else:
                outage.recovered(topic=subscription.topic.name)
                return

    async def give_up(
        self,
        subscription: Subscription,
        incoming: Incoming[Any],
        raw: Any,
        exc: BaseException,
        attempts: int,
        *,
        retryable: bool,
    ) -> None:
        """Dead-letter the record, then mark the event processed with the
        job's ``failed`` stage (when the subscription reports a stage) and
        whatever the subscription's ``on_give_up`` emits with it."""
        await self.until_infrastructure_answers(
            subscription, lambda: self.dead_letter(subscription, raw, exc, attempts=attempts)
        )

        async def mark_failed() -> None:
            uow = UnitOfWork.for_event(
                self.sessionmaker,
                self.settings.service_name,
                incoming,
                consumer=subscription.group,
                stage=subscription.stage,
            )
            try:
                async with uow.transaction():
                    if subscription.stage is not None and uow.job_id is not None:
                        failed = uow.stage_event(
                            "failed",
                            reason=f"{subscription.stage} failed after {attempts} "
                            f"attempt(s): {short_error(exc)}",
                            retryable=retryable,
                            error_code="internal" if not retryable else "unavailable",
                        )
                        await uow.emit(JOB_STAGE, failed)
                        if subscription.on_give_up is not None:
                            await subscription.on_give_up(uow, failed)
            except AlreadyProcessed:
                log.info("another delivery of the event committed first; no failed stage")

        await self.until_infrastructure_answers(subscription, mark_failed)

    async def dead_letter(
        self, subscription: Subscription, raw: Any, exc: BaseException, *, attempts: int
    ) -> None:
        """Send the original bytes and headers plus the error to ``<topic>.dlt``."""
        assert self.producer is not None, "worker not started"
        headers = list(raw.headers or ())
        headers += [
            (f"{DLT_HEADER_PREFIX}error", short_error(exc, 2000).encode()),
            (f"{DLT_HEADER_PREFIX}error_type", type(exc).__name__.encode()),
            (f"{DLT_HEADER_PREFIX}attempts", str(attempts).encode()),
            (f"{DLT_HEADER_PREFIX}consumer", subscription.group.encode()),
            (f"{DLT_HEADER_PREFIX}original_topic", raw.topic.encode()),
            (f"{DLT_HEADER_PREFIX}original_partition", str(raw.partition).encode()),
            (f"{DLT_HEADER_PREFIX}original_offset", str(raw.offset).encode()),
            (f"{DLT_HEADER_PREFIX}failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        dlt = self.settings.kafka_topic_prefix + subscription.topic.dlt
        await self.producer.send_and_wait(dlt, value=raw.value, key=raw.key, headers=headers)
        DLT_PUBLISHED.labels(subscription.topic.name).inc()
        log.error("event dead-lettered", dlt=subscription.topic.dlt, error=short_error(exc))
