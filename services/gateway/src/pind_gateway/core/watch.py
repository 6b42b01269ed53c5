"""Wake requests waiting for an analysis when this process projects news of
it, or when any instance announces a change on :data:`JOBS_CHANNEL`."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

JOBS_CHANNEL = "pind_gateway_jobs"
"""PostgreSQL channel on which every change of an analysis is announced (payload:
its id): the projection NOTIFYs, each instance's listener LISTENs."""


class AnalysisWatch:
    """In-process signals keyed by the id an event is about (an analysis, or a
    user for account events).

    The projection calls :meth:`notify_each` after committing a batch of
    events, and :class:`~pind_gateway.live.listener.JobListener` calls
    :meth:`notify` for every change any instance announces through PostgreSQL NOTIFY. Waiters
    also re-read the database now and then, in case a notification was lost
    while the listener reconnected.
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
