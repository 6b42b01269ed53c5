"""The pytest side of the kit's testing: the containers started in
``pytest_configure`` when asked for, the session fixtures (``kafka_bootstrap``,
``admin_database_url``, the unique topics' deletion) and :func:`database_url`,
which fails the test with the command to run when a setting is missing."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator

import pytest

from pind_kit.testing.infra import (
    InfraChoiceError,
    choose_infra,
    docker_available,
    infra_containers,
    run_env,
)
from pind_kit.testing.kafka import delete_unique_topics, topic_prefix

_CONTAINERS = pytest.StashKey[contextlib.ExitStack]()


def pytest_configure(config: pytest.Config) -> None:
    """Start the containers when ``PIND_TEST_INFRA=containers`` (before any
    fixture reads a setting); the process environment carries their settings to
    every fixture (:func:`run_env`) and to every process a test starts."""
    try:
        choice = choose_infra(os.environ, docker_available)
    except InfraChoiceError as exc:
        raise pytest.UsageError(str(exc)) from None
    if choice != "containers":
        return
    stack = contextlib.ExitStack()
    config.stash[_CONTAINERS] = stack
    os.environ.update(stack.enter_context(infra_containers()))


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(_CONTAINERS, None)
    if stack is not None:
        stack.close()


def database_url(service: str) -> str:
    """The asyncpg URL of ``service``'s role (``admin`` for the superuser)."""
    key = f"PIND_{service.upper()}_DATABASE_URL"
    url = run_env().get(key)
    if not url:
        pytest.fail(f"{key} is not set: run `make infra-up` (it writes .run/env)")
    return url


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """The running broker, with every contract topic in this run's namespace."""
    from pind_kit.topics import ensure_topics

    bootstrap = run_env().get("PIND_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    try:
        asyncio.run(ensure_topics(bootstrap, prefix=topic_prefix()))
    except Exception as exc:  # the broker is down: say what to run; never skip
        pytest.fail(f"Kafka at {bootstrap} is not reachable ({exc}); run `make infra-up`")
    return bootstrap


@pytest.fixture(scope="session")
def admin_database_url() -> str:
    return database_url("admin")


@pytest.fixture(scope="session", autouse=True)
def _delete_unique_topics() -> Iterator[None]:
    yield
    asyncio.run(delete_unique_topics(run_env().get("PIND_KAFKA_BOOTSTRAP", "127.0.0.1:9092")))
