"""The gateway's migrations on a database of their own: the schema they build
is the models' schema, and 0003 (analyses in a table of their own) carries
existing jobs over and back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from pind_gateway.__main__ import MIGRATIONS_DIR
from pind_gateway.core.models import SCHEMA, Base
from pind_kit.testing import database_url

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
async def scratch() -> AsyncIterator[str]:
    """A fresh database with an empty ``gateway`` schema; its asyncpg URL."""
    admin = make_url(database_url("admin"))
    name = f"pind_gateway_migrations_{uuid.uuid4().hex[:8]}"
    server = await asyncpg.connect(_libpq(admin.render_as_string(hide_password=False)))
    await server.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        db = await asyncpg.connect(_libpq(url))
        await db.execute(f"CREATE SCHEMA {SCHEMA}")
        await db.close()
        yield url
    finally:
        await server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await server.close()


async def _migrate(url: str, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    # env.py runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(getattr(command, action), config, revision)


async def test_the_migrated_schema_is_the_models_schema(scratch: str) -> None:
    await _migrate(scratch, "upgrade", "head")
    engine = create_async_engine(scratch)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(
                    sync, opts={"include_schemas": True, "include_name": _in_gateway_schema}
                ),
                Base.metadata,
            )
        )
    await engine.dispose()
    assert diff == []


def _in_gateway_schema(name: str | None, type_: str, _parent: dict[str, Any]) -> bool:
    if type_ == "schema":
        return name == SCHEMA
    return name != "alembic_version"


async def test_analyses_are_carried_over_and_back(scratch: str) -> None:
    await _migrate(scratch, "upgrade", "0002")
    lead, joined, cached, other = (uuid.uuid4() for _ in range(4))
    db = await asyncpg.connect(_libpq(scratch))
    try:
        await db.execute(
            f"INSERT INTO {SCHEMA}.videos (video_id, url) VALUES ('dQw4w9WgXcQ', 'u'), "
            "('aaaaaaaaaaa', 'v')"
        )
        jobs = f"""INSERT INTO {SCHEMA}.jobs (id, video_id, analysis_id, origin, state, progress,
            current_step, error, places_found, created_at, updated_at, finished_at, timed_out_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"""
        done = T0 + timedelta(minutes=5)
        # The lead, a job that joined it, and a later request answered from it.
        await db.execute(
            jobs,
            lead,
            "dQw4w9WgXcQ",
            lead,
            "new",
            "succeeded",
            100,
            "done",
            None,
            2,
            T0,
            done,
            done,
            None,
        )
        await db.execute(
            jobs,
            joined,
            "dQw4w9WgXcQ",
            lead,
            "joined",
            "succeeded",
            100,
            "done",
            None,
            None,
            T0 + timedelta(minutes=1),
            done,
            done,
            None,
        )
        await db.execute(
            jobs,
            cached,
            "dQw4w9WgXcQ",
            lead,
            "cached",
            "succeeded",
            100,
            "done",
            None,
            None,
            T0 + timedelta(hours=1),
            T0 + timedelta(hours=1),
            T0 + timedelta(hours=1),
            None,
        )
        # An analysis the sweeper ended.
        await db.execute(
            jobs,
            other,
            "aaaaaaaaaaa",
            other,
            "new",
            "failed",
            100,
            "failed",
            "timed out",
            None,
            T0,
            done,
            done,
            done,
        )
        await db.execute(
            f"INSERT INTO {SCHEMA}.job_stages (job_id, stage, state, progress, updated_at) "
            "VALUES ($1, 'ingest', 'succeeded', 1.0, $2), ($3, 'ingest', 'running', 0.5, $2)",
            lead,
            done,
            other,
        )

        await _migrate(scratch, "upgrade", "head")
        analyses = {
            r["id"]: dict(r)
            for r in await db.fetch(f"SELECT * FROM {SCHEMA}.analyses ORDER BY created_at")
        }
        assert set(analyses) == {lead, other}
        assert analyses[lead]["state"] == "succeeded"
        assert analyses[lead]["places_found"] == 2
        assert analyses[other]["timed_out_at"] == done
        assert analyses[other]["error"] == "timed out"
        stages = await db.fetch(
            f"SELECT analysis_id, state FROM {SCHEMA}.analysis_stages ORDER BY state"
        )
        assert [(r["analysis_id"], r["state"]) for r in stages] == [
            (other, "running"),
            (lead, "succeeded"),
        ]
        columns = {
            r["column_name"]
            for r in await db.fetch(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = $1 AND table_name = 'jobs'",
                SCHEMA,
            )
        }
        assert columns == {
            "id",
            "video_id",
            "analysis_id",
            "origin",
            "requested_by",
            "refresh",
            "created_at",
        }

        await _migrate(scratch, "downgrade", "0002")
        back = {r["id"]: dict(r) for r in await db.fetch(f"SELECT * FROM {SCHEMA}.jobs")}
        assert back[lead]["places_found"] == 2 and back[joined]["places_found"] is None
        assert back[joined]["state"] == back[cached]["state"] == "succeeded"
        assert back[joined]["updated_at"] == back[joined]["finished_at"] == done
        # Asked after the analysis ended: changed and finished when it was asked.
        assert back[cached]["updated_at"] == back[cached]["finished_at"] == T0 + timedelta(hours=1)
        assert (back[other]["state"], back[other]["error"]) == ("failed", "timed out")
        assert back[other]["timed_out_at"] == done
        assert await db.fetchval(f"SELECT count(*) FROM {SCHEMA}.job_stages") == 2
        assert await db.fetchval("SELECT to_regclass('gateway.analyses')") is None
    finally:
        await db.close()
