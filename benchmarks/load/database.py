"""A PostgreSQL database of the load run's own (``pind_load_<run>``) on the
running cluster: the same roles and one schema per service as
``deploy/postgres/init.sql`` sets up for ``pind``, every service migrated into
it, dropped at the end. A running ``make up`` stack's database is never
touched."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import NullPool, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from pind_kit.migrate import SERVICES
from pind_kit.testing import run_env


def role_urls() -> dict[str, str]:
    """Each service's and the admin's database URL of the running stack (.run/env)."""
    env = run_env()
    urls = {}
    for name in (*SERVICES, "admin"):
        url = env.get(f"PIND_{name.upper()}_DATABASE_URL")
        if not url:
            raise SystemExit(
                f"PIND_{name.upper()}_DATABASE_URL is not set: run `make infra-up` "
                "(it writes .run/env)"
            )
        urls[name] = url
    return urls


def in_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@asynccontextmanager
async def own_database(run: str) -> AsyncIterator[dict[str, str]]:
    """Create ``pind_load_<run>``, migrate every service into it, yield each
    service's URL of it (and ``admin``'s); drop it on exit."""
    urls = role_urls()
    name = f"pind_load_{run}"
    admin = create_async_engine(urls["admin"], poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as db:
            await db.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
            roles = ", ".join(f"pind_{s}" for s in (*SERVICES, "admin"))
            await db.execute(text(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC'))
            await db.execute(text(f'GRANT CONNECT ON DATABASE "{name}" TO {roles}'))
        own = {service: in_database(url, name) for service, url in urls.items()}
        inside = create_async_engine(own["admin"], poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            async with inside.connect() as db:
                await db.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
                for service in SERVICES:
                    await db.execute(text(f"CREATE SCHEMA {service} AUTHORIZATION pind_{service}"))
                    await db.execute(
                        text(
                            f'ALTER ROLE pind_{service} IN DATABASE "{name}" '
                            f"SET search_path = {service}, public"
                        )
                    )
        finally:
            await inside.dispose()
        migrate(own)
        yield own
    finally:
        async with admin.connect() as db:
            await db.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def migrate(urls: dict[str, str]) -> None:
    """``pind-<service> migrate`` for each service, side by side, into ``urls``."""
    running = {
        service: subprocess.Popen(
            [sys.executable, "-m", f"pind_{service}", "migrate"],
            env={**os.environ, "PIND_DATABASE_URL": urls[service], "PIND_LOG_LEVEL": "WARNING"},
            stdout=subprocess.DEVNULL,
        )
        for service in SERVICES
    }
    failed = [s for s, p in running.items() if p.wait() != 0]
    if failed:
        raise RuntimeError(f"migrations failed for: {', '.join(failed)}")
