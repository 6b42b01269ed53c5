"""One PostgreSQL connection per gateway instance that LISTENs for job
changes announced by any instance's projection and wakes local subscribers."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import asyncpg
import structlog
from sqlalchemy.engine import make_url

from pind_gateway.core.watch import JOBS_CHANNEL, AnalysisWatch

log = structlog.get_logger(__name__)

PING_INTERVAL_S = 10.0
RECONNECT_DELAY_S = 1.0


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL (``postgresql+asyncpg://…``) as a plain libpq DSN."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class JobListener:
    def __init__(self, dsn: str, watch: AnalysisWatch) -> None:
        self._dsn = dsn
        self._watch = watch
        self.listening = asyncio.Event()

    async def run(self) -> None:
        """LISTEN until cancelled, reconnecting after any loss of the connection."""
        while True:
            try:
                await self._listen_once()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("job listener lost its connection; reconnecting", error=str(exc))
            self.listening.clear()
            await asyncio.sleep(RECONNECT_DELAY_S)

    async def _listen_once(self) -> None:
        connection: asyncpg.Connection = await asyncpg.connect(self._dsn)
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _conn: lost.set())
        try:
            await connection.add_listener(JOBS_CHANNEL, self._on_notification)
            self.listening.set()
            # Whatever changed while we were not listening: every waiter re-reads.
            self._watch.notify_all()
            log.info("listening for job changes", channel=JOBS_CHANNEL)
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), timeout=PING_INTERVAL_S)
                if not lost.is_set():
                    await connection.fetchval("SELECT 1")  # notice a silently dead link
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)

    def _on_notification(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            analysis_id = uuid.UUID(payload)
        except ValueError:
            log.warning("malformed job notification ignored", payload=payload[:80])
            return
        self._watch.notify(analysis_id)
