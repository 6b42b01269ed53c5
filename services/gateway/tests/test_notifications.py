"""The process's one LISTEN connection (core/notifications.py) against the real
PostgreSQL: every subscribed channel on one connection, each payload to its
listeners, the re-read hook on every (re)connection, periodic hooks, and a
reconnect after the server ends the connection. Channels are named per test,
so runs that overlap do not hear each other."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from pind_gateway.core.notifications import Notifications, asyncpg_dsn
from pind_kit.testing import database_url

WAIT_S = 10.0


@pytest.fixture
def dsn() -> str:
    return asyncpg_dsn(database_url("gateway"))


@pytest.fixture
async def notify(dsn: str) -> AsyncIterator[Callable[[str, str], Awaitable[None]]]:
    """NOTIFY from a connection of its own, as another process would."""
    connection = await asyncpg.connect(dsn)

    async def send(channel: str, payload: str) -> None:
        await connection.execute("SELECT pg_notify($1, $2)", channel, payload)

    yield send
    await connection.close()


@contextlib.asynccontextmanager
async def running(notifications: Notifications) -> AsyncIterator[None]:
    task = asyncio.create_task(notifications.run())
    try:
        await asyncio.wait_for(notifications.listening.wait(), WAIT_S)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class Heard:
    """Payloads heard on one channel, awaitable by count."""

    def __init__(self) -> None:
        self.payloads: list[str] = []
        self._changed = asyncio.Condition()

    def __call__(self, payload: str) -> None:
        self.payloads.append(payload)
        asyncio.get_running_loop().create_task(self._wake())

    async def _wake(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def until(self, count: int) -> list[str]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.payloads) >= count), WAIT_S
            )
        return self.payloads


def channel() -> str:
    return f"pind_test_{uuid.uuid4().hex[:12]}"


async def test_every_channel_on_one_connection_each_payload_to_its_listeners(
    dsn: str, notify: Callable[[str, str], Awaitable[None]]
) -> None:
    jobs, denials = channel(), channel()
    notifications = Notifications(dsn)
    jobs_heard, jobs_heard_too, denials_heard = Heard(), Heard(), Heard()
    listened: list[set[str]] = []

    async def channels_of_this_connection(connection: Any) -> None:
        rows = await connection.fetch("SELECT pg_listening_channels() AS name")
        listened.append({row["name"] for row in rows})

    def broken(_payload: str) -> None:
        raise RuntimeError("a subscriber's bug")

    notifications.subscribe(jobs, jobs_heard)
    notifications.subscribe(jobs, broken)  # must not keep the next listener from hearing
    notifications.subscribe(jobs, jobs_heard_too)
    notifications.subscribe(denials, denials_heard)
    notifications.on_connect(channels_of_this_connection)
    async with running(notifications):
        assert listened == [{jobs, denials}]
        await notify(jobs, "a")
        await notify(denials, "b")
        await notify(jobs, "c")
        assert await jobs_heard.until(2) == ["a", "c"]
        assert await jobs_heard_too.until(2) == ["a", "c"]
        assert await denials_heard.until(1) == ["b"]


async def test_a_lost_connection_is_reopened_and_state_read_again(
    dsn: str, notify: Callable[[str, str], Awaitable[None]]
) -> None:
    jobs = channel()
    notifications = Notifications(dsn, reconnect_initial_s=0.05, reconnect_max_s=0.2)
    heard = Heard()
    backends: list[int] = []
    reconnected = asyncio.Event()

    async def reread(connection: Any) -> None:
        backends.append(connection.get_server_pid())
        if len(backends) == 2:
            reconnected.set()

    notifications.subscribe(jobs, heard)
    notifications.on_connect(reread)
    async with running(notifications):
        await notify(jobs, "before")
        await heard.until(1)
        admin = await asyncpg.connect(asyncpg_dsn(database_url("admin")))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", backends[0])
        finally:
            await admin.close()
        await asyncio.wait_for(reconnected.wait(), WAIT_S)
        await asyncio.wait_for(notifications.listening.wait(), WAIT_S)
        assert backends[1] != backends[0]
        await notify(jobs, "after")
        assert await heard.until(2) == ["before", "after"]


async def test_periodic_hooks_run_while_connected(dsn: str) -> None:
    notifications = Notifications(dsn)
    ran = Heard()

    async def reread(connection: Any) -> None:
        ran(str(await connection.fetchval("SELECT 1")))

    notifications.every(0.05, reread)
    async with running(notifications):
        assert await ran.until(3) == ["1", "1", "1"]


async def test_subscribing_once_running_or_with_bad_settings_is_refused(dsn: str) -> None:
    with pytest.raises(ValueError, match="reconnect_max_s"):
        Notifications(dsn, reconnect_initial_s=2, reconnect_max_s=1)
    with pytest.raises(ValueError, match="positive"):
        Notifications(dsn, ping_interval_s=0)
    notifications = Notifications(dsn)
    with pytest.raises(ValueError, match="interval_s"):
        notifications.every(0, lambda _c: asyncio.sleep(0))
    async with running(notifications):
        with pytest.raises(RuntimeError, match=r"before Notifications\.run"):
            notifications.subscribe(channel(), Heard())
