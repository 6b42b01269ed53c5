"""Typed errors with the HTTP status and stable code they are answered with.

One handler (:func:`install_error_handlers`) renders every one of them, and
FastAPI's own validation errors, as ``{"detail": <message>, "code": <code>}``:
``detail`` is what the legacy web client and the extension show.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pind_kit.service import unavailable_answer

log = structlog.get_logger(__name__)


class GatewayError(Exception):
    status_code = 500
    code = "internal"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class InvalidVideoUrlError(GatewayError):
    status_code = 422
    code = "invalid_url"

    def __init__(self, reason: str) -> None:
        super().__init__(f"not a YouTube video link: {reason}")


class JobNotFound(GatewayError):
    status_code = 404
    code = "job_not_found"

    def __init__(self, job_id: uuid.UUID) -> None:
        super().__init__(f"no job with id {job_id}; submit the video again to get a new job")


class VideoNotFound(GatewayError):
    status_code = 404
    code = "video_not_found"

    def __init__(self, video_id: str) -> None:
        super().__init__(f"video {video_id} has not been analysed; submit its link first")


class NotInHistory(GatewayError):
    status_code = 404
    code = "not_in_history"

    def __init__(self, video_id: str) -> None:
        super().__init__(f"video {video_id[:20]!r} is not in your history")


class BodyTooLarge(GatewayError):
    status_code = 413
    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than {limit} bytes")


class NotSignedIn(GatewayError):
    status_code = 401
    code = "not_authenticated"

    def __init__(self, why: str = "sign in first: this needs an access token") -> None:
        super().__init__(why, {"WWW-Authenticate": "Bearer"})


class InvalidToken(GatewayError):
    status_code = 401
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__(
            "the access token is invalid or expired; sign in again",
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


class AuthUnavailable(GatewayError):
    status_code = 503
    code = "auth_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "sign-in is unavailable right now; try again shortly", {"Retry-After": "5"}
        )


class RateLimited(GatewayError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, limit: int, window_s: int, retry_after_s: int, guest: bool) -> None:
        hint = " (signed-in users may submit more)" if guest else ""
        super().__init__(
            f"too many submissions: at most {limit} per {window_s} s{hint}; "
            f"try again in {retry_after_s} s",
            {"Retry-After": str(retry_after_s)},
        )


class InvalidBoundingBox(GatewayError):
    status_code = 422
    code = "invalid_bbox"

    def __init__(self, reason: str) -> None:
        super().__init__(f"bbox must be minLon,minLat,maxLon,maxLat: {reason}")


class InvalidCursor(GatewayError):
    status_code = 422
    code = "invalid_cursor"

    def __init__(self) -> None:
        super().__init__("the cursor is not one this API gave out; start from the first page")


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"detail": message, "code": code, **extra}


def body_too_large(max_bytes: int) -> tuple[int, dict[str, Any]]:
    """The 413 of :class:`pind_kit.http_limits.BodySizeLimit`, in the gateway's shape."""
    error = BodyTooLarge(max_bytes)
    return error.status_code, error_body(error.code, error.message)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
    return "invalid request: " + "; ".join(parts) if parts else "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(GatewayError)
    async def on_gateway_error(_request: Request, exc: GatewayError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        return JSONResponse(
            error_body("invalid_request", _validation_message(exc), errors=errors),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's answer to a body it cannot decode at all
            return JSONResponse(
                error_body("invalid_request", f"invalid request: {exc.detail}"), status_code=422
            )
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
        answer = unavailable_answer(exc, "the service is briefly unavailable; try again shortly")
        if answer is not None:  # the database (or Kafka) away: say when to retry
            return answer
        log.error("unhandled error", error_type=type(exc).__name__, exc_info=exc)
        return JSONResponse(
            error_body("internal", "the gateway failed to answer; try again shortly"),
            status_code=500,
        )
