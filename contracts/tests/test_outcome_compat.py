"""The outcome fields of ``pind.transcript.ready.v1`` and ``pind.vision.ready.v1``
are backward compatible both ways (see :mod:`pind_contracts.events.outcome`).

"Old" is what a reader not yet upgraded runs: the Pydantic models as they were
before the fields (copied below from ``contracts/src`` at commit 14532ee, the
last change to them until then) and the JSON Schemas published then
(``before_outcome/``), which downstream teams validate with."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import jsonschema
import pytest
from pydantic import BaseModel, Field, ValidationError

from pind_contracts import TRANSCRIPT_READY, VISION_READY, Topic
from pind_contracts.events.transcript_ready import TranscriptReady, TranscriptSegment
from pind_contracts.events.vision_ready import ScreenText, TextBox, VisionReady
from pind_contracts.schemas import incompatibilities, schema_of
from pind_contracts.types import Confidence, Contract, Seconds, VideoId

BEFORE = Path(__file__).parent / "before_outcome"


class OldTranscriptSegment(Contract):
    start_s: Seconds
    duration_s: Seconds
    text: str


class OldTranscriptReady(Contract):
    job_id: UUID
    video_id: VideoId
    language: str
    source: Literal["manual", "generated", "translated", "subtitles", "speech"]
    segments: list[OldTranscriptSegment]


class OldTextBox(Contract):
    x: int
    y: int
    width: int
    height: int
    frame_width: int
    frame_height: int


class OldScreenText(Contract):
    text: str
    lang: str | None = None
    first_seen_s: Seconds
    last_seen_s: Seconds | None = None
    confidence: Confidence
    box: OldTextBox | None = None
    source: Literal["frame", "thumbnail"] = "frame"


class OldVisionReady(Contract):
    job_id: UUID
    video_id: VideoId
    texts: list[OldScreenText]
    frames_sampled: int = Field(ge=0)
    engine: str


JOB = uuid.UUID("0193a1b2-0000-7000-8000-000000000001")
VIDEO = "pindSeoul01"

TRANSCRIPT = TranscriptReady(
    job_id=JOB,
    video_id=VIDEO,
    language="ko",
    source="manual",
    segments=[TranscriptSegment(start_s=7.5, duration_s=3.0, text="여기가 광장시장이에요.")],
)
VISION = VisionReady(
    job_id=JOB,
    video_id=VIDEO,
    frames_sampled=12,
    engine="tesseract",
    texts=[
        ScreenText(
            text="광장시장",
            first_seen_s=7.0,
            confidence=0.8,
            box=TextBox(x=1, y=2, width=3, height=4, frame_width=640, frame_height=360),
        )
    ],
)
CASES: list[tuple[Topic, BaseModel, type[Contract]]] = [
    (TRANSCRIPT_READY, TRANSCRIPT, OldTranscriptReady),
    (VISION_READY, VISION, OldVisionReady),
]
IDS = ["transcript", "vision"]


def old_schema(topic: Topic) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((BEFORE / f"{topic.name}.json").read_text("utf-8"))
    return schema


def not_ready(topic: Topic, outcome: str) -> BaseModel:
    return topic.payload(
        job_id=JOB,
        video_id=VIDEO,
        outcome=outcome,
        reason="YouTube could not be reached",
        error_code="unavailable",
    )


@pytest.mark.parametrize(("topic", "new", "old_reader"), CASES, ids=IDS)
def test_the_schema_check_accepts_the_change(
    topic: Topic, new: BaseModel, old_reader: type[Contract]
) -> None:
    assert incompatibilities(old_schema(topic), schema_of(topic)) == []


@pytest.mark.parametrize(("topic", "new", "old_reader"), CASES, ids=IDS)
def test_an_old_reader_reads_a_new_ready_event(
    topic: Topic, new: BaseModel, old_reader: type[Contract]
) -> None:
    wire = new.model_dump_json()
    assert json.loads(wire)["outcome"] == "ready"
    read = old_reader.model_validate_json(wire)
    assert read.model_dump(mode="json") == new.model_dump(
        mode="json", exclude={"outcome", "reason", "error_code"}
    )
    jsonschema.validate(json.loads(wire), old_schema(topic))


@pytest.mark.parametrize(("topic", "new", "old_reader"), CASES, ids=IDS)
def test_a_new_reader_reads_an_old_event_as_ready(
    topic: Topic, new: BaseModel, old_reader: type[Contract]
) -> None:
    old = old_reader.model_validate_json(new.model_dump_json())
    wire = old.model_dump_json()
    assert "outcome" not in json.loads(wire)
    read = topic.payload.model_validate_json(wire)
    assert read == new
    assert read.outcome == "ready"  # type: ignore[attr-defined]
    jsonschema.validate(json.loads(wire), schema_of(topic))


@pytest.mark.parametrize("outcome", ["failed", "skipped"])
@pytest.mark.parametrize(("topic", "new", "old_reader"), CASES, ids=IDS)
def test_a_failed_or_skipped_outcome_never_passes_for_a_result(
    topic: Topic, new: BaseModel, old_reader: type[Contract], outcome: str
) -> None:
    event = not_ready(topic, outcome)
    wire = event.model_dump_json()
    read = topic.payload.model_validate_json(wire)
    assert (read.outcome, read.reason, read.error_code) == (  # type: ignore[attr-defined]
        outcome,
        "YouTube could not be reached",
        "unavailable",
    )
    jsonschema.validate(json.loads(wire), schema_of(topic))
    # An old reader refuses it (and dead-letters it) rather than taking it
    # for an empty transcript or a video without text.
    with pytest.raises(ValidationError):
        old_reader.model_validate_json(wire)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(wire), old_schema(topic))


@pytest.mark.parametrize(("topic", "new", "old_reader"), CASES, ids=IDS)
def test_an_outcome_must_match_its_result(
    topic: Topic, new: BaseModel, old_reader: type[Contract]
) -> None:
    schema = schema_of(topic)
    failed_with_result = {**new.model_dump(mode="json"), "outcome": "failed", "reason": "r"}
    with pytest.raises(ValidationError, match="failed outcome carries no result"):
        topic.payload.model_validate(failed_with_result)
    without_reason = {"job_id": str(JOB), "video_id": VIDEO, "outcome": "skipped"}
    with pytest.raises(ValidationError, match="skipped outcome needs a reason"):
        topic.payload.model_validate(without_reason)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(without_reason, schema)
    ready_without_result = {"job_id": str(JOB), "video_id": VIDEO}
    with pytest.raises(ValidationError, match="ready outcome needs"):
        topic.payload.model_validate(ready_without_result)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(ready_without_result, schema)
