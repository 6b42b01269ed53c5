"""`pind-ingest` runs the worker; `pind-ingest migrate` upgrades its schema."""

from __future__ import annotations

import sys
from pathlib import Path

from pind_ingest.app import build_worker
from pind_ingest.settings import IngestSettings
from pind_kit.migrations import upgrade

# services/ingest/migrations, beside src/ in the workspace checkout.
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

USAGE = "usage: pind-ingest [migrate]\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["migrate"]:
        upgrade(IngestSettings(), MIGRATIONS_DIR)
        return 0
    if args:
        sys.stderr.write(USAGE)
        return 2
    build_worker().run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
