"""`pind-geo` (or `pind-geo run`) runs the worker; `pind-geo migrate` upgrades
schema geo; `pind-geo extract` extracts places from JSON lines on stdin."""

from __future__ import annotations

import sys
from pathlib import Path

import structlog

from pind_geo.errors import GeoError
from pind_kit.migrations import upgrade

# services/geo/migrations, beside src/ in the workspace checkout.
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

USAGE = "usage: pind-geo [run | migrate | extract < lines.jsonl]\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "run"
    if len(args) > 1 or command not in {"run", "migrate", "extract"}:
        sys.stderr.write(USAGE)
        return 2
    try:
        if command == "migrate":
            from pind_geo.settings import GeoSettings

            upgrade(GeoSettings(), MIGRATIONS_DIR)
        elif command == "extract":
            return _extract()
        else:
            from pind_geo.app import build_worker

            build_worker().run()
    except GeoError as exc:
        sys.stderr.write(f"pind-geo: {exc}\n")
        return 1
    return 0


def _extract() -> int:
    from pind_geo.app import build_from_settings
    from pind_geo.extract import BATCH_POLICY, BadInputLine, run
    from pind_geo.settings import ExtractionSettings

    # Logs go to stderr: stdout carries the results.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    settings = ExtractionSettings()
    extractor = build_from_settings(settings, policy=BATCH_POLICY)
    try:
        run(extractor, sys.stdin, sys.stdout)
    except BadInputLine as exc:
        sys.stderr.write(f"pind-geo extract: {exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
