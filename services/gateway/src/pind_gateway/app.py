"""Wiring: the FastAPI app, its routers, and the job projection in its lifespan."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pind_kit.service import kit_lifespan, ops_router
from pind_kit.worker import Worker

from pind_gateway.deps import GatewayContext
from pind_gateway.errors import install_error_handlers
from pind_gateway.jobs.endpoints import router as jobs_router
from pind_gateway.legacy.endpoints import router as legacy_router
from pind_gateway.middleware import BodySizeLimit
from pind_gateway.settings import GatewaySettings
from pind_gateway.subscribers import register_projection
from pind_gateway.videos.endpoints import router as videos_router
from pind_gateway.watch import AnalysisWatch

DESCRIPTION = """\
Paste a YouTube link of a travel or food vlog; get the places it shows or
talks about, with coordinates from a geocoder, evidence and confidence.

Submit with `POST /api/v1/videos`, then follow `GET /api/v1/jobs/{job_id}`.
The `legacy` endpoints keep the first backend's clients working.
Errors are always `{"detail": <message>, "code": <code>}`.
"""

TAGS = [
    {"name": "videos", "description": "Submit links for analysis."},
    {"name": "jobs", "description": "Follow an analysis and read its places."},
    {"name": "legacy", "description": "The first backend's API, for existing clients."},
    {"name": "ops", "description": "Liveness, readiness and metrics."},
]


def create_app(settings: GatewaySettings | None = None, *, worker: Worker | None = None) -> FastAPI:
    """The gateway: HTTP API plus the Kafka projection and outbox relay.

    ``worker`` may be given to share an engine (tests); otherwise one is made
    from ``settings``.
    """
    settings = settings or GatewaySettings()
    worker = worker or Worker(settings)
    watch = AnalysisWatch()
    register_projection(worker, watch, settings.consumer_group)

    app = FastAPI(
        title="pind gateway",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=kit_lifespan(worker),
    )
    app.state.gateway = GatewayContext(settings, worker.sessionmaker, watch)
    install_error_handlers(app)

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Added last so it wraps everything, 413s included: browsers need the headers.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
    )

    app.include_router(videos_router)
    app.include_router(jobs_router)
    app.include_router(legacy_router)
    app.include_router(ops_router(worker))
    return app
