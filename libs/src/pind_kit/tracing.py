"""Tracing with OpenTelemetry: one job is one trace across the services.

The W3C ``traceparent`` travels in every event's envelope (CloudEvents'
distributed-tracing extension, header ``ce_traceparent``):

- an event written to the outbox carries the span that is current when it is
  written (the gateway's request span for a submission, a consumer's span for
  what a handler emits); with no span, it keeps its cause's trace, and an
  event with neither starts a new trace;
- every consumer continues the trace of the event it handles
  (:func:`consuming`), so what it emits is a child of its span;
- HTTP requests get their SERVER spans from FastAPI's own telemetry, which
  records with the global tracer provider installed here.

Spans are recorded by an SDK tracer provider per process
(:func:`configure_tracing`, called with the logging set-up) and exported as
``PIND_OTEL_EXPORTER`` says: ``none`` (the default: no provider, nothing
recorded, trace ids still travel and appear in logs), ``otlp`` (OTLP over
HTTP; endpoint and headers from the standard ``OTEL_EXPORTER_OTLP_*``
variables) or ``jsonl:PATH`` (one JSON line per span, appended to PATH — what
the end-to-end test reads).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from fastapi.telemetry import TelemetryConfig
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from pind_contracts import Envelope

_PROPAGATOR = TraceContextTextMapPropagator()
_IDS = RandomIdGenerator()
_configured = False
_recording = True
"""Whether spans are recorded (an exporter is set); until configured, assume so."""
_lock = threading.Lock()

tracer = trace.get_tracer("pind_kit")


class JsonLinesExporter(SpanExporter):
    """Appends one JSON object per finished span to a file (one ``write`` per
    span on an ``O_APPEND`` descriptor, so processes can share the file)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        for span in spans:
            ctx = span.get_span_context()
            if ctx is None:
                continue
            record = {
                "trace_id": f"{ctx.trace_id:032x}",
                "span_id": f"{ctx.span_id:016x}",
                "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
                "name": span.name,
                "kind": span.kind.name,
                "service": span.resource.attributes.get("service.name"),
                "start_ns": span.start_time,
                "end_ns": span.end_time,
                "attributes": {k: _plain(v) for k, v in (span.attributes or {}).items()},
            }
            os.write(self._fd, (json.dumps(record, ensure_ascii=False) + "\n").encode())
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def exporter_for(spec: str) -> SpanExporter | None:
    """The exporter ``PIND_OTEL_EXPORTER`` names (None for ``none``)."""
    kind, _, arg = spec.partition(":")
    if kind == "none":
        return None
    if kind == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if kind == "jsonl" and arg:
        return JsonLinesExporter(Path(arg))
    raise ValueError(f"PIND_OTEL_EXPORTER={spec!r}: expected none, otlp or jsonl:PATH")


def provider_for(service_name: str, exporter_spec: str) -> TracerProvider | None:
    """The SDK tracer provider that records and exports spans as
    ``exporter_spec`` says, or None for ``none``: then nothing is recorded
    (the API's no-op tracer costs a request almost nothing) and the W3C
    context still travels — a consumer's "span" is its cause's context, so
    what it emits stays in its cause's trace."""
    exporter = exporter_for(exporter_spec)
    if exporter is None:
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if isinstance(exporter, JsonLinesExporter):
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def configure_tracing(service_name: str, exporter_spec: str) -> None:
    """Install this process's tracer provider (once; later calls do nothing)."""
    global _configured, _recording
    with _lock:
        if _configured:
            return
        provider = provider_for(service_name, exporter_spec)
        if provider is not None:
            trace.set_tracer_provider(provider)
        _recording = provider is not None
        _configured = True


def http_telemetry() -> TelemetryConfig:
    """FastAPI's own telemetry for a service's app: SERVER spans (they carry
    a client's ``traceparent`` into the request), with per-operation spans
    only when spans are recorded; no OpenTelemetry metrics or logs (requests
    are counted by :mod:`pind_kit.http_metrics`, logged by structlog)."""
    return {
        "tracing": True,
        "operation_spans": _recording,
        "metrics": False,
        "logs": False,
    }


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, if one is recording or valid."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def new_traceparent() -> str:
    return f"00-{_IDS.generate_trace_id():032x}-{_IDS.generate_span_id():016x}-01"


def traced(envelope: Envelope) -> Envelope:
    """``envelope`` carrying the current span as its trace parent (see the
    module docstring for the order of choices)."""
    current = current_traceparent()
    if current is not None:
        return envelope.with_trace(current)
    if envelope.traceparent is None:
        return envelope.with_trace(new_traceparent())
    return envelope


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id part of a W3C traceparent (None if malformed)."""
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


@contextlib.contextmanager
def consuming(
    topic: str, envelope: Envelope, attributes: dict[str, Any] | None = None
) -> Iterator[None]:
    """A consumer span continuing the trace of the event being handled."""
    parent = (
        _PROPAGATOR.extract({"traceparent": envelope.traceparent})
        if envelope.traceparent
        else otel_context.Context()
    )
    attrs: dict[str, Any] = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
        "messaging.message.id": str(envelope.event_id),
        "cloudevents.event_type": envelope.type,
    }
    if envelope.job_id is not None:
        attrs["pind.job_id"] = str(envelope.job_id)
    attrs.update(attributes or {})
    with tracer.start_as_current_span(
        f"{topic} process", context=parent, kind=trace.SpanKind.CONSUMER, attributes=attrs
    ):
        yield


MAX_BATCH_LINKS = 32


@contextlib.contextmanager
def consuming_batch(topic: str, envelopes: Sequence[Envelope]) -> Iterator[None]:
    """One consumer span for a batch, linked to the traces of its first
    :data:`MAX_BATCH_LINKS` events (a span has one parent; a batch has many)."""
    links = []
    for envelope in envelopes[:MAX_BATCH_LINKS]:
        if envelope.traceparent:
            carrier = {"traceparent": envelope.traceparent}
            linked = trace.get_current_span(_PROPAGATOR.extract(carrier)).get_span_context()
            if linked.is_valid:
                links.append(trace.Link(linked))
    attrs: dict[str, Any] = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
        "messaging.batch.message_count": len(envelopes),
    }
    with tracer.start_as_current_span(
        f"{topic} process",
        context=otel_context.Context(),
        kind=trace.SpanKind.CONSUMER,
        links=links,
        attributes=attrs,
    ):
        yield
