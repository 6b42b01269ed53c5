"""The baseline: the first pind's architecture, a Celery chain on Redis
(ingest → transcript → vision → geo) whose tasks run the same domain code as
the services (pind_ingest's, pind_transcript's, pind_vision's services and
pind_geo's place extractor, built from the same settings), against the same
fakes, each job's row kept in PostgreSQL (``celery_load.jobs``: queued, then
succeeded or failed with ``finished_at``). One event loop per worker process
runs the async domain code.

Started by :mod:`benchmarks.load.celery_run` as
``celery -A benchmarks.load.celery_app worker`` with ``PIND_LOAD_REDIS_URL``
and ``PIND_LOAD_CELERY_DATABASE_URL`` set."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery import Celery, chain
from celery.signals import worker_init, worker_process_init
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from pind_contracts import TranscriptReady, VideoIngested, VideoRequested, VisionReady

REDIS_URL = os.environ.get("PIND_LOAD_REDIS_URL", "redis://127.0.0.1:6379/0")

app = Celery("pind_load_baseline", broker=REDIS_URL)
app.conf.update(
    task_ignore_result=True,
    task_serializer="json",
    accept_content=["json"],
    worker_prefetch_multiplier=4,
    task_acks_late=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@dataclass
class Domain:
    """The services' domain objects, built once in the worker's parent process
    (the gazetteer and venue index load in ~20 s) and shared by its forks."""

    ingest: Any
    transcript: Any
    vision: Any
    extractor: Any


@dataclass
class Workers:
    loop: asyncio.AbstractEventLoop
    engine: AsyncEngine
    domain: Domain


_domain: Domain | None = None
_workers: Workers | None = None


def _build_domain() -> Domain:
    from pind_geo.app import build_from_settings
    from pind_geo.settings import GeoSettings
    from pind_ingest.adapters.youtube import YoutubeMetadataReader
    from pind_ingest.service import IngestService
    from pind_ingest.settings import IngestSettings
    from pind_transcript.app import default_steps
    from pind_transcript.service import TranscriptService
    from pind_transcript.settings import TranscriptSettings
    from pind_vision.app import build_service
    from pind_vision.settings import VisionSettings

    ingest = IngestSettings()
    transcript = TranscriptSettings()
    return Domain(
        ingest=IngestService(YoutubeMetadataReader(ingest), max_duration_s=ingest.max_duration_s),
        transcript=TranscriptService(
            steps=default_steps(transcript), languages=transcript.transcript_languages
        ),
        vision=build_service(VisionSettings()),
        extractor=build_from_settings(GeoSettings()),
    )


@worker_init.connect  # type: ignore[untyped-decorator]  # Celery is untyped
def _before_fork(**_: object) -> None:
    """Build the domain objects before the pool forks (copy-on-write sharing)."""
    global _domain
    _domain = _build_domain()


@worker_process_init.connect  # type: ignore[untyped-decorator]  # Celery is untyped
def _build(**_: object) -> None:
    """Each pool process gets its own event loop and database engine; if it
    cannot, the whole worker stops (the load run sees it exit)."""
    global _workers
    try:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        engine = create_async_engine(os.environ["PIND_LOAD_CELERY_DATABASE_URL"], pool_size=2)
        _workers = Workers(loop, engine, _domain or _build_domain())
    except BaseException:
        logging.getLogger(__name__).exception("the baseline's worker cannot start")
        os.kill(os.getppid(), signal.SIGTERM)
        raise


def _run(coro: Any) -> Any:
    assert _workers is not None, "the worker process was not initialised"
    return _workers.loop.run_until_complete(coro)


async def _finish(job_id: str, state: str, places: int | None) -> None:
    assert _workers is not None
    async with _workers.engine.begin() as db:
        await db.execute(
            text(
                "UPDATE celery_load.jobs SET state = :state, places = :places, "
                "finished_at = now() WHERE id = :id"
            ),
            {"state": state, "places": places, "id": job_id},
        )


@app.task(name="load.ingest")  # type: ignore[untyped-decorator]  # Celery is untyped
def ingest(job_id: str, video_id: str) -> dict[str, Any]:
    assert _workers is not None
    request = VideoRequested(
        job_id=uuid.UUID(job_id),
        video_id=video_id,
        url=f"https://www.youtube.com/watch?v={video_id}",
        requested_at=datetime.now(UTC),
    )
    try:
        ingested = _run(_workers.domain.ingest.ingest(request))
    except Exception:
        _run(_finish(job_id, "failed", None))
        raise
    return {"ingested": ingested.model_dump(mode="json")}


@app.task(name="load.transcript")  # type: ignore[untyped-decorator]  # Celery is untyped
def transcript(state: dict[str, Any]) -> dict[str, Any]:
    assert _workers is not None
    video = VideoIngested.model_validate(state["ingested"])
    found = _run(_workers.domain.transcript.transcribe(video))
    if found is not None:
        ready = TranscriptReady(
            job_id=video.job_id,
            video_id=video.video_id,
            language=found.language,
            source=found.source,
            segments=list(found.segments),
        )
        state["transcript"] = ready.model_dump(mode="json")
    return state


async def _no_progress(_: float) -> None:
    return None


@app.task(name="load.vision")  # type: ignore[untyped-decorator]  # Celery is untyped
def vision(state: dict[str, Any]) -> dict[str, Any]:
    from pind_vision.domain.failures import VisionNotPossible

    assert _workers is not None
    video = VideoIngested.model_validate(state["ingested"])
    try:
        ready = _run(_workers.domain.vision.read(video, _no_progress))
    except VisionNotPossible as exc:
        if exc.state == "failed":
            raise
        return state  # skipped, as pind's vision reports NO_VIDEO
    state["vision"] = ready.model_dump(mode="json")
    return state


@app.task(name="load.geo")  # type: ignore[untyped-decorator]  # Celery is untyped
def geo(state: dict[str, Any]) -> None:
    from pind_geo.domain.documents import metadata_units, transcript_units, vision_units

    assert _workers is not None
    video = VideoIngested.model_validate(state["ingested"])
    units = metadata_units(video.metadata)
    if "transcript" in state:
        units += transcript_units(TranscriptReady.model_validate(state["transcript"]))
    if "vision" in state:
        units += vision_units(VisionReady.model_validate(state["vision"]))
    extraction = _run(_workers.domain.extractor.extract(units))
    _run(_finish(str(video.job_id), "succeeded", len(extraction.places)))


def submit(job_id: str, video_id: str) -> None:
    """Queue one job's chain (the caller has inserted its row)."""
    chain(ingest.s(job_id, video_id), transcript.s(), vision.s(), geo.s()).apply_async()
