"""Root pytest configuration: the kit's fixtures for the real broker and database.

Tests run in their own Kafka topic namespace (``test.``): a test run never
feeds events to a stack started with ``make up`` on the same broker, and the
end-to-end stack uses a namespace of its own on top.
"""

import os

from pind_kit.testing import TEST_TOPIC_PREFIX

os.environ.setdefault("PIND_KAFKA_TOPIC_PREFIX", TEST_TOPIC_PREFIX)

pytest_plugins = ["pind_kit.testing"]
