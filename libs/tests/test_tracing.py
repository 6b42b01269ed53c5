"""One job, one trace: a consumer continues the trace of the event it handles
and what it emits is a child of its span (recorded by an in-memory exporter)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pind_contracts import JobStage
from pind_contracts.envelope import Envelope
from pind_kit.consume import Incoming, UnitOfWork, Worker
from pind_kit.settings import ServiceSettings
from pind_kit.testing import TopicReader, publish_raw, running, stand_in_topic
from pind_kit.tracing import (
    JsonLinesExporter,
    exporter_for,
    new_traceparent,
    provider_for,
    trace_id_of,
    traced,
)

SCHEMA = "kit_tracing_test"
EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def provider() -> None:
    current = trace.get_tracer_provider()
    if not isinstance(current, TracerProvider):
        trace.set_tracer_provider(TracerProvider())
        current = trace.get_tracer_provider()
    assert isinstance(current, TracerProvider)
    current.add_span_processor(SimpleSpanProcessor(EXPORTER))


async def test_a_consumer_continues_the_trace_and_its_events_are_children_of_its_span(
    kit_schema: str, admin_database_url: str, kafka_bootstrap: str
) -> None:
    source = await stand_in_topic(kafka_bootstrap, "kittrace", JobStage, "tracing input")
    output = await stand_in_topic(kafka_bootstrap, "kittraceout", JobStage, "tracing output")
    worker = Worker(
        ServiceSettings(
            service_name="kit-tracing-test",
            database_url=admin_database_url,
            db_schema=SCHEMA,
            kafka_bootstrap=kafka_bootstrap,
            relay_poll_interval_s=0.1,
        )
    )

    @worker.handler(source, group=f"kit-{uuid.uuid4().hex[:8]}")
    async def handle(event: Incoming[JobStage], uow: UnitOfWork) -> None:
        await uow.emit(output, event.payload)

    job = uuid.uuid4()
    parent = new_traceparent()
    payload = JobStage(job_id=job, video_id="abcdefghijk", stage="geo", state="progress")
    envelope = Envelope(
        type=source.event_type, producer="test", subject="abcdefghijk", job_id=job
    ).with_trace(parent)
    async with TopicReader(kafka_bootstrap, output.name) as out, running(worker):
        await publish_raw(
            kafka_bootstrap,
            source.name,
            payload.model_dump_json().encode(),
            envelope.to_headers(),
            b"abcdefghijk",
        )
        emitted = await out.until(lambda seen: len(seen) >= 1)

    spans = [
        s
        for s in EXPORTER.get_finished_spans()
        if (s.attributes or {}).get("pind.job_id") == str(job)
    ]
    assert len(spans) == 1, spans
    span = spans[0]
    assert span.kind is trace.SpanKind.CONSUMER
    assert f"{span.context.trace_id:032x}" == trace_id_of(parent)
    assert span.parent is not None and f"{span.parent.span_id:016x}" == parent.split("-")[2]
    child = emitted[0].headers["ce_traceparent"].decode()
    assert trace_id_of(child) == trace_id_of(parent)  # one trace
    assert child.split("-")[2] == f"{span.context.span_id:016x}"  # a child of the consumer span


def test_an_event_without_a_span_keeps_its_cause_or_starts_a_trace() -> None:
    envelope = Envelope(type="t", producer="p", subject="s")
    started = traced(envelope)
    assert trace_id_of(started.traceparent) is not None
    assert traced(started).traceparent == started.traceparent  # kept, not replaced


NONE_PROCESS = """
from opentelemetry import trace
from pind_contracts.envelope import Envelope
from pind_kit.tracing import configure_tracing, consuming, http_telemetry, new_traceparent, traced

configure_tracing("pind-test", "none")
cause = Envelope(type="t", producer="p", subject="s").with_trace(new_traceparent())
with consuming("topic", cause):
    recording = trace.get_current_span().is_recording()
    emitted = traced(Envelope(type="t", producer="p", subject="s"))
print(type(trace.get_tracer_provider()).__name__, recording, http_telemetry()["operation_spans"])
print(cause.traceparent)
print(emitted.traceparent)
"""


def test_with_no_exporter_nothing_is_recorded_and_the_trace_still_travels() -> None:
    """``none`` installs no SDK provider (a request or event costs next to
    nothing), yet what a consumer emits stays in its cause's trace."""
    done = subprocess.run(
        [sys.executable, "-c", NONE_PROCESS], capture_output=True, text=True, check=True
    )
    provider, cause, emitted = done.stdout.split("\n")[:3]
    assert provider == "ProxyTracerProvider False False"  # no SDK, no span, no operation spans
    assert trace_id_of(emitted) == trace_id_of(cause) is not None


def test_exporters_are_chosen_by_setting(tmp_path: Path) -> None:
    assert exporter_for("none") is None
    assert provider_for("pind-test", "none") is None
    assert isinstance(provider_for("pind-test", f"jsonl:{tmp_path / 'p.jsonl'}"), TracerProvider)
    assert isinstance(exporter_for(f"jsonl:{tmp_path / 'spans.jsonl'}"), JsonLinesExporter)
    with pytest.raises(ValueError, match="expected none, otlp or jsonl:PATH"):
        exporter_for("zipkin")
