"""Running a worker's machinery inside a FastAPI application's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from pind_kit.consume import Worker
from pind_kit.ops import ops_router

__all__ = ["kit_lifespan", "ops_router"]


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
