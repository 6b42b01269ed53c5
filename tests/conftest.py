"""The whole system for the tests under ``tests/`` (end to end and chaos):
one topic namespace and one stack of six service processes per session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from pind_fakes.server import fakes_running
from pind_kit.testing import run_env
from pind_kit.topics import ensure_topics
from tests.e2e.stack import Stack, running_stack


@pytest.fixture(scope="session")
async def topic_namespace() -> AsyncIterator[str]:
    """A topic namespace of this e2e run only: the services see no backlog
    left by other tests, and the topics are deleted afterwards."""
    bootstrap = run_env().get("PIND_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    prefix = f"e2e{uuid.uuid4().hex[:8]}."
    created = await ensure_topics(bootstrap, prefix=prefix)
    yield prefix
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics(list(created))
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def stack(topic_namespace: str) -> AsyncIterator[Stack]:
    async with (
        fakes_running() as urls,
        running_stack(
            {"youtube": urls.youtube, "gemini": urls.gemini, "geocoders": urls.geocoders},
            topic_prefix=topic_namespace,
        ) as running,
    ):
        yield running
