"""The AsyncAPI document of every pind topic: ``python -m pind_kit.asyncapi``.

Built by FastStream from a broker on which every topic is declared as a
publisher with its payload model, so downstream teams see each message's
JSON Schema, key and meaning in one document.
"""

from __future__ import annotations

import sys
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from pind_contracts import ALL_TOPICS


def document() -> Any:
    broker = KafkaBroker("127.0.0.1:9092", description="pind's Kafka cluster")
    for topic in ALL_TOPICS:
        publisher = broker.publisher(
            topic.name,
            title=topic.name,
            description=(
                f"{topic.description} Key: {topic.key}. Partitions: {topic.partitions}. "
                "CloudEvents Kafka binding, binary mode (ce_* headers). "
                f"Failed messages go to {topic.dlt} with pind_dlt_* headers."
            ),
            schema=topic.payload,
        )
        _ = publisher
    spec = AsyncAPI(
        broker,
        title="pind events",
        version="1.0.0",
        description="Events exchanged by pind's services and offered to analytics consumers.",
        schema_version="3.0.0",
    )
    return spec.to_specification()


def main() -> int:
    fmt = sys.argv[1] if len(sys.argv) > 1 else "yaml"
    spec = document()
    sys.stdout.write(spec.to_yaml() if fmt == "yaml" else spec.to_json())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
