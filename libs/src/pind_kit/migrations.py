"""Alembic glue shared by every service: one env.py body, the kit's tables,
and an upgrade that concurrent starters cannot race."""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from pind_kit.settings import ServiceSettings


def create_kit_tables(op: object, schema: str) -> None:
    """Create ``processed_events`` and ``outbox`` in ``schema`` (first revision)."""
    from pind_kit.db import service_metadata

    metadata = service_metadata(schema)
    bind = op.get_bind()  # type: ignore[attr-defined]
    metadata.create_all(
        bind,
        tables=[metadata.tables[f"{schema}.processed_events"], metadata.tables[f"{schema}.outbox"]],
    )


def drop_kit_tables(op: object, schema: str) -> None:
    op.drop_table("outbox", schema=schema)  # type: ignore[attr-defined]
    op.drop_table("processed_events", schema=schema)  # type: ignore[attr-defined]


def run_alembic_env(target_metadata: MetaData, schema: str) -> None:
    """The whole body of a service's ``migrations/env.py``.

    The URL comes from the Alembic config's ``sqlalchemy.url`` (set by
    :func:`upgrade`); the version table lives in the service's schema.
    """
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not set; run migrations with `pind-<svc> migrate`")

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table_schema=schema,
            include_schemas=False,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(
            url=url,
            target_metadata=target_metadata,
            version_table_schema=schema,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.execute(text(f'SET search_path TO "{schema}"'))
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run_async())


def upgrade(settings: ServiceSettings, migrations_dir: Path, revision: str = "head") -> None:
    """``alembic upgrade head`` for one service, under a PostgreSQL advisory
    lock keyed by its schema so two instances starting together do not race."""
    url = settings.database_url.get_secret_value()
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    lock_key = zlib.crc32(f"pind-migrate:{settings.db_schema}".encode())

    async def locked() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": lock_key})
            try:
                await asyncio.to_thread(command.upgrade, config, revision)
            finally:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key})
        await engine.dispose()

    asyncio.run(locked())
