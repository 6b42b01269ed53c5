"""Pooled connections are checked at checkout without a round trip each time:
a connection the server closed is replaced, one idle for long is pinged, a busy
one is handed out as it is (:func:`pind_kit.db.check_on_checkout`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from pind_kit.db import make_engine
from pind_kit.settings import ServiceSettings


def _settings(database_url: str, ping_after_idle_s: float) -> ServiceSettings:
    return ServiceSettings(
        service_name="kit-checkout-test",
        database_url=database_url,
        db_schema="public",
        kafka_bootstrap="127.0.0.1:1",
        db_pool_size=1,
        db_ping_after_idle_s=ping_after_idle_s,
    )


@pytest.fixture
async def admin(admin_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(admin_database_url)
    yield engine
    await engine.dispose()


async def _backend(engine: AsyncEngine) -> tuple[int, Any]:
    """The server process of the connection a checkout gives, and asyncpg's connection."""
    async with engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        raw = (await conn.get_raw_connection()).driver_connection
    return int(pid), raw


async def _terminate(admin: AsyncEngine, pid: int, raw: Any) -> None:
    """Have the server end connection ``pid``; return once asyncpg noticed."""
    closed = asyncio.Event()
    raw.add_termination_listener(lambda _connection: closed.set())
    async with admin.connect() as conn:
        assert (await conn.execute(text(f"SELECT pg_terminate_backend({pid})"))).scalar_one()
    async with asyncio.timeout(10):
        await closed.wait()
    assert raw.is_closed()


async def test_a_connection_the_server_closed_is_replaced_at_checkout(
    admin_database_url: str, admin: AsyncEngine
) -> None:
    engine = make_engine(_settings(admin_database_url, ping_after_idle_s=3600))
    # Without the check, the same pool hands the dead connection out: the control.
    unchecked = create_async_engine(admin_database_url, pool_size=1)
    try:
        pid, raw = await _backend(unchecked)
        await _terminate(admin, pid, raw)
        with pytest.raises(Exception, match=r"closed|terminat"):
            await _backend(unchecked)

        pid, raw = await _backend(engine)
        await _terminate(admin, pid, raw)
        again, _ = await _backend(engine)  # no error: a fresh connection
        assert again != pid
    finally:
        await engine.dispose()
        await unchecked.dispose()


async def test_a_busy_connection_is_not_pinged_and_an_idle_one_is(
    admin_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[int] = []
    ping: Any = AsyncAdapt_asyncpg_connection.ping  # untyped in SQLAlchemy

    def counted(self: AsyncAdapt_asyncpg_connection) -> None:
        pings.append(1)
        ping(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counted)
    busy = make_engine(_settings(admin_database_url, ping_after_idle_s=3600))
    idle = make_engine(_settings(admin_database_url, ping_after_idle_s=0))
    try:
        first, _ = await _backend(busy)
        for _ in range(3):
            assert (await _backend(busy))[0] == first  # the pooled one, reused
        assert pings == []

        first, _ = await _backend(idle)
        assert pings == []  # a new connection needs no ping
        assert (await _backend(idle))[0] == first
        assert pings == [1]
    finally:
        await busy.dispose()
        await idle.dispose()
