"""Pytest fixtures and helpers for tests against the real broker and database.

Loaded by the root ``conftest.py`` (``pytest_plugins = ["pind_kit.testing"]``);
needs pind-kit's ``testing`` extra (pytest; testcontainers for the second path).
Where Kafka and PostgreSQL come from is :func:`choose_infra`'s answer to
``PIND_TEST_INFRA``: ``local`` (the default) uses the processes ``make test``
starts (``make infra-up``); ``containers`` starts testcontainers' Kafka and
PostgreSQL modules for the session (:func:`infra_containers`) and points every
fixture and every process the tests start at them, through the same
``PIND_*`` settings. A test that needs the stack and finds it down fails with
the command to run; it is never skipped.

Split by what it needs: :mod:`.infra` (settings, the choice of infrastructure,
the containers) and :mod:`.kafka` (topics, publishing, reading, running a
worker) import no pytest; :mod:`.plugin` holds the hooks and fixtures. All are
re-exported here, so ``pytest_plugins = ["pind_kit.testing"]`` registers the
hooks and fixtures and tests import helpers from ``pind_kit.testing``.
No production module imports this package (an import-linter contract says so).
"""

from pind_kit.testing.infra import (
    DATABASE_ROLES,
    INFRA_SETTING,
    KAFKA_IMAGE,
    POSTGRES_IMAGE,
    REPO_ROOT,
    Infra,
    InfraChoiceError,
    choose_infra,
    closed_port,
    database_away,
    docker_available,
    infra_containers,
    run_env,
)
from pind_kit.testing.kafka import (
    TEST_TOPIC_PREFIX,
    KafkaRecord,
    TopicReader,
    commit_group_at_end,
    create_topics,
    physical_topic,
    publish_event,
    publish_raw,
    running,
    stage_ended,
    stage_reports,
    stand_in_topic,
    topic_prefix,
    unique_topic,
)
from pind_kit.testing.plugin import (
    _delete_unique_topics,
    admin_database_url,
    database_url,
    kafka_bootstrap,
    pytest_configure,
    pytest_unconfigure,
)

__all__ = [
    "DATABASE_ROLES",
    "INFRA_SETTING",
    "KAFKA_IMAGE",
    "POSTGRES_IMAGE",
    "REPO_ROOT",
    "TEST_TOPIC_PREFIX",
    "Infra",
    "InfraChoiceError",
    "KafkaRecord",
    "TopicReader",
    "_delete_unique_topics",
    "admin_database_url",
    "choose_infra",
    "closed_port",
    "commit_group_at_end",
    "create_topics",
    "database_away",
    "database_url",
    "docker_available",
    "infra_containers",
    "kafka_bootstrap",
    "physical_topic",
    "publish_event",
    "publish_raw",
    "pytest_configure",
    "pytest_unconfigure",
    "run_env",
    "running",
    "stage_ended",
    "stage_reports",
    "stand_in_topic",
    "topic_prefix",
    "unique_topic",
]
