"""Where the tests' Kafka and PostgreSQL come from: the settings ``.run/env`` and
the environment give (:func:`run_env`), ``PIND_TEST_INFRA`` read by
:func:`choose_infra` (``local`` or ``containers``), and testcontainers' Kafka and
PostgreSQL prepared as the local stack is (:func:`infra_containers`). No pytest."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from pind_kit.settings import ServiceSettings

REPO_ROOT = Path(__file__).resolve().parents[4]


def run_env() -> dict[str, str]:
    """Settings written by ``deploy/postgres/setup.sh`` into ``.run/env``,
    overridden by the process environment."""
    run_dir = Path(os.environ.get("PIND_RUN_DIR", REPO_ROOT / ".run"))
    values: dict[str, str] = {}
    env_file = run_dir / "env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip().strip("'\"")
    values.update({k: v for k, v in os.environ.items() if k.startswith("PIND_")})
    return values


INFRA_SETTING = "PIND_TEST_INFRA"
Infra = Literal["local", "containers"]
# testcontainers' Kafka module drives Confluent's image (KRaft from 7.0); the
# local stack runs Apache Kafka 4.1 from Maven Central.
KAFKA_IMAGE = "confluentinc/cp-kafka:7.6.0"
POSTGRES_IMAGE = "postgres:15"
DATABASE_ROLES = ("auth", "gateway", "ingest", "transcript", "vision", "geo", "admin")


class InfraChoiceError(RuntimeError):
    """``PIND_TEST_INFRA`` asks for what this machine cannot give."""


def choose_infra(env: Mapping[str, str], docker_available: Callable[[], bool]) -> Infra:
    """``local`` (default) or ``containers`` from ``env[PIND_TEST_INFRA]``.
    ``docker_available`` is asked only when containers are wanted; without an
    engine that answers, that is an error saying what to do, never a silent
    fall back to the local processes."""
    raw = env.get(INFRA_SETTING, "")
    wanted = raw.strip().lower() or "local"
    if wanted == "local":
        return "local"
    if wanted != "containers":
        raise InfraChoiceError(
            f"{INFRA_SETTING}={raw!r} is not a choice: use local (the default: the Kafka and "
            "PostgreSQL processes `make test` starts) or containers (testcontainers, needs Docker)"
        )
    if not docker_available():
        where = env.get("DOCKER_HOST") or "the default socket, /var/run/docker.sock"
        raise InfraChoiceError(
            f"{INFRA_SETTING}=containers needs a Docker engine, and none answered at {where}: "
            f"start Docker (or set DOCKER_HOST), or unset {INFRA_SETTING} to run the tests on "
            "the local Kafka and PostgreSQL that `make test` starts"
        )
    return "containers"


def docker_available(timeout_s: float = 5.0) -> bool:
    """Whether a Docker engine answers a ping (``DOCKER_HOST`` or the default socket)."""
    try:
        import docker  # testcontainers' engine client (pind-kit[testing])
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=int(max(1, timeout_s)))
    except Exception:  # docker.errors.DockerException: no engine, bad DOCKER_HOST, ...
        return False
    try:
        return bool(client.ping())
    except Exception:  # the engine did not answer
        return False
    finally:
        client.close()


@contextlib.contextmanager
def infra_containers() -> Iterator[dict[str, str]]:
    """Kafka (KRaft) and PostgreSQL 15 in containers, prepared as the local
    stack is: the roles and schemas of ``deploy/postgres/init.sql`` (applied by
    ``deploy/docker/postgres-init.sh``, as docker-compose does), every
    service's migrations. Yields the ``PIND_*`` settings that point at them."""
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.postgres import PostgresContainer

    passwords = {role: secrets.token_hex(16) for role in DATABASE_ROLES}
    postgres = (
        PostgresContainer(
            POSTGRES_IMAGE,
            username="postgres",
            password=secrets.token_hex(16),
            dbname="pind",
            driver="asyncpg",
        )
        .with_copy_into_container(REPO_ROOT / "deploy/postgres/init.sql", "/pind/init.sql")
        .with_copy_into_container(
            REPO_ROOT / "deploy/docker/postgres-init.sh",
            "/docker-entrypoint-initdb.d/10-pind.sh",
            0o755,
        )
    )
    for role, password in passwords.items():
        postgres.with_env(f"PIND_{role.upper()}_DB_PASSWORD", password)
    with postgres, KafkaContainer(KAFKA_IMAGE).with_kraft() as kafka:
        host = postgres.get_container_host_ip()
        port = postgres.get_exposed_port(5432)
        settings = {
            f"PIND_{role.upper()}_DATABASE_URL": (
                f"postgresql+asyncpg://pind_{role}:{password}@{host}:{port}/pind"
            )
            for role, password in passwords.items()
        }
        settings["PIND_KAFKA_BOOTSTRAP"] = kafka.get_bootstrap_server()
        migrated = subprocess.run(
            [sys.executable, "-m", "pind_kit.migrate"],
            env={**os.environ, **settings},
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if migrated.returncode != 0:
            raise InfraChoiceError(
                "migrations on the PostgreSQL container failed:\n"
                + (migrated.stdout + migrated.stderr)[-3000:]
            )
        yield settings


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released): a
    dependency that refuses every connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


S = TypeVar("S", bound=ServiceSettings)


def database_away(settings: S) -> S:
    """``settings`` with the database URL's port one nothing listens on: every
    connection is refused, as while PostgreSQL is down."""
    url = make_url(settings.database_url.get_secret_value()).set(port=closed_port())
    return settings.model_copy(
        update={"database_url": SecretStr(url.render_as_string(hide_password=False))}
    )
