"""Contracts: envelope round trip, registry consistency, schema compatibility."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pind_contracts import ALL_TOPICS, Envelope, EnvelopeError, VideoRequested
from pind_contracts.schemas import check, incompatibilities, schema_of


def test_committed_schemas_match_models() -> None:
    assert check() == []


@given(
    subject=st.from_regex(r"[A-Za-z0-9_-]{11}", fullmatch=True),
    correlation=st.none() | st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s),
)
def test_envelope_round_trips_through_cloudevents_headers(
    subject: str, correlation: str | None
) -> None:
    envelope = Envelope(
        type="pind.video.requested",
        producer="gateway",
        subject=subject,
        job_id=uuid.uuid4(),
        correlation_id=correlation,
        causation_id=uuid.uuid4(),
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
    headers = dict(envelope.to_headers())
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_source"] == b"/pind/gateway"
    assert Envelope.from_headers(headers) == envelope


def test_caused_keeps_job_and_points_back() -> None:
    first = Envelope(type="a", producer="gateway", subject="abcdefghijk", job_id=uuid.uuid4())
    second = first.caused(type="b", producer="ingest")
    assert second.job_id == first.job_id
    assert second.causation_id == first.event_id
    assert second.event_id != first.event_id


@pytest.mark.parametrize("missing", ["ce_id", "ce_type", "ce_source", "ce_time"])
def test_envelope_rejects_missing_attributes(missing: str) -> None:
    headers = dict(Envelope(type="a", producer="p", subject="s").to_headers())
    del headers[missing]
    with pytest.raises(EnvelopeError, match=missing):
        Envelope.from_headers(headers)


def test_envelope_rejects_malformed_id() -> None:
    headers = dict(Envelope(type="a", producer="p", subject="s").to_headers())
    headers["ce_id"] = b"not-a-uuid"
    with pytest.raises(EnvelopeError):
        Envelope.from_headers(headers)


def test_every_topic_is_versioned_and_unique() -> None:
    names = [t.name for t in ALL_TOPICS]
    assert len(names) == len(set(names))
    assert all(t.name.startswith("pind.") and t.schema_version >= 1 for t in ALL_TOPICS)


def test_video_id_is_strict() -> None:
    base = {"job_id": str(uuid.uuid4()), "url": "u", "requested_at": datetime.now(UTC).isoformat()}
    VideoRequested.model_validate({**base, "video_id": "dQw4w9WgXcQ"})
    with pytest.raises(ValueError, match="video_id"):
        VideoRequested.model_validate({**base, "video_id": "dQw4w9WgXc/"})


def _requested_schema() -> dict:
    return schema_of(next(t for t in ALL_TOPICS if t.payload is VideoRequested))


def test_compat_detects_removed_field() -> None:
    old = _requested_schema()
    new = copy.deepcopy(old)
    del new["properties"]["url"]
    assert any("url: property removed" in p for p in incompatibilities(old, new))


def test_compat_detects_new_required_field() -> None:
    old = _requested_schema()
    new = copy.deepcopy(old)
    new["properties"]["priority"] = {"type": "integer"}
    new["required"].append("priority")
    assert any("priority: became required" in p for p in incompatibilities(old, new))


def test_compat_detects_retyped_nested_field() -> None:
    old = _requested_schema()
    new = json.loads(json.dumps(old))
    new["$defs"]["AnalysisOptions"]["properties"]["refresh"] = {"type": "string"}
    assert any("refresh: type changed" in p for p in incompatibilities(old, new))


def test_compat_allows_new_optional_field() -> None:
    old = _requested_schema()
    new = copy.deepcopy(old)
    new["properties"]["note"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert incompatibilities(old, new) == []
