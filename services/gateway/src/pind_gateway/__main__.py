"""``pind-gateway`` serves the API on ``PIND_HTTP_PORT`` from
``PIND_HTTP_WORKERS`` processes; ``pind-gateway migrate`` brings the
``gateway`` schema up to date."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from pind_gateway.settings import GatewaySettings
from pind_kit.logging import configure_logging

# Each worker process is spawned and imports this module first: what it
# imports here delays the worker's answer to the supervisor's health check,
# so Alembic (for ``migrate`` only) is imported where it is used.

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

USAGE = "usage: pind-gateway [serve|migrate]\n"
WORKER_HEALTHCHECK_S = 60
"""How long uvicorn's supervisor waits for a worker process to answer its
health check. A spawned worker answers only once its interpreter has
imported this module, which takes seconds on a loaded machine (more where
no bytecode is cached): with uvicorn's default of 5 s the supervisor killed
and restarted starting workers for ever."""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "serve"
    if command not in ("serve", "migrate"):
        sys.stderr.write(USAGE)
        return 2
    settings = GatewaySettings()
    configure_logging(settings)
    if command == "migrate":
        from pind_kit.migrations import upgrade

        upgrade(settings, MIGRATIONS_DIR)
        return 0
    # Each process builds its own app (and its own consumers, relay, sweeper
    # and listener) from the environment.
    uvicorn.run(
        "pind_gateway.app:app_from_environment",
        factory=True,
        workers=settings.http_workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        host=settings.http_host,
        port=settings.http_port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        proxy_headers=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
