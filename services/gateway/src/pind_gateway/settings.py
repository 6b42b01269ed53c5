"""The gateway's settings: every field reads ``PIND_<FIELD>`` (docs/kit.md)."""

from __future__ import annotations

from pind_kit.settings import ServiceSettings
from pydantic import Field


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    db_schema: str = "gateway"
    http_port: int = Field(default=8000, ge=0, le=65535)

    consumer_group: str = Field(
        default="pind-gateway", description="Kafka consumer group of the job projection."
    )
    max_body_bytes: int = Field(
        default=16 * 1024, ge=1024, description="Largest request body accepted (else 413)."
    )
    process_wait_s: float = Field(
        default=90.0,
        ge=0,
        description="How long POST /api/v1/youtube/process holds the request for the result.",
    )
    process_db_check_s: float = Field(
        default=2.0,
        gt=0,
        description="While holding a request, how often the database is checked for a "
        "result projected by another gateway instance.",
    )
    analysis_stale_after_s: float = Field(
        default=1800.0,
        gt=0,
        description="An analysis with no stage report for this long is ended as failed "
        "when the video is requested again, and a new analysis starts.",
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"],
        description="Browser origins allowed to call the API (the web map client).",
    )
