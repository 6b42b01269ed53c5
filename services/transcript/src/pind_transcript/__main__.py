"""`pind-transcript` runs the worker; `pind-transcript migrate` upgrades its schema."""

from __future__ import annotations

from pathlib import Path

from pind_kit.cli import worker_main
from pind_transcript.app import build_worker
from pind_transcript.settings import TranscriptSettings

# services/transcript/migrations, beside src/ in the workspace checkout.
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def main(argv: list[str] | None = None) -> int:
    return worker_main("pind-transcript", TranscriptSettings, build_worker, MIGRATIONS_DIR, argv)


if __name__ == "__main__":
    raise SystemExit(main())
