"""Running a worker's machinery inside a FastAPI application's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from pind_kit.consume import Worker
from pind_kit.faults import describe, is_infrastructure_error
from pind_kit.ops import ops_router

__all__ = ["kit_lifespan", "ops_router", "unavailable_answer"]

log = structlog.get_logger(__name__)

RETRY_AFTER_S = 5
"""What a 503 while a dependency is away asks clients to wait."""


def unavailable_answer(exc: Exception, detail: str) -> JSONResponse | None:
    """The 503 (code ``unavailable``, ``Retry-After``) for a request that
    failed because PostgreSQL or Kafka cannot serve now; None for any other
    error, which the caller answers as its own."""
    if not is_infrastructure_error(exc):
        return None
    log.warning("a dependency is unavailable", error=describe(exc))
    return JSONResponse(
        {"detail": detail, "code": "unavailable"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def kit_lifespan(worker: Worker) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan that starts the worker's consumers, outbox relay
    and producer with the app, and stops them gracefully with it.

    An HTTP service serves from PostgreSQL: it starts (and stays ready) while
    Kafka is away, its outbox buffering what it emits, and connects to the
    broker in the background once it answers."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await worker.start(wait_for_kafka=False)
        try:
            yield
        finally:
            await worker.stop()

    return lifespan
