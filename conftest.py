"""Root pytest configuration: the kit's fixtures for the real broker and database.

Tests run in their own Kafka topic namespace (``test.``): a test run never
feeds events to a stack started with ``make up`` on the same broker, and the
end-to-end stack uses a namespace of its own on top.
"""

import os

# Not imported from pind_kit.testing: importing it here would stop pytest from
# rewriting its asserts when it loads it as a plugin below.
os.environ.setdefault("PIND_KAFKA_TOPIC_PREFIX", "test.")

pytest_plugins = ["pind_kit.testing"]
