"""`pind-vision` runs the worker; `pind-vision migrate` upgrades its schema."""

from __future__ import annotations

import sys
from pathlib import Path

from pind_kit.migrations import upgrade
from pind_vision.app import build_worker
from pind_vision.settings import VisionSettings

# services/vision/migrations, beside src/ in the workspace checkout.
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

USAGE = "usage: pind-vision [migrate]\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["migrate"]:
        upgrade(VisionSettings(), MIGRATIONS_DIR)
        return 0
    if args:
        sys.stderr.write(USAGE)
        return 2
    build_worker().run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
