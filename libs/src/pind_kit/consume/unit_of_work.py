"""A unit of work: one transaction that holds a piece of work's writes, the
events it emits (through the outbox) and the processed mark of the incoming
event it handles. Handlers get one per event (:meth:`UnitOfWork.for_event`)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pind_contracts import JOB_STAGE, Contract, Envelope, JobStage, Topic
from pind_contracts.events.job_stage import StageState
from pind_contracts.types import Stage
from pind_kit.consume.incoming import Incoming
from pind_kit.consume.processed import mark_processed, unmark_processed
from pind_kit.db import single_statements
from pind_kit.errors import AlreadyProcessed
from pind_kit.faults import Outage, is_infrastructure_error
from pind_kit.outbox import enqueue


@dataclass(frozen=True, slots=True)
class ProcessedMark:
    """The incoming event whose processed mark commits with the work."""

    consumer: str
    event_id: UUID
    topic: str
    replayed: bool = False
    """A replay from the DLT: the mark the consumer left when it gave up is
    replaced, so the event is handled again."""


@dataclass
class UnitOfWork:
    """What a piece of work may do with the world: report its job's stage at
    once, and commit its writes and emitted events together (with the
    processed mark of the event it handles, if it handles one)."""

    sessionmaker: async_sessionmaker[AsyncSession]
    producer: str
    """The service: the CloudEvents source of what it emits."""
    video_id: str
    job_id: UUID | None = None
    cause: Envelope | None = None
    """The event this work answers: what it emits is caused by it (same job,
    correlation and trace; causation points at it)."""
    stage_name: Stage | None = None
    processed: ProcessedMark | None = None
    _buffer: list[tuple[Topic, Contract, str | None]] = field(default_factory=list)
    _session: AsyncSession | None = None
    _flushed: list[tuple[Topic, Contract, str | None]] | None = None
    _marked: bool = False

    @classmethod
    def for_event(
        cls,
        sessionmaker: async_sessionmaker[AsyncSession],
        producer: str,
        incoming: Incoming[Any],
        *,
        consumer: str,
        stage: Stage | None = None,
    ) -> UnitOfWork:
        """The unit of work of ``consumer`` handling ``incoming``."""
        job_id = getattr(incoming.payload, "job_id", None)
        video_id = getattr(incoming.payload, "video_id", None)
        return cls(
            sessionmaker,
            producer,
            video_id if isinstance(video_id, str) else incoming.envelope.subject,
            job_id if isinstance(job_id, UUID) else incoming.envelope.job_id,
            cause=incoming.envelope,
            stage_name=stage,
            processed=ProcessedMark(
                consumer,
                incoming.event_id,
                incoming.topic.name,
                replayed=incoming.replay_for == consumer,
            ),
        )

    @property
    def pending(self) -> bool:
        """Emitted events or the processed mark still wait for a transaction."""
        return bool(self._buffer) or (self.processed is not None and not self._marked)

    def envelope_for(self, topic: Topic, key: str | None = None) -> Envelope:
        """The envelope of an event this work emits on ``topic``."""
        subject = key or self.video_id
        if self.cause is None:
            return Envelope(
                type=topic.event_type, producer=self.producer, subject=subject, job_id=self.job_id
            )
        envelope = self.cause.caused(type=topic.event_type, producer=self.producer, subject=subject)
        return envelope if envelope.job_id else replace(envelope, job_id=self.job_id)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction holding the processed mark, the caller's writes and
        every event emitted so far or inside it. Raises :class:`AlreadyProcessed`
        when another delivery of this event already committed.

        When the transaction fails (e.g. the database went away at commit), the
        mark and the events it took are pending again, so :meth:`finish` can
        simply try again."""
        flushed: list[tuple[Topic, Contract, str | None]] = []
        marked_here = False
        try:
            async with self.sessionmaker() as session, session.begin():
                if self.processed is not None and not self._marked:
                    mark = self.processed
                    if mark.replayed:
                        await unmark_processed(session, mark.consumer, mark.event_id)
                    if not await mark_processed(session, mark.consumer, mark.event_id, mark.topic):
                        raise AlreadyProcessed(str(mark.event_id))
                    self._marked = marked_here = True
                self._session, self._flushed = session, flushed
                try:
                    await self._flush(session, flushed)
                    yield session
                    await self._flush(session, flushed)
                finally:
                    self._session = self._flushed = None
        except BaseException:
            self._buffer[:0] = flushed
            if marked_here:
                self._marked = False
            raise

    async def finish(self) -> None:
        """Commit what is still pending (see :attr:`pending`), waiting out a
        database outage: the work itself is done and need not be redone."""
        outage: Outage | None = None
        while self.pending:
            try:
                async with self.transaction():
                    pass
            except Exception as exc:
                if not is_infrastructure_error(exc):
                    raise
                outage = outage or Outage(f"commit:{self.producer}")
                await outage.wait(exc, video_id=self.video_id)
        if outage is not None:
            outage.recovered(video_id=self.video_id)

    async def emit(self, topic: Topic, payload: Contract, *, key: str | None = None) -> None:
        """Publish ``payload`` through the outbox, atomically with the open
        transaction (or with the next one, at the latest when the work ends)."""
        self._buffer.append((topic, payload, key))
        if self._session is not None:
            await self._flush(self._session, self._flushed)

    async def _flush(
        self,
        session: AsyncSession,
        flushed: list[tuple[Topic, Contract, str | None]] | None = None,
    ) -> None:
        while self._buffer:
            item = self._buffer.pop(0)
            if flushed is not None:
                flushed.append(item)
            topic, payload, key = item
            await enqueue(session, topic, payload, self.envelope_for(topic, key), key=key)

    def stage_event(
        self,
        state: StageState,
        *,
        progress: float | None = None,
        reason: str | None = None,
        retryable: bool = False,
        error_code: str | None = None,
    ) -> JobStage:
        if self.stage_name is None or self.job_id is None:
            raise RuntimeError("stage events need a stage and a job id")
        if progress is None:
            progress = 1.0 if state in ("succeeded", "failed", "skipped") else 0.0
        return JobStage(
            job_id=self.job_id,
            video_id=self.video_id,
            stage=self.stage_name,
            state=state,
            progress=progress,
            reason=reason,
            retryable=retryable,
            error_code=error_code,
        )

    async def emit_stage(self, state: StageState, **kwargs: Any) -> None:
        """A JobStage event committed with the work's outcome."""
        await self.emit(JOB_STAGE, self.stage_event(state, **kwargs))

    async def stage(self, state: StageState, **kwargs: Any) -> None:
        """A JobStage event published now (one statement, a transaction of its
        own), for ``started`` and ``progress`` that people watch live."""
        event = self.stage_event(state, **kwargs)
        async with single_statements(self.sessionmaker) as session:
            await enqueue(session, JOB_STAGE, event, self.envelope_for(JOB_STAGE))
