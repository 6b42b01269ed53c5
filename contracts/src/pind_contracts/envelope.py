"""The envelope every message carries, as CloudEvents Kafka-binding headers.

Binary content mode (CloudEvents Kafka protocol binding 1.0): the event data is
the Kafka value (JSON); the attributes travel as ``ce_*`` headers, so other
teams' CloudEvents tooling reads our topics without knowing our models.
Extension attribute names are lower-case alphanumerics, as the spec requires.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from uuid import UUID

import uuid6

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class EnvelopeError(ValueError):
    """The headers do not form a valid pind envelope."""


def new_event_id() -> UUID:
    """A fresh, time-ordered event id (UUIDv7)."""
    return UUID(bytes=uuid6.uuid7().bytes)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who said what, when, and in answer to which event."""

    type: str
    producer: str
    subject: str
    event_id: UUID = field(default_factory=new_event_id)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    schema_version: int = 1
    job_id: UUID | None = None
    correlation_id: str | None = None
    causation_id: UUID | None = None
    traceparent: str | None = None
    tracestate: str | None = None

    @property
    def source(self) -> str:
        return f"/pind/{self.producer}"

    def with_trace(self, traceparent: str, tracestate: str | None = None) -> Envelope:
        """The same envelope in the trace (W3C ``traceparent``) given."""
        return replace(self, traceparent=traceparent, tracestate=tracestate)

    def caused(self, *, type: str, producer: str, subject: str | None = None) -> Envelope:
        """The envelope of an event caused by this one: same job, correlation
        and trace; causation points here; a new id and time."""
        return replace(
            self,
            type=type,
            producer=producer,
            subject=subject or self.subject,
            event_id=new_event_id(),
            occurred_at=datetime.now(UTC),
            causation_id=self.event_id,
        )

    def to_headers(self) -> list[tuple[str, bytes]]:
        """CloudEvents Kafka binary-mode headers."""
        pairs: list[tuple[str, str | None]] = [
            ("ce_specversion", SPEC_VERSION),
            ("ce_id", str(self.event_id)),
            ("ce_source", self.source),
            ("ce_type", self.type),
            ("ce_subject", self.subject),
            ("ce_time", self.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")),
            ("content-type", CONTENT_TYPE),
            ("ce_schemaversion", str(self.schema_version)),
            ("ce_partitionkey", self.subject),
            ("ce_jobid", str(self.job_id) if self.job_id else None),
            ("ce_correlationid", self.correlation_id),
            ("ce_causationid", str(self.causation_id) if self.causation_id else None),
            ("ce_traceparent", self.traceparent),
            ("ce_tracestate", self.tracestate),
        ]
        return [(k, v.encode()) for k, v in pairs if v is not None]

    @classmethod
    def from_headers(
        cls, headers: Mapping[str, str | bytes] | Iterable[tuple[str, str | bytes]]
    ) -> Envelope:
        """Parse CloudEvents headers; raises :class:`EnvelopeError` when a
        required attribute is missing or malformed."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        h: dict[str, str] = {}
        for key, value in items:
            try:
                h[key.lower()] = value.decode() if isinstance(value, bytes) else value
            except UnicodeDecodeError as exc:
                raise EnvelopeError(f"header {key!r} is not UTF-8") from exc

        def need(name: str) -> str:
            value = h.get(name)
            if not value:
                raise EnvelopeError(f"missing CloudEvents header {name!r}")
            return value

        if need("ce_specversion") != SPEC_VERSION:
            raise EnvelopeError(f"unsupported ce_specversion {h['ce_specversion']!r}")
        source = need("ce_source")
        try:
            return cls(
                type=need("ce_type"),
                producer=source.removeprefix("/pind/"),
                subject=h.get("ce_subject", ""),
                event_id=UUID(need("ce_id")),
                occurred_at=_parse_time(need("ce_time")),
                schema_version=int(h.get("ce_schemaversion", "1")),
                job_id=UUID(h["ce_jobid"]) if h.get("ce_jobid") else None,
                correlation_id=h.get("ce_correlationid"),
                causation_id=UUID(h["ce_causationid"]) if h.get("ce_causationid") else None,
                traceparent=h.get("ce_traceparent"),
                tracestate=h.get("ce_tracestate"),
            )
        except ValueError as exc:
            raise EnvelopeError(f"malformed CloudEvents header: {exc}") from exc


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("ce_time has no timezone")
    return parsed.astimezone(UTC)
