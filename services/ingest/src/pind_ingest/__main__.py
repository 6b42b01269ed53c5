"""`pind-ingest` runs the worker; `pind-ingest migrate` upgrades its schema."""

from __future__ import annotations

from pathlib import Path

from pind_ingest.app import build_worker
from pind_ingest.settings import IngestSettings
from pind_kit.cli import worker_main

# services/ingest/migrations, beside src/ in the workspace checkout.
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def main(argv: list[str] | None = None) -> int:
    return worker_main("pind-ingest", IngestSettings, build_worker, MIGRATIONS_DIR, argv)


if __name__ == "__main__":
    raise SystemExit(main())
