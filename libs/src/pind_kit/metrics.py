"""Prometheus metrics shared by every service (served on ``/metrics``).

Gauges say how to combine the values of several processes of one service
(``multiprocess_mode``), for the gateway's uvicorn workers, which share one
``/metrics`` through ``PROMETHEUS_MULTIPROC_DIR`` (:func:`pind_kit.ops.metrics_payload`).
"""

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
OUTBOX_LOCK_BUSY = Counter(
    "pind_outbox_lock_busy_total",
    "Relay passes that found another instance publishing this schema's rows",
)
OUTBOX_MISSING_TOPICS = Gauge(
    "pind_outbox_missing_topics",
    "Topics outbox rows wait for that the broker does not have (their rows are held back)",
    multiprocess_mode="livemax",
)
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
    "pind_outbox_rows",
    "Rows waiting in this schema's outbox at the relay's last look",
    multiprocess_mode="livemax",
)
OUTBOX_OLDEST_AGE = Gauge(
    "pind_outbox_oldest_age_seconds",
    "Age of the oldest row waiting in the outbox at the relay's last look (0 when empty)",
    multiprocess_mode="livemax",
)
CONSUMER_LAG = Gauge(
    "pind_consumer_lag",
    "Records on the topic not yet committed by the consumer group (end offset - committed)",
    ["topic", "consumer"],
    multiprocess_mode="livemax",
)
STAGE_SECONDS = Histogram(
    "pind_stage_seconds",
    "Time a stage's handler took for one event, by outcome",
    ["stage", "outcome"],
    buckets=(0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900),
)
HTTP_SECONDS = Histogram(
    "pind_http_request_seconds",
    "HTTP requests by route template, method and status, and their duration",
    ["route", "method", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
PROCESSED_PRUNED = Counter(
    "pind_processed_marks_pruned_total", "Processed-event marks deleted as older than retention"
)
