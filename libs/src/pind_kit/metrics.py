"""Prometheus metrics shared by every service (served on ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
INFRA_OUTAGES = Counter(
    "pind_infra_outages_total",
    "Times a loop found the database or Kafka unavailable (one per outage)",
    ["loop"],
)
INFRA_RETRIES = Counter(
    "pind_infra_retries_total",
    "Tries that failed because the database or Kafka was unavailable",
    ["loop"],
)
OUTBOX_DEPTH = Gauge(
    "pind_outbox_rows", "Rows waiting in this schema's outbox at the relay's last look"
)
OUTBOX_OLDEST_AGE = Gauge(
    "pind_outbox_oldest_age_seconds",
    "Age of the oldest row waiting in the outbox at the relay's last look (0 when empty)",
)
PROCESSED_PRUNED = Counter(
    "pind_processed_marks_pruned_total", "Processed-event marks deleted as older than retention"
)
