"""``pind-auth`` (serve on PIND_HTTP_PORT), ``pind-auth migrate``, ``pind-auth keygen DIR``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import structlog
import uvicorn

from pind_auth.security.keys import thumbprint, write_new_key
from pind_auth.settings import AuthSettings
from pind_kit.logging import configure_logging
from pind_kit.migrations import upgrade
from pind_kit.settings import ServiceSettings

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

log = structlog.get_logger(__name__)


def serve(settings: AuthSettings) -> None:
    from pind_auth.app import create_app

    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        proxy_headers=False,  # X-Forwarded-For is read only from trusted_proxies
    )


def keygen(directory: Path) -> Path:
    """Write a new Ed25519 private key (mode 0600) named so that it sorts last."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.pem"
    key = write_new_key(path)
    sys.stdout.write(f"{path}\tkid={thumbprint(key.public_key())}\n")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pind-auth", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the HTTP service (the default)")
    commands.add_parser("migrate", help="apply database migrations")
    generate = commands.add_parser("keygen", help="write a new Ed25519 signing key")
    generate.add_argument("directory", type=Path)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    if args.command == "keygen":
        keygen(args.directory)
        return
    if args.command == "migrate":
        # Migrations need the database only, not the signing keys.
        base = ServiceSettings(service_name="auth", db_schema="auth")
        configure_logging(base)
        upgrade(base, MIGRATIONS_DIR)
        log.info("migrations applied")
        return
    settings = AuthSettings()  # required fields come from the environment
    configure_logging(settings)
    serve(settings)


if __name__ == "__main__":
    main()
