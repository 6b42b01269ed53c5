"""Which failures belong to the infrastructure, and waiting them out quietly.

An *infrastructure error* says that PostgreSQL or Kafka cannot serve right
now: a refused or dropped connection, a failover, a serialization failure or
deadlock the database asks us to retry, a broker timeout. It says nothing
about the event being handled, so the kit retries it with backoff for as long
as the dependency is down — it is never dead-lettered and never counted as the
handler's failure. Everything else (a handler's own :class:`TransientError`, a
permanent error, a poison event) keeps its bounded retries and the DLT.

A handler's outward calls (YouTube, a geocoder, Gemini) are *not*
infrastructure: the handler classifies those itself. That is why only errors
of the database and Kafka clients, and bare socket errors they let through,
are recognised here; an HTTP client's error wrapping a refused connection is not.

:class:`Outage` turns a stream of failed tries into one warning when a
dependency goes away and one summary when it is back, instead of a traceback
every few seconds.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from aiokafka import errors as kafka_errors
from sqlalchemy import exc as sa_exc

from pind_kit.errors import TransientError
from pind_kit.metrics import INFRA_OUTAGES, INFRA_RETRIES

log = structlog.get_logger(__name__)

# SQLSTATE classes and codes that mean "try again": connection exception (08),
# insufficient resources (53), operator intervention such as an admin
# shutdown or a failover (57), system error (58); serialization failure and
# deadlock (40001, 40P01).
_RETRY_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58"})
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})


def _sqlstate(exc: BaseException) -> str | None:
    for candidate in (exc, getattr(exc, "orig", None), exc.__cause__):
        code = getattr(candidate, "sqlstate", None)
        if isinstance(code, str):
            return code
    return None


def _retryable_sqlstate(exc: BaseException) -> bool:
    code = _sqlstate(exc)
    return code is not None and (code in _RETRY_SQLSTATES or code[:2] in _RETRY_SQLSTATE_CLASSES)


def _asyncpg_connection_error(exc: BaseException) -> bool:
    return isinstance(
        exc,
        asyncpg.exceptions.PostgresConnectionError
        | asyncpg.exceptions.InterfaceError
        | asyncpg.exceptions.ConnectionDoesNotExistError,
    )


def is_infrastructure_error(exc: BaseException) -> bool:
    """True when ``exc`` says the database or the broker cannot serve now."""
    if isinstance(exc, TransientError):
        return False  # the handler's own verdict about its outward call
    if isinstance(exc, ConnectionError | TimeoutError | asyncio.TimeoutError):
        return True  # what asyncpg and aiokafka raise bare while connecting
    if isinstance(exc, OSError) and exc.filename is None:
        # connect() failures: "network unreachable", or asyncio's "Multiple
        # exceptions: ..." when every address of a host refused; not file errors.
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated or _retryable_sqlstate(exc):
            return True
        if isinstance(exc, sa_exc.InterfaceError):
            return True
        cause = exc.orig.__cause__ if exc.orig is not None else None
        return cause is not None and _asyncpg_connection_error(cause)
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if _asyncpg_connection_error(exc) or _retryable_sqlstate(exc):
        return True
    if isinstance(exc, kafka_errors.KafkaError):
        return bool(exc.retriable) or isinstance(
            exc, kafka_errors.KafkaTimeoutError | kafka_errors.KafkaConnectionError
        )
    return False


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    return text if len(text) <= 300 else text[:299] + "…"


@dataclass
class Outage:
    """Quiet backoff for one loop that depends on the database or Kafka.

    ``failed`` logs a warning on the first failure of an outage and counts the
    rest; ``recovered`` logs how long it lasted and how many tries failed.
    ``delay`` is the backoff to wait before the next try.
    """

    what: str
    initial_s: float = 0.2
    max_s: float = 5.0
    failures: int = 0
    delay: float = field(init=False)
    _since: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.delay = self.initial_s

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def failed(self, exc: BaseException, **context: Any) -> float:
        """Note a failed try; returns the delay to wait before the next."""
        if self._since is None:
            self._since = time.monotonic()
            self.failures = 0
            self.delay = self.initial_s
            INFRA_OUTAGES.labels(self.what).inc()
            log.warning(
                "dependency unavailable; retrying quietly until it is back",
                loop=self.what,
                error=describe(exc),
                **context,
            )
        else:
            self.delay = min(self.delay * 2, self.max_s)
        self.failures += 1
        INFRA_RETRIES.labels(self.what).inc()
        return self.delay

    def recovered(self, **context: Any) -> None:
        """End the outage (if any) with a one-line summary."""
        if self._since is None:
            return
        lasted = time.monotonic() - self._since
        log.warning(
            "dependency back; resuming",
            loop=self.what,
            outage_s=round(lasted, 1),
            failed_tries=self.failures,
            **context,
        )
        self._since = None
        self.failures = 0
        self.delay = self.initial_s

    async def wait(self, exc: BaseException, **context: Any) -> None:
        """``failed`` and then sleep its delay."""
        await asyncio.sleep(self.failed(exc, **context))
