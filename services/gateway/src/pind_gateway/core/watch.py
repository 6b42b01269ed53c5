"""Wake requests waiting for an analysis when this process projects news of
it, or when any instance announces a change on :data:`JOBS_CHANNEL` (heard
through the process's :class:`~pind_gateway.core.notifications.Notifications`,
see :func:`hear_job_changes`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import structlog

from pind_gateway.core.notifications import Notifications

log = structlog.get_logger(__name__)

JOBS_CHANNEL = "pind_gateway_jobs"
"""PostgreSQL channel on which every change of an analysis is announced (payload:
its id): the projection NOTIFYs, each instance's listener LISTENs."""


class AnalysisWatch:
    """In-process signals keyed by the id an event is about (an analysis, or a
    user for account events).

    The projection calls :meth:`notify_each` after committing a batch of
    events, and :func:`hear_job_changes` calls :meth:`notify` for every change
    any instance announces through PostgreSQL NOTIFY (and :meth:`notify_all`
    when the listener reconnects). Waiters also re-read the database now and
    then, in case a notification was lost while the listener reconnected.
    """

    def __init__(self) -> None:
        self._waiters: dict[uuid.UUID, set[asyncio.Event]] = {}

    def notify(self, key: uuid.UUID) -> None:
        for event in self._waiters.get(key, ()):
            event.set()

    def notify_each(self, keys: Iterable[uuid.UUID]) -> None:
        """Wake the waiters of every key (once each, however often it is listed)."""
        for key in set(keys):
            self.notify(key)

    def notify_all(self) -> None:
        """Wake every waiter (e.g. after missing notifications): each re-reads."""
        for events in self._waiters.values():
            for event in events:
                event.set()

    @contextmanager
    def subscribe(self, key: uuid.UUID) -> Iterator[asyncio.Event]:
        event = asyncio.Event()
        self._waiters.setdefault(key, set()).add(event)
        try:
            yield event
        finally:
            waiters = self._waiters.get(key)
            if waiters is not None:
                waiters.discard(event)
                if not waiters:
                    del self._waiters[key]


def hear_job_changes(notifications: Notifications, watch: AnalysisWatch) -> None:
    """Wake ``watch``'s waiters for every change announced on :data:`JOBS_CHANNEL`,
    and all of them whenever the listener (re)connects: whatever changed while
    nobody listened, every waiter re-reads."""

    def on_announcement(payload: str) -> None:
        try:
            analysis_id = uuid.UUID(payload)
        except ValueError:
            log.warning("malformed job notification ignored", payload=payload[:80])
            return
        watch.notify(analysis_id)

    async def on_connect(_connection: Any) -> None:
        watch.notify_all()

    notifications.subscribe(JOBS_CHANNEL, on_announcement)
    notifications.on_connect(on_connect)
