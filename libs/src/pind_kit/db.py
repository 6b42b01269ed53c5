"""Engine, sessions and the tables the kit keeps in every service's schema."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from pind_kit.settings import ServiceSettings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


TOPIC_PREFIX_OPTION = "pind_topic_prefix"


def make_engine(settings: ServiceSettings) -> AsyncEngine:
    """An asyncpg engine whose search_path is the service's own schema. It
    carries the deployment's topic namespace, so outbox rows written through
    it name the physical topic whichever relay publishes them."""
    engine = create_async_engine(
        settings.database_url.get_secret_value(),
        execution_options={TOPIC_PREFIX_OPTION: settings.kafka_topic_prefix},
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        connect_args={
            "server_settings": {
                "search_path": settings.db_schema,
                "application_name": f"pind-{settings.service_name}",
            }
        },
    )
    check_on_checkout(engine, ping_after_idle_s=settings.db_ping_after_idle_s)
    return engine


_RETURNED_AT = "pind_returned_at"


def check_on_checkout(engine: AsyncEngine, *, ping_after_idle_s: float) -> None:
    """Hand out only live connections, without a round trip per checkout.

    SQLAlchemy's ``pool_pre_ping`` costs three round trips (BEGIN, a ping,
    ROLLBACK) at every checkout — more than many of the kit's transactions
    themselves. Instead: a connection the server closed (a restart, a
    failover, an administrator's terminate: asyncpg sees the socket close) is
    replaced at checkout for free, and only a connection idle for longer than
    ``ping_after_idle_s`` (where a silent network drop may hide) is pinged. A
    connection that dies unannounced while in use fails its statement: an
    infrastructure error the kit retries (:mod:`pind_kit.faults`), and
    SQLAlchemy then replaces every connection of the pool opened before it.
    """

    @sa_event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @sa_event.listens_for(engine.sync_engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        connection = getattr(dbapi_connection, "_connection", None)  # asyncpg's
        if connection is not None and connection.is_closed():
            raise sa_exc.DisconnectionError("the server closed this pooled connection")
        returned = record.info.get(_RETURNED_AT)
        if returned is not None and time.monotonic() - returned > ping_after_idle_s:
            try:
                dbapi_connection.ping()
            except Exception as exc:
                raise sa_exc.DisconnectionError("a pooled connection did not answer") from exc


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@contextlib.asynccontextmanager
async def single_statements(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session whose every statement is a transaction of its own (autocommit):
    no BEGIN and COMMIT round trips around it. For a read, or for a write of
    one statement; under READ COMMITTED a lone statement sees its own
    snapshot either way. Commit hooks (the outbox relay's wake-up) still run
    when the block ends."""
    async with sessionmaker() as session:
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session
        await session.commit()


def add_kit_tables(metadata: MetaData) -> None:
    """Declare ``processed_events`` and ``outbox`` in ``metadata``'s schema."""
    Table(
        "processed_events",
        metadata,
        Column("consumer", String(200), primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("topic", String(249), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("topic", String(249), nullable=False),
        Column("key", Text, nullable=True),
        Column("value", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def service_metadata(schema: str) -> MetaData:
    """A MetaData for a service's tables, in its own schema, with the kit's tables."""
    metadata = MetaData(schema=schema, naming_convention=NAMING_CONVENTION)
    add_kit_tables(metadata)
    return metadata


# The same tables without a schema, for the kit's own statements: every engine
# made by ``make_engine`` sets ``search_path`` to the service's schema.
_KIT = MetaData()
add_kit_tables(_KIT)
PROCESSED_EVENTS: Table = _KIT.tables["processed_events"]
OUTBOX: Table = _KIT.tables["outbox"]
