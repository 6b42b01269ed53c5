"""``pind-gateway`` serves the API on ``PIND_HTTP_PORT`` from
``PIND_HTTP_WORKERS`` processes, which share one ``/metrics`` (Prometheus
multiprocess mode, in a folder under the run dir that this parent process
empties at start and removes at exit); what else they run depends on
``PIND_ROLE`` (all: the projection, revocations and sweeper too; api: only
what serving needs). ``pind-gateway projector`` (or ``PIND_ROLE=projector``) runs the
projector instead (:mod:`pind_gateway.projector`); ``pind-gateway migrate``
brings the ``gateway`` schema up to date."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
from pathlib import Path

import uvicorn

from pind_gateway.settings import GatewaySettings
from pind_kit.logging import configure_logging

# Each worker process is spawned and imports this module first: what it
# imports here delays the worker's answer to the supervisor's health check,
# so Alembic (for ``migrate`` only) is imported where it is used.

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

USAGE = "usage: pind-gateway [serve|projector|migrate]\n"
WORKER_HEALTHCHECK_S = 60
"""How long uvicorn's supervisor waits for a worker process to answer its
health check. A spawned worker answers only once its interpreter has
imported this module, which takes seconds on a loaded machine (more where
no bytecode is cached): with uvicorn's default of 5 s the supervisor killed
and restarted starting workers for ever."""


def metrics_dir(port: int) -> Path:
    """Where the server processes on ``port`` keep their metrics: under the run
    dir (``PIND_RUN_DIR``, default ``.run``), one folder per port, so gateways
    on other ports never share or empty it."""
    return Path(os.environ.get("PIND_RUN_DIR", ".run")) / "metrics" / f"gateway-{port}"


def fresh_metrics_dir(port: int) -> Path:
    """Empty (or create) :func:`metrics_dir` and point ``PROMETHEUS_MULTIPROC_DIR``
    at it, for the worker processes to inherit: what a previous run left there
    would otherwise be added to this run's figures."""
    folder = metrics_dir(port)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "serve"
    if command not in ("serve", "projector", "migrate"):
        sys.stderr.write(USAGE)
        return 2
    settings = GatewaySettings()
    if command == "projector":
        settings = settings.model_copy(update={"role": "projector"})
    configure_logging(settings)
    if settings.role == "projector" and command != "migrate":
        from pind_gateway.projector import run_projector

        run_projector(settings)
        return 0
    if command == "migrate":
        from pind_kit.migrations import upgrade

        upgrade(settings, MIGRATIONS_DIR)
        return 0
    # Each process builds its own app (with PIND_ROLE=all its own consumers
    # and sweeper too) from the environment; their metrics meet in one folder.
    if settings.http_workers > 1:
        atexit.register(shutil.rmtree, fresh_metrics_dir(settings.http_port), True)
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
        ws_max_size=settings.ws_max_message_bytes,  # a larger message closes 1009 unbuffered
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
