"""The one PostgreSQL connection per gateway process that LISTENs for what any
process committed: job changes (:mod:`pind_gateway.core.watch`) and token
denials (:mod:`pind_gateway.auth.denials`) each subscribe a channel here.

On every (re)connection it LISTENs on every subscribed channel, then runs the
``on_connect`` hooks on that connection: what was committed while nobody
listened was never heard, so each subscriber re-reads its state there (after
LISTEN, so nothing committed since is missed). Only then is it
:attr:`Notifications.listening`. While connected it runs each ``every`` hook
at its interval and otherwise pings, to notice a silently dead link. A lost
connection (or a hook's database error) clears ``listening`` and reconnects
after a delay that doubles from ``reconnect_initial_s`` to
``reconnect_max_s`` while connecting keeps failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from sqlalchemy.engine import make_url

log = structlog.get_logger(__name__)

PING_INTERVAL_S = 10.0
RECONNECT_INITIAL_S = 1.0
RECONNECT_MAX_S = 15.0

Listener = Callable[[str], None]
"""Called with the payload of each notification on its channel."""
ConnectionHook = Callable[[asyncpg.Connection], Awaitable[None]]
"""Runs on the listening connection (e.g. to re-read a table)."""


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL (``postgresql+asyncpg://…``) as a plain libpq DSN."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass(slots=True)
class _Periodic:
    interval_s: float
    hook: ConnectionHook
    due: float = 0.0


class Notifications:
    """Channels → listeners on one LISTEN connection, kept open until cancelled."""

    def __init__(
        self,
        dsn: str,
        *,
        ping_interval_s: float = PING_INTERVAL_S,
        reconnect_initial_s: float = RECONNECT_INITIAL_S,
        reconnect_max_s: float = RECONNECT_MAX_S,
    ) -> None:
        if ping_interval_s <= 0 or reconnect_initial_s <= 0:
            raise ValueError("ping_interval_s and reconnect_initial_s must be positive")
        if reconnect_max_s < reconnect_initial_s:
            raise ValueError("reconnect_max_s must be at least reconnect_initial_s")
        self._dsn = dsn
        self._ping_interval_s = ping_interval_s
        self._reconnect_initial_s = reconnect_initial_s
        self._reconnect_max_s = reconnect_max_s
        self._listeners: dict[str, list[Listener]] = {}
        self._on_connect: list[ConnectionHook] = []
        self._periodic: list[_Periodic] = []
        self._running = False
        self.listening = asyncio.Event()
        """Set while connected, listening on every channel, with every
        ``on_connect`` hook done; cleared when the connection is lost."""

    # --- subscribing (before run) -----------------------------------------------------------
    def subscribe(self, channel: str, listener: Listener) -> None:
        """Call ``listener(payload)`` for each notification on ``channel``."""
        self._before_run()
        if not channel:
            raise ValueError("a channel name is needed")
        self._listeners.setdefault(channel, []).append(listener)

    def on_connect(self, hook: ConnectionHook) -> None:
        """Run ``hook(connection)`` on every (re)connection, after LISTEN."""
        self._before_run()
        self._on_connect.append(hook)

    def every(self, interval_s: float, hook: ConnectionHook) -> None:
        """Run ``hook(connection)`` every ``interval_s`` while connected (the
        first time ``interval_s`` after connecting)."""
        self._before_run()
        if interval_s <= 0:
            raise ValueError(f"interval_s must be positive, got {interval_s}")
        self._periodic.append(_Periodic(interval_s, hook))

    def _before_run(self) -> None:
        if self._running:
            raise RuntimeError("subscribe before Notifications.run starts")

    # --- running ----------------------------------------------------------------------------
    async def run(self) -> None:
        """LISTEN until cancelled, reconnecting after any loss of the connection."""
        self._running = True
        delay = self._reconnect_initial_s
        try:
            while True:
                try:
                    await self._listen_once()
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning(
                        "notification listener lost its connection; reconnecting",
                        error=str(exc),
                        retry_in_s=delay,
                    )
                if self.listening.is_set():  # it was up: start the backoff over
                    delay = self._reconnect_initial_s
                self.listening.clear()
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._reconnect_max_s)
        finally:
            self.listening.clear()
            self._running = False

    async def _listen_once(self) -> None:
        connection: asyncpg.Connection = await asyncpg.connect(self._dsn)
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _conn: lost.set())
        try:
            for channel, listeners in self._listeners.items():
                await connection.add_listener(channel, _dispatch(channel, listeners))
            for hook in self._on_connect:
                await hook(connection)
            now = time.monotonic()
            for periodic in self._periodic:
                periodic.due = now + periodic.interval_s
            self.listening.set()
            log.info("listening for notifications", channels=sorted(self._listeners))
            while not lost.is_set():
                next_due = min((p.due for p in self._periodic), default=math.inf)
                wait_s = min(self._ping_interval_s, max(next_due - time.monotonic(), 0.0))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), timeout=wait_s)
                if lost.is_set():
                    break
                await self._tick(connection)
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)

    async def _tick(self, connection: asyncpg.Connection) -> None:
        """Run the hooks that are due; with none due, ping."""
        now = time.monotonic()
        due = [p for p in self._periodic if p.due <= now]
        for periodic in due:
            await periodic.hook(connection)
            periodic.due = time.monotonic() + periodic.interval_s
        if not due:
            await connection.fetchval("SELECT 1")  # notice a silently dead link


def _dispatch(channel: str, listeners: list[Listener]) -> Callable[..., None]:
    def on_notification(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
        for listener in listeners:
            try:
                listener(payload)
            except Exception:  # one subscriber's bug must not silence the others
                log.exception("notification listener failed", channel=channel)

    return on_notification
