"""The gateway's settings: every field reads ``PIND_<FIELD>`` (docs/kit.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, HttpUrl

from pind_kit.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    db_schema: str = "gateway"
    http_port: int = Field(default=8000, ge=0, le=65535)

    role: Literal["all", "api", "projector"] = Field(
        default="all",
        description="What this gateway process does. all: serves the API and, in every "
        "server process, its share of the projection, outbox relay and timeout sweeper "
        "(tests, small installs). api: serves the API only (it still hears changes and "
        "revocations by PostgreSQL LISTEN and publishes its own submissions). projector: "
        "one process that projects the topics, runs the revocations consumer, relay and "
        "sweeper, and serves only /healthz, /readyz and /metrics on PIND_HTTP_PORT "
        "(`pind-gateway projector`). The stack runs api + projector: background work in "
        "a serving loop made the job-status tail (docs/runbook.md).",
    )
    projector_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="CPU niceness the projector process takes on (PIND_ROLE=projector): where "
        "it shares cores with the API processes, they win the CPU when both are runnable and "
        "the projection catches up in the gaps. 0: same priority.",
    )
    http_workers: int = Field(
        default=2,
        ge=1,
        description="Server processes sharing the HTTP port (one per core). With "
        "PIND_ROLE=all each also runs its share of the projection, relay and sweeper.",
    )
    job_answer_ttl_s: float = Field(
        default=2.0,
        ge=0,
        description="Longest a job-status answer is served from memory; changes announced "
        "by NOTIFY drop it sooner (see core/cache.py). 0: always read the database.",
    )
    job_answer_cache_size: int = Field(
        default=10_000, ge=0, description="Job-status answers kept in memory per process."
    )
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
    submission_batch_size: int = Field(
        default=256,
        ge=1,
        description="Most submissions written in one transaction (group commit; see "
        "submissions.py).",
    )
    submission_batch_wait_s: float = Field(
        default=0.002,
        ge=0,
        le=1,
        description="While a batch of submissions is being written, how long the next one "
        "waits after its first submission for more to join it (none when idle).",
    )
    submission_batch_concurrency: int = Field(
        default=2, ge=1, description="Batches of submissions written at once per process."
    )
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"],
        description="Browser origins allowed to call the API (the web map client).",
    )

    run_projection: bool = Field(
        default=True,
        description="Consume the analysis topics into the tables. An instance with this off "
        "only serves the API (it still streams updates other instances project).",
    )
    stream_heartbeat_s: float = Field(
        default=15.0, gt=0, description="Idle interval between keep-alives on live streams."
    )
    stream_max_s: float = Field(
        default=1800.0,
        gt=0,
        description="Longest a live stream stays open; then it ends (WebSocket close 4408) "
        "and the client reconnects to keep following.",
    )
    stream_max_per_client: int = Field(
        default=20,
        ge=1,
        description="Live streams (SSE and WebSocket) one client may hold open at once per "
        "server process: an address (IPv6: its /64) or a signed-in user. More are refused "
        "(429; WebSocket close 1013).",
    )
    stream_max_total: int = Field(
        default=2000,
        ge=1,
        description="Live streams one server process holds open at once; more are refused "
        "(429; WebSocket close 1013).",
    )
    ws_max_message_bytes: int = Field(
        default=16 * 1024,
        ge=256,
        description="Largest WebSocket message accepted from a client (else close 1009).",
    )
    ops_public: bool = Field(
        default=True,
        description="Serve /readyz and /metrics on the public HTTP port too. false: 404 "
        "there; they are served on PIND_OPS_PORT only (/healthz stays on both).",
    )
    ops_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="A port of its own for /healthz, /readyz and /metrics (on PIND_HTTP_HOST; "
        "every server process listens on it). 0: none.",
    )
    job_timeout_s: float = Field(
        default=900.0,
        gt=0,
        description="A job with no progress report for this long ends failed — silence "
        "counted only while the gateway could hear (its projection caught up, its outbox "
        "drained, Kafka and PostgreSQL reachable); a later final report still completes it.",
    )
    job_sweep_interval_s: float = Field(
        default=30.0, gt=0, description="How often the timeout sweeper looks for silent jobs."
    )
    rate_window_s: int = Field(
        default=60, ge=1, le=86_400, description="Rate-limit window, in seconds (at most a day)."
    )
    guest_submissions_per_window: int = Field(
        default=10, ge=1, description="Submissions a guest (per address) may make per window."
    )
    user_submissions_per_window: int = Field(
        default=60, ge=1, description="Submissions a signed-in user may make per window."
    )
    auth_url: HttpUrl = Field(
        default=HttpUrl("http://127.0.0.1:8001"),
        description="The auth service; the legacy /auth/* calls are forwarded there.",
    )
    auth_jwks_url: HttpUrl = Field(
        default=HttpUrl("http://127.0.0.1:8001/.well-known/jwks.json"),
        description="Where the public keys that verify access tokens are published.",
    )
    jwt_issuer: str = Field(default="pind-auth", description="Required `iss` of access tokens.")
    jwt_audience: str = Field(default="pind", description="Required `aud` of access tokens.")
    jwks_refetch_min_s: float = Field(
        default=30.0,
        ge=0,
        description="Least time between two JWKS fetches caused by unknown key ids.",
    )
    jwks_max_age_s: float = Field(
        default=300.0,
        ge=0,
        description="Longest the public keys are kept before they are fetched again (less when "
        "auth's Cache-Control max-age says so): a key auth retires stops verifying by then.",
    )
    auth_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of calls to auth.")
    map_tile_url: str = Field(
        default="",
        description="Tile URL template for the map page ({z}/{x}/{y}); "
        "empty: the page draws its offline base layer.",
    )
    map_tile_attribution: str = Field(default="", description="Attribution of the tiles.")
