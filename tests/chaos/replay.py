"""Replaying a namespace's topics from offset 0 into a fresh gateway schema.

The gateway's tables are of two kinds. Jobs (and the analyses they start,
with their stages pending, and the video rows they name) are *requests*: the
HTTP submission writes them, no topic the projection reads carries them. All
else is *projected* from the events (``pind_gateway.projection``): analyses'
states, their stages, videos' descriptions, places and video places. So the
fresh schema gets the requests as submitted, copied from the live schema for
the analyses this namespace requested (the ids on its ``video.requested``
topic), and then a projection in a new consumer group reads every topic it
folds from the beginning; the projected rows must then equal the live ones.

The fresh schema is a structural copy of the live one (``CREATE TABLE ...
(LIKE gateway.t INCLUDING ALL)``): the gateway's migrations name their schema,
``gateway``, so they cannot build a second one beside it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    USER,
    VIDEO_INGESTED,
    VIDEO_REQUESTED,
    Envelope,
    EnvelopeError,
)
from pind_gateway.core.watch import AnalysisWatch
from pind_gateway.domain.progress import STAGES
from pind_gateway.projection.subscribers import register_projection
from pind_gateway.settings import GatewaySettings
from pind_kit.consume import Worker
from pind_kit.consume.subscription import kafka_group_id
from pind_kit.db import make_engine
from pind_kit.offsets import BrokerOffsets
from pind_kit.testing import run_env
from pind_kit.testing.kafka import running

PROJECTED = (JOB_STAGE, VIDEO_INGESTED, PLACES_EXTRACTED, USER)
LIVE = "gateway"


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def requested_analyses(bootstrap: str, prefix: str) -> set[uuid.UUID]:
    """The analysis ids on the namespace's ``video.requested`` topic, read
    from offset 0 to its end (records that do not decode are left out)."""
    topic = prefix + VIDEO_REQUESTED.name
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    found: set[uuid.UUID] = set()
    try:
        partitions = [TopicPartition(topic, p) for p in range(VIDEO_REQUESTED.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        async with asyncio.timeout(60):
            while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
                batches = await consumer.getmany(timeout_ms=500)
                for record in (r for records in batches.values() for r in records):
                    try:
                        envelope = Envelope.from_headers(record.headers)
                    except EnvelopeError:  # not a request someone made
                        continue
                    if envelope.job_id is not None:
                        found.add(envelope.job_id)
    finally:
        await consumer.stop()
    return found


@asynccontextmanager
async def fresh_schema() -> AsyncIterator[str]:
    """A new schema owned by the gateway's role, holding empty copies of the
    gateway's tables; dropped afterwards."""
    env = run_env()
    schema = f"replay_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(_plain(env["PIND_ADMIN_DATABASE_URL"]))
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}" AUTHORIZATION pind_gateway')
        gateway = await asyncpg.connect(_plain(env["PIND_GATEWAY_DATABASE_URL"]))
        try:
            tables = await gateway.fetch(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
                LIVE,
            )
            for row in tables:
                name = row["table_name"]
                await gateway.execute(
                    f'CREATE TABLE "{schema}"."{name}" (LIKE {LIVE}."{name}" INCLUDING ALL)'
                )
        finally:
            await gateway.close()
        yield schema
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


async def copy_requests(
    connection: asyncpg.Connection, schema: str, analyses: Sequence[uuid.UUID]
) -> None:
    """What the submissions of ``analyses`` wrote, as they wrote it
    (``pind_gateway.videos.repository.add_jobs``): the video named, the
    analysis queued with every stage pending, its jobs."""
    ids = list(analyses)
    await connection.execute(
        f"""INSERT INTO "{schema}".videos (video_id, url)
            SELECT DISTINCT v.video_id, v.url FROM {LIVE}.videos v
            JOIN {LIVE}.analyses a ON a.video_id = v.video_id WHERE a.id = ANY($1)
            ON CONFLICT DO NOTHING""",
        ids,
    )
    await connection.execute(
        f"""INSERT INTO "{schema}".analyses
              (id, video_id, state, progress, current_step, created_at, updated_at)
            SELECT id, video_id, 'queued', 0, 'queued', created_at, created_at
            FROM {LIVE}.analyses WHERE id = ANY($1)""",
        ids,
    )
    await connection.execute(
        f"""INSERT INTO "{schema}".analysis_stages (analysis_id, stage, state, updated_at)
            SELECT a.id, s.stage, 'pending', a.created_at
            FROM "{schema}".analyses a CROSS JOIN unnest($1::text[]) AS s(stage)""",
        list(STAGES),
    )
    await connection.execute(
        f"""INSERT INTO "{schema}".jobs
              (id, video_id, analysis_id, origin, requested_by, refresh, created_at)
            SELECT id, video_id, analysis_id, origin, requested_by, refresh, created_at
            FROM {LIVE}.jobs WHERE analysis_id = ANY($1)""",
        ids,
    )


