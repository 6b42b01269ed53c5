"""Prometheus metrics shared by every service (served on ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS_HANDLED = Counter(
    "pind_events_handled_total", "Events handled", ["topic", "consumer", "outcome"]
)
HANDLER_SECONDS = Histogram(
    "pind_handler_seconds",
    "Time spent handling one event",
    ["topic", "consumer"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300),
)
DLT_PUBLISHED = Counter("pind_dlt_published_total", "Events sent to a dead-letter topic", ["topic"])
OUTBOX_PUBLISHED = Counter("pind_outbox_published_total", "Outbox rows published")
OUTBOX_RELAY_ERRORS = Counter("pind_outbox_relay_errors_total", "Outbox relay failures")
