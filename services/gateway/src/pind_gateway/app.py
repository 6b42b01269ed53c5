"""Wiring: the FastAPI app, its routers, and in its lifespan the NOTIFY
listener, the deny list, the outbox relay, the submission batcher and, with
``PIND_ROLE=all``, the background work of :mod:`pind_gateway.projector`
(projection, revocations, timeout sweeper)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from pind_gateway.adapters.auth_service import AuthServiceClient
from pind_gateway.auth.denials import DenyList
from pind_gateway.auth.endpoints import router as auth_router
from pind_gateway.auth.endpoints import v1_router as auth_v1_router
from pind_gateway.auth.tokens import TokenVerifier
from pind_gateway.core.cache import InvalidatingWatch, JobAnswerCache
from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.errors import body_too_large, install_error_handlers
from pind_gateway.core.notifications import Notifications, asyncpg_dsn
from pind_gateway.core.watch import hear_job_changes
from pind_gateway.history.endpoints import router as history_router
from pind_gateway.jobs.endpoints import router as jobs_router
from pind_gateway.legacy.endpoints import router as legacy_router
from pind_gateway.legacy.live import router as legacy_live_router
from pind_gateway.limits.service import Quotas
from pind_gateway.live.endpoints import router as live_router
from pind_gateway.ops import OpsPort, public_ops_router
from pind_gateway.places.endpoints import router as places_router
from pind_gateway.projection.sweeper import Sweeper
from pind_gateway.projector import add_background_work, add_sweeper
from pind_gateway.settings import GatewaySettings
from pind_gateway.videos.batcher import SubmissionBatcher
from pind_gateway.videos.endpoints import router as videos_router
from pind_gateway.web.endpoints import mount_web
from pind_kit.consume import Worker
from pind_kit.db import make_sessionmaker
from pind_kit.http_limits import BodySizeLimit
from pind_kit.http_metrics import HttpMetricsMiddleware
from pind_kit.logging import configure_logging
from pind_kit.service import kit_lifespan
from pind_kit.tracing import http_telemetry

DESCRIPTION = """\
Paste a YouTube link of a travel or food vlog; get the places it shows or
talks about, with coordinates from a geocoder, evidence and confidence.

Submit with `POST /api/v1/videos`, then follow `GET /api/v1/jobs/{job_id}`
(or live: `/api/v1/jobs/{job_id}/events` as Server-Sent Events,
`/api/v1/jobs/{job_id}/ws` as a WebSocket). Sign in through `/auth/login`
and send `Authorization: Bearer <access_token>`; guests may submit under
stricter rate limits. The `legacy` endpoints keep the first backend's clients
working. Errors are always `{"detail": <message>, "code": <code>}`.
"""

TAGS = [
    {"name": "videos", "description": "Submit links for analysis; read a video's places."},
    {"name": "jobs", "description": "Follow an analysis (also live) and read its places."},
    {"name": "places", "description": "Places on the map across videos; exports."},
    {"name": "history", "description": "The signed-in user's requests."},
    {"name": "legacy", "description": "The first backend's API, for existing clients."},
    {"name": "ops", "description": "Liveness, readiness and metrics."},
]


def create_app(
    settings: GatewaySettings | None = None,
    *,
    worker: Worker | None = None,
    auth_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The gateway's HTTP API (``settings.role`` all or api; with all, the
    projection, revocations and sweeper run in this process too).

    ``worker`` may be given to share an engine, ``auth_transport`` to reach the
    auth service some other way than HTTP (tests); otherwise both come from
    ``settings``.
    """
    settings = settings or GatewaySettings()
    worker = worker or Worker(settings)
    job_answers = JobAnswerCache(
        ttl_s=settings.job_answer_ttl_s,
        size=settings.job_answer_cache_size,
        # Kept answers are served only while changes can be heard.
        live=lambda: listener.listening.is_set(),
    )
    watch = InvalidatingWatch(job_answers)
    if settings.role == "projector":
        raise ValueError("PIND_ROLE=projector serves no API: run `pind-gateway projector`")
    sweeper: Sweeper | None = None  # PIND_ROLE=api: the projector process's work
    if settings.role == "all" and settings.run_projection:
        sweeper = add_background_work(worker, settings, watch)
    elif settings.role == "all":
        sweeper = add_sweeper(worker, settings)
    listener = Notifications(asyncpg_dsn(settings.database_url.get_secret_value()))
    hear_job_changes(listener, watch)
    denials = DenyList()
    denials.listen(listener)
    worker.background(listener.run)

    auth = AuthServiceClient(
        str(settings.auth_url),
        str(settings.auth_jwks_url),
        timeout_s=settings.auth_timeout_s,
        transport=auth_transport,
    )
    verifier = TokenVerifier(
        auth.fetch_jwks,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        refetch_min_s=settings.jwks_refetch_min_s,
        max_age_cap_s=settings.jwks_max_age_s,
        default_max_age_s=settings.jwks_max_age_s,
        denials=denials,
    )
    kit = kit_lifespan(worker)
    quotas = Quotas(
        settings.rate_window_s,
        settings.guest_submissions_per_window,
        settings.user_submissions_per_window,
    )
    reader = make_sessionmaker(worker.engine.execution_options(isolation_level="AUTOCOMMIT"))
    submissions = SubmissionBatcher(
        worker.sessionmaker,
        reader,
        quotas,
        stale_after=timedelta(seconds=settings.analysis_stale_after_s),
        max_size=settings.submission_batch_size,
        max_wait_s=settings.submission_batch_wait_s,
        concurrency=settings.submission_batch_concurrency,
    )

    ops_port = OpsPort(settings, worker.ready) if settings.ops_port else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with kit(app):
            if ops_port is not None:
                await ops_port.start()
            await submissions.start()
            try:
                yield
            finally:
                await submissions.stop()
                await auth.aclose()
                if ops_port is not None:
                    await ops_port.stop()

    app = FastAPI(
        title="pind gateway",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        telemetry=http_telemetry(),
    )
    app.state.gateway = GatewayContext(
        settings, worker.sessionmaker, watch, auth, verifier, reader, job_answers
    )
    app.state.quotas = quotas
    app.state.submissions = submissions
    app.state.listener = listener
    app.state.denials = denials
    app.state.sweeper = sweeper
    install_error_handlers(app)

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, answer=body_too_large)
    app.add_middleware(HttpMetricsMiddleware)  # 413s counted too
    # Added last so it wraps everything, 413s included: browsers need the headers.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Retry-After", "Location"],
    )

    for router in (
        videos_router,
        places_router,
        jobs_router,
        live_router,
        history_router,
        legacy_router,
        legacy_live_router,
        auth_router,
        auth_v1_router,
    ):
        app.include_router(router)
    app.include_router(public_ops_router(settings, worker.ready))
    mount_web(app, settings)
    return app


def app_from_environment() -> FastAPI:
    """The gateway as configured by the environment: what each server process
    of ``pind-gateway`` runs (``uvicorn --factory``)."""
    settings = GatewaySettings()
    configure_logging(settings)
    return create_app(settings)
