"""The command line every worker service shares: ``pind-<svc>`` runs the
worker, ``pind-<svc> migrate`` upgrades the service's schema."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from pind_kit.consume import Worker
from pind_kit.migrations import upgrade
from pind_kit.settings import ServiceSettings


def worker_main(
    name: str,
    settings: Callable[[], ServiceSettings],
    build_worker: Callable[[], Worker],
    migrations_dir: Path,
    argv: list[str] | None = None,
) -> int:
    """Entry point of a worker's console script; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["migrate"]:
        upgrade(settings(), migrations_dir)
        return 0
    if args:
        sys.stderr.write(f"usage: {name} [migrate]\n")
        return 2
    build_worker().run()
    return 0
