"""The settings base every service extends: one class per service, env prefix ``PIND_``."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings shared by every pind process.

    Every field reads ``PIND_<FIELD>``; secrets have no default, so a process
    started without them fails at once with a message naming the variable.
    """

    model_config = SettingsConfigDict(env_prefix="PIND_", extra="ignore", frozen=True)

    service_name: str = Field(description="Name in logs, metrics, CloudEvents source.")
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers.")
    kafka_topic_prefix: str = Field(
        default="",
        description="Namespace prepended to every topic name (e.g. 'test.' so a test run "
        "never touches the real topics). Empty in production.",
    )
    database_url: SecretStr = Field(
        description="SQLAlchemy asyncpg URL of this service's role, e.g. "
        "postgresql+asyncpg://pind_geo:...@127.0.0.1:55432/pind"
    )
    db_schema: str = Field(description="PostgreSQL schema this service owns.")
    db_pool_size: int = Field(default=10, ge=1)
    db_ping_after_idle_s: float = Field(
        default=30.0,
        ge=0,
        description="A pooled connection idle longer than this is pinged before use; "
        "a busier one is only checked for a close the server announced (no round trip).",
    )
    http_host: str = Field(default="127.0.0.1", description="Address of the HTTP/ops server.")
    http_port: int = Field(default=8000, ge=0, le=65535)
    log_level: str = Field(default="INFO")
    log_json: bool = Field(default=True, description="JSON lines (true) or console logs.")
    otel_exporter: str = Field(
        default="none",
        description="Where spans go: none (trace ids still travel in events and logs), "
        "otlp (OTLP/HTTP; endpoint from OTEL_EXPORTER_OTLP_ENDPOINT) or jsonl:PATH.",
    )
    retry_attempts: int = Field(default=4, ge=1, description="Tries per event before the DLT.")
    retry_backoff_initial_s: float = Field(default=0.2, gt=0)
    retry_backoff_max_s: float = Field(default=5.0, gt=0)
    processed_marks_keep_s: float = Field(
        default=8 * 86400,
        gt=0,
        description="How long a processed-event mark is kept: longer than the topics' "
        "retention (Kafka's default, 7 days), since only a record still in its topic "
        "can be delivered again.",
    )
    processed_prune_interval_s: float = Field(
        default=3600, gt=0, description="How often each process prunes old processed marks."
    )
    lag_interval_s: float = Field(
        default=15.0, gt=0, description="How often each process reads its consumer groups' lag."
    )
    relay_poll_interval_s: float = Field(default=0.5, gt=0)
    relay_batch_size: int = Field(default=500, ge=1)
    relay_missing_topic_recheck_s: float = Field(
        default=30.0,
        gt=0,
        description="How long outbox rows for a topic the broker lacks wait before it is "
        "asked again (they never hold back other topics' rows).",
    )
    max_poll_interval_s: int = Field(
        default=900, ge=10, description="Longest a handler may take before Kafka rebalances."
    )
    consume_concurrency: int = Field(
        default=1,
        ge=1,
        description="Events of different keys a single-event handler takes at once "
        "(pind_kit.consume.concurrent), unless its registration says otherwise.",
    )
    batch_max_records: int = Field(
        default=2000,
        ge=1,
        description="Most events a batch handler (e.g. the gateway's projection) applies "
        "in one transaction and one offset commit.",
    )
    batch_timeout_s: float = Field(
        default=0.05,
        gt=0,
        description="How long a batch consumer waits for records when none are buffered; "
        "records already fetched are handed over at once.",
    )
    shutdown_grace_s: float = Field(
        default=15.0,
        ge=0,
        description="On stop, how long in-flight handlers may finish before they are "
        "abandoned uncommitted (and redelivered).",
    )