@asynccontextmanager
async def replaying(schema: str, prefix: str, within_s: float = 180) -> AsyncIterator[str]:
    """A gateway projection on ``schema`` in a new consumer group, from
    offset 0 of every topic it folds; yields once it has caught up with the
    topics' ends as they were when it started."""
    env = run_env()
    group = f"replay-{uuid.uuid4().hex[:8]}"
    settings = GatewaySettings(
        database_url=env["PIND_GATEWAY_DATABASE_URL"],
        db_schema=schema,
        kafka_bootstrap=env.get("PIND_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        kafka_topic_prefix=prefix,
        consumer_group=group,
    )
    # The gateway's tables name their schema (pind_kit.db.service_metadata);
    # the kit's own ones follow the search_path, which the settings set.
    engine = make_engine(settings).execution_options(schema_translate_map={LIVE: schema})
    worker = Worker(settings, engine=engine)
    register_projection(worker, AnalysisWatch(), group)
    offsets = BrokerOffsets(settings.kafka_bootstrap)
    try:
        async with running(worker):
            async with asyncio.timeout(within_s):
                while True:
                    lags = [
                        await offsets.lag(kafka_group_id(group, t, prefix), prefix + t.name)
                        for t in PROJECTED
                    ]
                    if not any(lags):
                        break
                    await asyncio.sleep(0.5)
            yield group
    finally:
        await offsets.close()


# What must be equal: every projected column but the clock's (when a row was
# written); the times that come from the events (reported_at, metadata_at,
# places_at) must be equal too.
ANALYSES = (
    "SELECT id, video_id, state, progress, current_step, error, places_found FROM {s}.analyses"
)
STAGES_SQL = (
    "SELECT analysis_id, stage, state, progress, reason, error_code, retryable, reported_at"
    " FROM {s}.analysis_stages"
)
JOBS = "SELECT id, video_id, analysis_id, origin, requested_by, refresh FROM {s}.jobs"
VIDEOS = (
    "SELECT video_id, url, title, thumbnail_url, duration_s, channel, metadata, metadata_at,"
    " unresolved, places_job_id, places_at FROM {s}.videos"
)
VIDEO_PLACES = (
    "SELECT vp.video_id, vp.job_id, vp.rank, vp.confidence, vp.evidence, p.key, p.name,"
    " p.name_en, p.category, p.lat, p.lon, p.address, p.geocoder"
    " FROM {s}.video_places vp JOIN {s}.places p ON p.id = vp.place_id"
)


async def placed_videos(connection: asyncpg.Connection, analyses: Sequence[uuid.UUID]) -> list[str]:
    """The videos whose live places are those of one of ``analyses`` (another
    namespace's later analysis of the same video may have replaced them)."""
    rows = await connection.fetch(
        f"SELECT video_id FROM {LIVE}.videos WHERE places_job_id = ANY($1)", list(analyses)
    )
    return sorted(r["video_id"] for r in rows)


async def projected_tables(
    connection: asyncpg.Connection,
    schema: str,
    analyses: Sequence[uuid.UUID],
    videos: Sequence[str],
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of ``analyses`` and of ``videos`` with their places, sorted,
    table by table."""
    s = f'"{schema}"'

    async def rows(sql: str, where: str, values: Sequence[Any]) -> list[tuple[Any, ...]]:
        found = await connection.fetch(sql.format(s=s) + " WHERE " + where, list(values))
        return sorted((tuple(r) for r in found), key=repr)

    return {
        "analyses": await rows(ANALYSES, "id = ANY($1)", analyses),
        "analysis_stages": await rows(STAGES_SQL, "analysis_id = ANY($1)", analyses),
        "jobs": await rows(JOBS, "analysis_id = ANY($1)", analyses),
        "videos": await rows(VIDEOS, "video_id = ANY($1)", videos),
        "video_places": await rows(VIDEO_PLACES, "vp.video_id = ANY($1)", videos),
    }
