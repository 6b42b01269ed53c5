"""Folding the analysis events into the gateway's tables, a batch at a time,
and ending analyses the gateway gives up on: every change of an analysis'
status is written here (through :mod:`pind_gateway.projection.repository`).

Every projection is idempotent and order-tolerant: stage reports fold
through :func:`fold_stage` (never backwards), video metadata and places are
upserted by natural keys and only replaced by a later report. Stage reports,
by far the most numerous, are folded in memory per analysis and written with
a few statements per batch. Each projection returns the analyses it touched,
to wake waiting requests after commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from pind_contracts import Envelope, JobStage, Place, PlacesExtracted, UserChanged, VideoIngested
from pind_contracts.events.video_ingested import Thumbnail
from pind_gateway.domain.progress import (
    JobStatus,
    StageName,
    StageReport,
    StageSnapshot,
    condense,
    derive_job_status,
    fold_stage,
)
from pind_gateway.domain.video_url import canonical_url, parse_video_id
from pind_gateway.history import service as history
from pind_gateway.projection import repository as repo
from pind_gateway.projection import video_repository as videos

log = structlog.get_logger(__name__)


async def project_stages(
    session: AsyncSession, reports: Sequence[tuple[JobStage, Envelope]]
) -> set[uuid.UUID]:
    """Fold a batch of stage reports into their analyses; the analyses touched.

    The analyses' lead jobs are locked in id order, so two batches never wait
    on each other in a cycle. Each stage folds all of its reports in memory
    (:func:`condense` first merges those that only say how far it got), then
    every changed stage is written, and every analysis' status derived, saved
    and announced, once per batch.
    """
    job_ids = {report.job_id for report, _ in reports}
    leads, stages = await repo.lock_analyses(session, job_ids)
    for job_id in job_ids - leads.keys():
        log.warning("event for a job this gateway does not know; ignored", job_id=str(job_id))
    changed: set[tuple[uuid.UUID, StageName]] = set()
    for (analysis_id, stage), stage_report in condense(
        ((leads[report.job_id].id, report.stage), _stage_report(report, envelope))
        for report, envelope in reports
        if report.job_id in leads
    ):
        known = stages.setdefault(analysis_id, {})
        current = known.get(stage, StageSnapshot())
        folded = fold_stage(current, stage_report)
        if folded != current or stage not in known:
            known[stage] = folded
            changed.add((analysis_id, stage))

    now = datetime.now(UTC)
    touched = {lead.id: lead for lead in leads.values()}
    await repo.save_stages(session, [(a, name, stages[a][name]) for a, name in changed], now)
    # Only an analysis whose places are in can wait for its video's description.
    described = await videos.described(
        session, {lead.video_id for lead in touched.values() if lead.places_found is not None}
    )
    statuses = {
        lead.id: status
        for lead in touched.values()
        if _applies(
            lead,
            status := derive_job_status(
                stages.get(lead.id, {}), lead.places_found, described=lead.video_id in described
            ),
        )
    }
    await repo.save_statuses(session, statuses, now)
    await repo.announce(session, touched)
    log.info(
        "stage reports projected",
        reports=len(reports),
        analyses=len(touched),
        stages_changed=len(changed),
        kept_timed_out=len(touched) - len(statuses),
    )
    return set(touched)


def _applies(lead: repo.Lead, status: JobStatus) -> bool:
    """Whether ``status`` replaces the analysis' stored one: always, except
    that a timed-out analysis stays failed until its reports end it (a late
    final report completes it; its reports are stored meanwhile)."""
    return not lead.timed_out or status.final


def _stage_report(report: JobStage, envelope: Envelope) -> StageReport:
    return StageReport(
        state=report.state,
        progress=report.progress,
        occurred_at=envelope.occurred_at,
        reason=report.reason,
        error_code=report.error_code,
        retryable=report.retryable,
    )


async def project_ingested(
    session: AsyncSession, ingested: VideoIngested, envelope: Envelope
) -> uuid.UUID | None:
    meta = ingested.metadata
    await videos.ensure_video(
        session, ingested.video_id, canonical_url(parse_video_id(ingested.video_id))
    )
    thumbnail = best_thumbnail(meta.thumbnails)
    stored = await videos.save_video_metadata(
        session,
        ingested.video_id,
        {
            "title": meta.title,
            "thumbnail_url": thumbnail.url if thumbnail else None,
            "duration_s": meta.duration_s,
            "channel": meta.channel,
            "video_metadata": meta.model_dump(mode="json"),
        },
        envelope.occurred_at,
    )
    log.info("video metadata projected", video_id=ingested.video_id, stored=stored)
    leads, stages = await repo.lock_analyses(session, [ingested.job_id])
    lead = leads.get(ingested.job_id)
    if lead is None:
        return None
    if lead.places_found is not None:  # its places came first: described now, it ends
        status = derive_job_status(stages[lead.id], lead.places_found, described=True)
        if _applies(lead, status):
            await repo.save_statuses(session, {lead.id: status}, datetime.now(UTC))
    await repo.announce(session, [lead.id])
    return lead.id


E = TypeVar("E", VideoIngested, PlacesExtracted)


async def project_batch(
    session: AsyncSession,
    events: Sequence[tuple[E, Envelope]],
    project: Callable[[AsyncSession, E, Envelope], Awaitable[uuid.UUID | None]],
) -> set[uuid.UUID]:
    """Project ingest's or geo's events (about one per analysis) one by one in
    the batch's transaction, once all of its videos are created and locked by
    id, then its analyses by id: the order submissions lock in too. In event
    order instead, a batch would deadlock with them or another batch. The
    analyses touched."""
    ordered = sorted({payload.video_id for payload, _ in events})
    for video_id in ordered:
        await videos.ensure_video(session, video_id, canonical_url(parse_video_id(video_id)))
    await videos.lock_videos(session, ordered)
    await repo.lock_analyses(session, [payload.job_id for payload, _ in events])
    touched = [await project(session, payload, envelope) for payload, envelope in events]
    return {analysis_id for analysis_id in touched if analysis_id is not None}


def best_thumbnail(thumbnails: Iterable[Thumbnail]) -> Thumbnail | None:
    """The largest thumbnail with known size, else the last listed (yt-dlp
    lists them from worst to best)."""
    listed = list(thumbnails)
    sized = [t for t in listed if t.width and t.height]
    if sized:
        return max(sized, key=lambda t: (t.width or 0) * (t.height or 0))
    return listed[-1] if listed else None


async def project_places(
    session: AsyncSession, result: PlacesExtracted, envelope: Envelope
) -> uuid.UUID | None:
    video_id = result.video_id
    await videos.ensure_video(session, video_id, canonical_url(parse_video_id(video_id)))
    video = (await videos.lock_videos(session, [video_id]))[video_id]
    if video.places_at is None or envelope.occurred_at >= video.places_at:
        rows = await _video_place_rows(session, result)
        await videos.replace_video_places(session, video_id, rows)
        await videos.save_places_result(
            session,
            video_id,
            job_id=result.job_id,
            reported_at=envelope.occurred_at,
            unresolved=[u.model_dump(mode="json") for u in result.unresolved],
        )
    else:
        log.info("older places result ignored", video_id=video_id)

    leads, stages = await repo.lock_analyses(session, [result.job_id])
    lead = leads.get(result.job_id)
    if lead is None:
        log.warning(
            "event for a job this gateway does not know; ignored", job_id=str(result.job_id)
        )
        return None
    # The places are geo's result: its stage has ended, whether or not its own
    # report (on another topic, folded by another consumer) is in yet. Without
    # this a finished job could show geo still running. Geo's report, written
    # after the result, is later and still replaces this (with its summary).
    known = stages.setdefault(lead.id, {})
    current = known.get("geo", StageSnapshot())
    ended = fold_stage(current, StageReport("succeeded", 1.0, envelope.occurred_at))
    if ended != current:
        known["geo"] = ended
        await repo.save_stages(session, [(lead.id, "geo", ended)], datetime.now(UTC))
    status = derive_job_status(
        stages[lead.id], len(result.places), described=video.metadata_at is not None
    )
    if lead.timed_out and status.final:
        log.info("places of a timed-out analysis complete it", analysis_id=str(lead.id))
    if _applies(lead, status):  # final, unless ingest's report is still to come
        await repo.save_statuses(session, {lead.id: status}, datetime.now(UTC))
    await repo.save_places_found(session, lead.id, len(result.places))
    await repo.announce(session, [lead.id])
    log.info("places projected", places=len(result.places), job_state=status.state)
    return lead.id


async def _video_place_rows(session: AsyncSession, result: PlacesExtracted) -> list[dict[str, Any]]:
    """One row per real place; a place listed twice keeps its best confidence
    and the evidence of both."""
    by_place: dict[int, dict[str, Any]] = {}
    for rank, place in enumerate(result.places):
        place_id = await videos.upsert_place(session, _place_values(place))
        evidence = [e.model_dump(mode="json") for e in place.evidence]
        row = by_place.get(place_id)
        if row is None:
            by_place[place_id] = {
                "place_id": place_id,
                "rank": rank,
                "confidence": place.confidence,
                "evidence": evidence,
                "job_id": result.job_id,
            }
        else:
            row["confidence"] = max(row["confidence"], place.confidence)
            row["evidence"] += [e for e in evidence if e not in row["evidence"]]
    return list(by_place.values())


def _place_values(place: Place) -> dict[str, Any]:
    return {
        "key": place.key,
        "name": place.name,
        "name_en": place.name_en,
        "category": place.category,
        "lat": place.lat,
        "lon": place.lon,
        "address": place.address,
        "geocoder": place.geocoder,
        "updated_at": datetime.now(UTC),
    }


async def project_user(session: AsyncSession, change: UserChanged) -> None:
    if change.kind == "deleted":
        removed = await history.forget_user(session, change.user_id)
        log.info("history of deleted user removed", user_id=str(change.user_id), rows=removed)


# --- analyses the gateway ends ---------------------------------------------------


async def fail_analyses(
    session: AsyncSession,
    analysis_ids: Sequence[uuid.UUID],
    reason: Callable[[str], str],
    now: datetime,
) -> None:
    """End the analyses as failed, each with ``reason(<its last step>)``, and
    mark them timed out: their later reports are still stored per stage but
    change their status only once they end it (a late success completes it)."""
    leads, stages = await repo.lock_analyses(session, analysis_ids)
    described = await videos.described(
        session, {lead.video_id for lead in leads.values() if lead.places_found is not None}
    )
    statuses = {
        lead.id: JobStatus(
            "failed",
            100,
            reason(
                derive_job_status(
                    stages[lead.id], lead.places_found, described=lead.video_id in described
                ).current_step
            ),
            "failed",
        )
        for lead in leads.values()
    }
    await repo.save_statuses(session, statuses, now)
    await repo.mark_timed_out(session, list(statuses), now)
    await repo.announce(session, statuses)


async def end_silent_analyses(
    session: AsyncSession, now: datetime, silent_before: datetime, silence: timedelta, limit: int
) -> int:
    """End (at most ``limit``) analyses in flight not updated since
    ``silent_before`` (the sweeper's cutoff; ``silence`` is the timeout, for
    the reason); how many were ended."""
    silent = await repo.silent_analyses(session, silent_before, limit)
    await fail_analyses(
        session, [lead.id for lead in silent], lambda step: timeout_reason(silence, step), now
    )
    for lead in silent:
        log.warning("silent analysis timed out", analysis_id=str(lead.id), video_id=lead.video_id)
    return len(silent)


def timeout_reason(timeout: timedelta, last_step: str) -> str:
    seconds = int(timeout.total_seconds())
    span = f"{seconds // 60} minute(s)" if seconds >= 120 else f"{seconds} second(s)"
    return (
        f"the analysis timed out: no progress for {span} (last step: {last_step}); "
        "submit the link again to retry"
    )


async def end_unstarted_analyses(
    session: AsyncSession, video_ids: Sequence[str], reason: str
) -> list[uuid.UUID]:
    """End as failed (with ``reason``) the analyses of ``video_ids`` in flight
    that no stage ever reported on: what a gateway submitted to topics no
    worker reads (``make fuzz``'s) would otherwise be joined by the next
    request for the video until it went stale. An analysis any stage has
    reported on is left alone. Returns the ids ended."""
    flying = await repo.in_flight(session, video_ids)
    stages = await repo.stages_of(session, [lead.id for lead in flying])
    unstarted = [
        lead
        for lead in flying
        if not any(s.reported_at is not None for s in stages[lead.id].values())
    ]
    await fail_analyses(
        session, [lead.id for lead in unstarted], lambda _: reason, datetime.now(UTC)
    )
    for lead in unstarted:
        log.warning("unstarted analysis ended", analysis_id=str(lead.id), video_id=lead.video_id)
    return [lead.id for lead in unstarted]
