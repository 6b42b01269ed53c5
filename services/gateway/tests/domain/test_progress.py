"""Stage reports fold the same whatever order they arrive in; jobs end correctly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pind_gateway.domain.progress import (
    STAGES,
    StageName,
    StageReport,
    StageSnapshot,
    derive_job_status,
    fold_stage,
)

T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def report(
    state: str, progress: float = 0.0, t: float = 0, reason: str | None = None
) -> StageReport:
    return StageReport(state=state, progress=progress, occurred_at=at(t), reason=reason)  # type: ignore[arg-type]


def fold_all(reports: list[StageReport]) -> StageSnapshot:
    return reduce(fold_stage, reports, StageSnapshot())


def test_progress_after_succeeded_does_not_move_it_back() -> None:
    done = fold_all([report("started", t=1), report("succeeded", 1.0, t=3)])
    late = fold_stage(done, report("progress", 0.4, t=2))
    assert late == done
    assert late.status == "succeeded"
    assert late.progress == 1.0


def test_progress_only_grows() -> None:
    stage = fold_all([report("progress", 0.6, t=2), report("progress", 0.3, t=1)])
    assert stage.status == "running"
    assert stage.progress == 0.6


def test_failed_keeps_its_reason() -> None:
    stage = fold_all([report("started", t=1), report("failed", t=2, reason="video is private")])
    assert stage.status == "failed"
    assert stage.reason == "video is private"


def test_a_later_success_overrides_an_earlier_failure_in_any_order() -> None:
    failed, succeeded = report("failed", t=1, reason="timeout"), report("succeeded", 1.0, t=5)
    assert fold_all([failed, succeeded]).status == "succeeded"
    assert fold_all([succeeded, failed]).status == "succeeded"
    assert fold_all([succeeded, failed]) == fold_all([failed, succeeded])


def test_a_duplicate_changes_nothing() -> None:
    once = fold_all([report("started", t=1), report("progress", 0.5, t=2)])
    assert fold_stage(once, report("progress", 0.5, t=2)) is once


reports = st.builds(
    StageReport,
    state=st.sampled_from(["started", "progress", "succeeded", "failed", "skipped"]),
    progress=st.floats(0, 1),
    occurred_at=st.integers(0, 20).map(at),
    reason=st.sampled_from([None, "boom", "private"]),
)


@given(st.lists(reports, min_size=1, max_size=8), st.randoms())
def test_folding_is_independent_of_arrival_order(events: list[StageReport], rnd: object) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert fold_all(events) == fold_all(shuffled)


@given(st.lists(reports, min_size=1, max_size=8))
def test_folding_is_idempotent(events: list[StageReport]) -> None:
    assert fold_all(events + events) == fold_all(events)


@given(st.lists(reports, min_size=1, max_size=8))
def test_an_ended_stage_never_runs_again(events: list[StageReport]) -> None:
    stage = StageSnapshot()
    for event in events:
        before = stage
        stage = fold_stage(stage, event)
        if before.terminal:
            assert stage.terminal


def stages(**states: str) -> dict[StageName, StageSnapshot]:
    return {
        name: StageSnapshot(
            status=states.get(name, "pending"),  # type: ignore[arg-type]
            progress=1.0 if states.get(name) == "succeeded" else 0.0,
            reason=f"{name} broke" if states.get(name) == "failed" else None,
        )
        for name in STAGES
    }


def test_nothing_reported_is_queued() -> None:
    status = derive_job_status(stages(), None, described=False)
    assert (status.state, status.progress, status.final) == ("queued", 0, False)


def test_running_progress_is_weighted_and_below_100() -> None:
    status = derive_job_status(
        stages(ingest="succeeded", transcript="running"), None, described=True
    )
    assert status.state == "running"
    assert status.progress == 15
    assert status.current_step == "reading the transcript"
    everything = derive_job_status(
        stages(ingest="succeeded", transcript="succeeded", vision="succeeded", geo="succeeded"),
        None,
        described=True,
    )
    assert everything.state == "running"  # no places yet: geo's result is what ends it
    assert everything.progress == 99


def test_places_end_the_job_even_before_any_stage_event() -> None:
    status = derive_job_status(stages(), 3, described=True)
    assert (status.state, status.progress, status.error) == ("succeeded", 100, None)


def test_places_before_the_video_is_described_wait_for_its_description() -> None:
    done = stages(ingest="succeeded", transcript="succeeded", vision="succeeded", geo="succeeded")
    waiting = derive_job_status(done, 3, described=False)
    assert (waiting.state, waiting.progress, waiting.final) == ("running", 99, False)
    assert waiting.current_step == "saving the video's details"
    assert derive_job_status(done, 3, described=True).state == "succeeded"


def test_places_with_a_failed_stage_are_partial_with_the_reason() -> None:
    status = derive_job_status(stages(ingest="succeeded", vision="failed"), 2, described=True)
    assert status.state == "partial"
    assert status.error == "reading on-screen text failed: vision broke"


def test_no_places_and_a_failed_stage_is_failed() -> None:
    status = derive_job_status(stages(transcript="failed", vision="failed"), 0, described=True)
    assert status.state == "failed"
    assert "reading the transcript failed: transcript broke" in (status.error or "")


def test_no_places_and_no_failure_is_a_success_with_nothing_found() -> None:
    assert derive_job_status(stages(ingest="succeeded"), 0, described=True).state == "succeeded"


@pytest.mark.parametrize("stage", ["ingest", "geo"])
def test_ingest_or_geo_failing_ends_the_job_without_places(stage: str) -> None:
    status = derive_job_status(stages(**{stage: "failed"}), None, described=False)
    assert status.state == "failed"
    assert status.final
    assert f"{stage} broke" in (status.error or "")


def test_transcript_failing_alone_waits_for_geo() -> None:
    assert derive_job_status(
        stages(ingest="succeeded", transcript="failed"), None, described=True
    ).state == ("running")
