"""Gathering the inputs of each analysis, and extracting its places exactly once.

Every step runs inside the caller's transaction (a handler's unit of work or
the sweeper's own), on the analysis row locked FOR UPDATE: whoever holds the
lock and still sees ``gathering`` extracts, publishes through the outbox and
moves the state on — one commit, so redelivery or a racing sweeper changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_contracts import JOB_STAGE, PLACES_EXTRACTED, Contract, Envelope, JobStage, Topic
from pind_contracts.events.job_stage import StageState
from pind_contracts.events.places_extracted import PlacesExtracted
from pind_contracts.events.transcript_ready import TranscriptReady
from pind_contracts.events.video_ingested import VideoIngested
from pind_contracts.events.vision_ready import VisionReady
from pind_geo import repository
from pind_geo.domain.documents import metadata_units, transcript_units, vision_units
from pind_geo.domain.model import INPUT_KINDS, InputKind, TextUnit
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.repository import Analysis, GatheredInput
from pind_kit.outbox import enqueue

log = structlog.get_logger(__name__)

STAGE = "geo"
# Share of the geo stage's progress bar that gathering takes (extraction: the rest).
_GATHERING_SHARE = 0.5


class Emitter(Protocol):
    """Publishes an event through the outbox in the current transaction
    (a kit ``UnitOfWork`` is one)."""

    async def emit(self, topic: Topic, payload: Contract) -> None: ...


@dataclass(frozen=True, slots=True)
class Arrival:
    """An input of an analysis, or the news that it will not come."""

    job_id: UUID
    video_id: str
    kind: InputKind
    status: str  # received | failed | skipped
    event_id: UUID
    payload: dict[str, Any] | None = None
    reason: str | None = None
    correlation_id: str | None = None
    traceparent: str | None = None


class GeoService:
    def __init__(
        self,
        extractor: PlaceExtractor,
        *,
        producer: str,
        expected: tuple[InputKind, ...] = INPUT_KINDS,
        deadline_s: float = 600.0,
    ) -> None:
        self._extractor = extractor
        self._producer = producer
        self._expected = expected
        self._deadline_s = deadline_s

    async def gather(self, session: AsyncSession, emitter: Emitter, arrival: Arrival) -> None:
        """Record ``arrival``; extract when every expected input is settled."""
        analysis, is_new = await repository.open_analysis(
            session,
            job_id=arrival.job_id,
            video_id=arrival.video_id,
            expected=self._expected,
            deadline_s=self._deadline_s,
            correlation_id=arrival.correlation_id,
            traceparent=arrival.traceparent,
        )
        if is_new:
            await emitter.emit(JOB_STAGE, _stage(analysis, "started", progress=0.0))
        if analysis.state != repository.GATHERING:
            log.info(
                "input after the analysis ended; ignored", kind=arrival.kind, state=analysis.state
            )
            return
        changed = await repository.record_input(
            session,
            job_id=arrival.job_id,
            kind=arrival.kind,
            status=arrival.status,
            event_id=arrival.event_id,
            payload=arrival.payload,
            reason=arrival.reason,
        )
        inputs = await repository.inputs_of(session, arrival.job_id)
        settled = {i.kind for i in inputs} & set(analysis.expected)
        if settled == set(analysis.expected):
            complete = all(i.status == repository.RECEIVED for i in inputs)
            await self.extract(
                session,
                emitter,
                analysis,
                inputs,
                trigger="complete" if complete else "stage_ended",
            )
        elif changed:
            share = len(settled) / len(analysis.expected)
            await emitter.emit(
                JOB_STAGE, _stage(analysis, "progress", progress=_GATHERING_SHARE * share)
            )

    async def extract(
        self,
        session: AsyncSession,
        emitter: Emitter,
        analysis: Analysis,
        inputs: Sequence[GatheredInput],
        *,
        trigger: str,
    ) -> PlacesExtracted:
        """Extract the places of a locked, still-gathering analysis, publish
        them and end it."""
        units, used = units_of(inputs)
        extraction = await self._extractor.extract(units)
        result = PlacesExtracted(
            job_id=analysis.job_id,
            video_id=analysis.video_id,
            places=extraction.places,
            unresolved=extraction.unresolved,
            inputs_used=used,
            extractor=extraction.extractor,
        )
        await emitter.emit(PLACES_EXTRACTED, result)
        await emitter.emit(
            JOB_STAGE, _stage(analysis, "succeeded", reason=_summary(result, inputs))
        )
        await repository.finish(
            session, analysis.job_id, state=repository.EXTRACTED, trigger=trigger
        )
        log.info(
            "places extracted",
            job_id=str(analysis.job_id),
            trigger=trigger,
            places=len(result.places),
            unresolved=len(result.unresolved),
            candidates=len(extraction.resolutions),
            inputs=used,
        )
        return result

    async def sweep_once(self, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
        """Extract one analysis whose deadline passed; False when none is due."""
        job_id: UUID | None = None
        try:
            async with sessionmaker() as session, session.begin():
                analysis = await repository.lock_next_due(session)
                if analysis is None:
                    return False
                job_id = analysis.job_id
                inputs = await repository.inputs_of(session, job_id)
                await self.extract(
                    session, self._outbox(session, analysis), analysis, inputs, trigger="deadline"
                )
            return True
        except Exception as exc:
            if job_id is None:
                raise
            log.exception("extraction after deadline failed", job_id=str(job_id))
            await self._fail(sessionmaker, job_id, f"place extraction failed: {exc}")
            return True

    async def _fail(
        self, sessionmaker: async_sessionmaker[AsyncSession], job_id: UUID, reason: str
    ) -> None:
        async with sessionmaker() as session, session.begin():
            analysis = await repository.lock_analysis(session, job_id)
            if analysis is None or analysis.state != repository.GATHERING:
                return
            await self._outbox(session, analysis).emit(
                JOB_STAGE, _stage(analysis, "failed", reason=reason[:500], error_code="internal")
            )
            await repository.finish(session, job_id, state=repository.FAILED, trigger="error")

    def _outbox(self, session: AsyncSession, analysis: Analysis) -> Emitter:
        return _OutboxEmitter(session, analysis, self._producer)


def units_of(inputs: Sequence[GatheredInput]) -> tuple[list[TextUnit], list[InputKind]]:
    """The text units of the received inputs, and which inputs those were."""
    units: list[TextUnit] = []
    used: list[InputKind] = []
    for item in sorted(inputs, key=lambda i: INPUT_KINDS.index(i.kind)):
        if item.status != repository.RECEIVED or item.payload is None:
            continue
        used.append(item.kind)
        if item.kind == "metadata":
            units += metadata_units(VideoIngested.model_validate(item.payload).metadata)
        elif item.kind == "transcript":
            units += transcript_units(TranscriptReady.model_validate(item.payload))
        else:
            units += vision_units(VisionReady.model_validate(item.payload))
    return units, used


def _summary(result: PlacesExtracted, inputs: Sequence[GatheredInput]) -> str:
    missing = [
        f"{i.kind} {i.status}" + (f": {i.reason}" if i.reason else "")
        for i in inputs
        if i.status != repository.RECEIVED
    ]
    text = (
        f"{len(result.places)} place(s) found, {len(result.unresolved)} name(s) not on the map, "
        f"from {' + '.join(result.inputs_used) or 'no inputs'}"
    )
    return text + (f" ({'; '.join(missing)})" if missing else "")


def _stage(
    analysis: Analysis,
    state: StageState,
    *,
    progress: float | None = None,
    reason: str | None = None,
    error_code: str | None = None,
) -> JobStage:
    return JobStage(
        job_id=analysis.job_id,
        video_id=analysis.video_id,
        stage=STAGE,
        state=state,
        progress=1.0 if progress is None else progress,
        reason=reason,
        error_code=error_code,
    )


class _OutboxEmitter:
    """Emits for the sweeper, which has no incoming event: the envelope
    carries the job, correlation and trace the analysis recorded."""

    def __init__(self, session: AsyncSession, analysis: Analysis, producer: str) -> None:
        self._session = session
        self._analysis = analysis
        self._producer = producer

    async def emit(self, topic: Topic, payload: Contract) -> None:
        envelope = Envelope(
            type=topic.event_type,
            producer=self._producer,
            subject=self._analysis.video_id,
            job_id=self._analysis.job_id,
            correlation_id=self._analysis.correlation_id,
            traceparent=self._analysis.traceparent,
        )
        await enqueue(self._session, topic, payload, envelope)
