"""Wiring: settings -> keys, hashing, tokens, mail, service -> FastAPI app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from pind_auth import endpoints
from pind_auth.adapters.smtp import SmtpMailer
from pind_auth.errors import AuthError, body_too_large
from pind_auth.security.keys import KeyRing, load_key_ring
from pind_auth.security.passwords import PasswordHashing
from pind_auth.security.tokens import AccessTokenIssuer, AccessTokenVerifier
from pind_auth.service import AuthService, Clock, Transactions, utcnow
from pind_auth.settings import AuthSettings
from pind_kit.consume import Worker
from pind_kit.http_limits import BodySizeLimit
from pind_kit.http_metrics import HttpMetricsMiddleware
from pind_kit.service import kit_lifespan, ops_router, unavailable_answer
from pind_kit.tracing import http_telemetry

log = structlog.get_logger(__name__)

SWEEP_INTERVAL_S = 600.0


def build_hashing(settings: AuthSettings) -> PasswordHashing:
    return PasswordHashing(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
        concurrency=settings.hash_concurrency,
        queue_limit=settings.hash_queue_limit,
    )


def build_verifier(settings: AuthSettings, ring: KeyRing) -> AccessTokenVerifier:
    return AccessTokenVerifier(
        ring.public_keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )


def create_app(settings: AuthSettings, *, clock: Clock = utcnow) -> FastAPI:
    worker = Worker(settings)
    ring = load_key_ring(settings)
    auth = AuthService(
        settings,
        Transactions(worker.sessionmaker),
        build_hashing(settings),
        AccessTokenIssuer(
            ring,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl_s=settings.access_token_ttl_s,
        ),
        build_verifier(settings, ring),
        SmtpMailer(settings),
        clock,
    )

    @worker.background
    async def sweep_forever() -> None:
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            try:
                log.info("swept expired auth state", **(await auth.sweep()))
            except Exception:
                log.exception("sweep failed; will try again")

    kit = kit_lifespan(worker)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with kit(app):
            yield
            await auth.drain_mail()

    app = FastAPI(
        title="pind auth",
        version="1.0.0",
        description="Accounts, sessions (EdDSA access tokens, rotating refresh tokens) "
        "and password resets for pind.",
        lifespan=lifespan,
        telemetry=http_telemetry(),
    )
    app.state.settings = settings
    app.state.service = auth
    app.state.key_ring = ring
    app.state.worker = worker
    app.include_router(endpoints.legacy)
    app.include_router(endpoints.v1)
    app.include_router(endpoints.keys)
    app.include_router(ops_router(worker.settings.service_name, worker.ready))
    _install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, answer=body_too_large)
    app.add_middleware(HttpMetricsMiddleware)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AuthError)
    async def auth_error(_request: Request, exc: AuthError) -> JSONResponse:
        if exc.log_reason:
            log.info("request refused", code=exc.error_code, reason=exc.log_reason)
        return JSONResponse(
            {"detail": exc.message, "code": exc.error_code},
            status_code=exc.status,
            headers=exc.headers(),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors: list[dict[str, Any]] = jsonable_encoder(
            [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        )
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", []) if part != "body")
        detail = f"{where}: {first['msg']}" if where else str(first["msg"])
        return JSONResponse(
            {"detail": detail, "code": "validation_error", "errors": errors}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # Starlette names only the first route's methods
            headers["Allow"] = ", ".join(_allowed_methods(app, request))
        return JSONResponse(
            {"detail": str(exc.detail), "code": f"http_{exc.status_code}"},
            status_code=exc.status_code,
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        answer = unavailable_answer(exc, "sign-in is briefly unavailable; try again shortly")
        if answer is not None:  # the database away: say when to retry
            return answer
        log.error("unhandled error", error_type=type(exc).__name__, exc_info=exc)
        return JSONResponse(
            {"detail": "the service failed to answer; try again shortly", "code": "internal"},
            status_code=500,
        )


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    methods: set[str] = set()
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path_regex.match(request.url.path):
            methods |= route.methods or set()
    return sorted(methods)
