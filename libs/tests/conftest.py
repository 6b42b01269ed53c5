"""The kit tests' own database schema: each test module names it (``SCHEMA``)
and gets it fresh — the kit's tables plus an ``effects`` table handlers write
to — for the module's duration."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from pind_kit.db import service_metadata


@pytest.fixture(scope="module")
async def kit_schema(request: pytest.FixtureRequest, admin_database_url: str) -> AsyncIterator[str]:
    schema: str = request.module.SCHEMA
    engine = create_async_engine(admin_database_url)
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        await conn.execute(text(f"CREATE SCHEMA {schema}"))
        await conn.run_sync(service_metadata(schema).create_all)
        await conn.execute(text(f"CREATE TABLE {schema}.effects (event_id uuid, note text)"))
    yield schema
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    await engine.dispose()
