"""Replay of every topic from offset 0 into a fresh gateway schema gives the
same tables (see :mod:`tests.chaos.replay` for what is copied and what is
replayed): the projection is a function of the events, whatever the order
and batching in which the live gateway met them."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx

from pind_kit.testing import run_env
from tests.chaos.replay import (
    copy_requests,
    fresh_schema,
    placed_videos,
    projected_tables,
    replaying,
    requested_analyses,
)
from tests.chaos.test_scenarios import (
    _bootstrap,
    assert_succeeded_without_duplicates,
    finished,
    submit,
)
from tests.e2e.stack import Stack

FINAL = ("succeeded", "partial", "failed")


async def _all_final(connection: asyncpg.Connection, analyses: list[uuid.UUID]) -> list[uuid.UUID]:
    """Once every analysis of the namespace is final in the live schema, its ids."""
    async with asyncio.timeout(300):
        while True:
            rows = await connection.fetch(
                "SELECT id, state FROM gateway.analyses WHERE id = ANY($1)", analyses
            )
            if rows and all(r["state"] in FINAL for r in rows):
                return [uuid.UUID(str(r["id"])) for r in rows]
            await asyncio.sleep(1)


async def _latest_of_each_video(
    connection: asyncpg.Connection, analyses: list[uuid.UUID]
) -> list[uuid.UUID]:
    """The newest of ``analyses`` for each video. Earlier scenarios may have
    analysed a video more than once, one after the other; seeded all at once
    they would be in flight together, which the schema refuses (one analysis
    in flight per video). Events of the older ones replay as events of
    analyses this gateway does not know: their places still reach the video
    first, and the newest's replace them, as live."""
    rows = await connection.fetch(
        "SELECT DISTINCT ON (video_id) id FROM gateway.analyses WHERE id = ANY($1)"
        " ORDER BY video_id, created_at DESC",
        analyses,
    )
    return [uuid.UUID(str(r["id"])) for r in rows]


async def test_replaying_every_topic_into_a_fresh_schema_gives_the_same_tables(
    stack: Stack,
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        urls = [await submit(client, stack, v) for v in ("pindSeoul01", "pindBusan03")]
        assert_succeeded_without_duplicates(await finished(client, stack, urls), stack)

    requested = await requested_analyses(_bootstrap(), stack.topic_prefix)
    url = run_env()["PIND_GATEWAY_DATABASE_URL"].replace("+asyncpg", "")
    connection = await asyncpg.connect(url)
    try:
        analyses = await _latest_of_each_video(
            connection, await _all_final(connection, list(requested))
        )
        assert len(analyses) >= 2, requested
        videos = await placed_videos(connection, analyses)
        live = await projected_tables(connection, "gateway", analyses, videos)
        async with fresh_schema() as schema:
            await copy_requests(connection, schema, analyses)
            async with replaying(schema, stack.topic_prefix):
                replayed = await projected_tables(connection, schema, analyses, videos)
    finally:
        await connection.close()

    assert live["videos"] and live["video_places"], live  # something was compared
    for table, rows in live.items():
        assert replayed[table] == rows, (
            f"{table} differs after the replay\nlive:     {rows}\nreplayed: {replayed[table]}"
        )
