"""Run every service's migrations with that service's own role:
``python -m pind_kit.migrate`` (used by ``make up`` and ``make test``).

Each service owns its migrations (``pind-<svc> migrate``); this only runs them
in turn with the right database URL from the environment / ``.run/env``.
"""

from __future__ import annotations

import os
import subprocess
import sys

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("auth", "gateway", "ingest", "transcript", "vision", "geo")


class MigrateSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIND_", env_file=".run/env", extra="ignore")
    auth_database_url: SecretStr
    gateway_database_url: SecretStr
    ingest_database_url: SecretStr
    transcript_database_url: SecretStr
    vision_database_url: SecretStr
    geo_database_url: SecretStr


def main(argv: list[str] | None = None) -> int:
    wanted = (sys.argv[1:] if argv is None else argv) or list(SERVICES)
    settings = MigrateSettings()
    # Each service migrates its own schema with its own role: independent, so
    # they run side by side (start-up of six interpreters dominates).
    running: dict[str, subprocess.Popen[bytes]] = {}
    for service in wanted:
        url: SecretStr = getattr(settings, f"{service}_database_url")
        env = dict(os.environ, PIND_DATABASE_URL=url.get_secret_value())
        command = [sys.executable, "-m", f"pind_{service}", "migrate"]
        running[service] = subprocess.Popen(command, env=env)
    failed = {name: p.wait() for name, p in running.items()}
    failed = {name: rc for name, rc in failed.items() if rc != 0}
    for name, rc in failed.items():
        sys.stderr.write(f"migrations of {name} failed (exit {rc})\n")
    if not failed:
        sys.stdout.write(f"migrated: {', '.join(wanted)}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
