"""An incoming event: decoded from a Kafka record into the envelope (CloudEvents
headers) and the contract payload (JSON value), as a handler sees it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

import structlog
from pydantic import ValidationError

from pind_contracts import Contract, Envelope, EnvelopeError, Topic
from pind_kit.errors import UndecodableEvent
from pind_kit.tracing import consuming, trace_id_of

T = TypeVar("T", bound=Contract)

REPLAY_FOR = "pind_replay_for"
"""Header naming the consumer group a dead letter is replayed for."""


@dataclass(frozen=True, slots=True)
class Incoming(Generic[T]):
    """One decoded event as a handler sees it."""

    payload: T
    envelope: Envelope
    topic: Topic
    partition: int
    offset: int
    key: str | None
    replay_for: str | None = None
    """The consumer group a replay from the dead-letter topic is meant for
    (header ``pind_replay_for``): that group handles the event again although
    it marked it processed when it gave up; every other group skips it."""

    @property
    def event_id(self) -> UUID:
        return self.envelope.event_id


def decode(
    topic: Topic,
    value: bytes | None,
    headers: Mapping[str, bytes | str] | Iterable[tuple[str, bytes | str]],
) -> tuple[Any, Envelope]:
    """Envelope from the CloudEvents headers and payload from the JSON value;
    raises :class:`UndecodableEvent` with a readable reason."""
    try:
        envelope = Envelope.from_headers(headers)
    except EnvelopeError as exc:
        raise UndecodableEvent(str(exc)) from exc
    if value is None:
        raise UndecodableEvent("empty message value")
    try:
        payload = topic.payload.model_validate_json(value)
    except ValidationError as exc:
        raise UndecodableEvent(f"value does not match {topic.payload.__name__}: {exc}") from exc
    return payload, envelope


def from_record(topic: Topic, raw: Any) -> Incoming[Any]:
    """The Kafka record ``raw`` as a handler sees it; raises :class:`UndecodableEvent`."""
    payload, envelope = decode(topic, raw.value, raw.headers or ())
    key = raw.key.decode("utf-8", "replace") if raw.key is not None else None
    replay_for = next(
        (bytes(v).decode() for k, v in raw.headers or () if k == REPLAY_FOR and v is not None),
        None,
    )
    return Incoming(payload, envelope, topic, raw.partition, raw.offset, key, replay_for)


@contextlib.contextmanager
def event_context(incoming: Incoming[Any]) -> Iterator[None]:
    """Log lines inside carry the event's ids, and a consumer span continues
    the event's trace (:mod:`pind_kit.tracing`)."""
    envelope = incoming.envelope
    with (
        structlog.contextvars.bound_contextvars(
            event_id=str(envelope.event_id),
            job_id=str(envelope.job_id) if envelope.job_id else None,
            trace_id=trace_id_of(envelope.traceparent),
            topic=incoming.topic.name,
        ),
        consuming(incoming.topic.name, envelope),
    ):
        yield
