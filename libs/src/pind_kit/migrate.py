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
    for service in wanted:
        url: SecretStr = getattr(settings, f"{service}_database_url")
        env = dict(os.environ, PIND_DATABASE_URL=url.get_secret_value())
        sys.stdout.write(f"migrating {service}\n")
        sys.stdout.flush()
        done = subprocess.run(
            [sys.executable, "-m", f"pind_{service}", "migrate"], env=env, check=False
        )
        if done.returncode != 0:
            sys.stderr.write(f"migrations of {service} failed (exit {done.returncode})\n")
            return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
