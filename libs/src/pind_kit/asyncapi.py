"""The AsyncAPI document of every pind topic: ``python -m pind_kit.asyncapi``.

Built by FastStream from a broker on which every topic is declared as a
publisher with its payload model, so downstream teams see each message's
JSON Schema, key and meaning in one document.

The output is deterministic: FastStream collects the publishers in an order
that changes from one interpreter run to the next (it depends on string
hashing), so channels, operations, messages and schemas are written sorted by
name and the committed ``docs/asyncapi.yaml`` is exactly what this writes.
"""

from __future__ import annotations

import sys
from typing import TypeVar

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from faststream.specification.asyncapi.v3_0_0.schema import ApplicationSchema

from pind_contracts import ALL_TOPICS

T = TypeVar("T")


def _sorted(mapping: dict[str, T]) -> dict[str, T]:
    return dict(sorted(mapping.items()))


def document() -> ApplicationSchema:
    """The AsyncAPI 3.0 specification (a FastStream model; ``to_yaml()``,
    ``to_json()``), with channels, operations, messages and schemas sorted."""
    broker = KafkaBroker("127.0.0.1:9092", description="pind's Kafka cluster")
    for topic in ALL_TOPICS:
        broker.publisher(
            topic.name,
            title=topic.name,
            description=(
                f"{topic.description} Key: {topic.key}. Partitions: {topic.partitions}. "
                "CloudEvents Kafka binding, binary mode (ce_* headers). "
                f"Failed messages go to {topic.dlt} with pind_dlt_* headers."
            ),
            schema=topic.payload,
        )
    spec = AsyncAPI(
        broker,
        title="pind events",
        version="1.0.0",
        description="Events exchanged by pind's services and offered to analytics consumers.",
        schema_version="3.0.0",
    )
    schema = spec.to_specification()
    if not isinstance(schema, ApplicationSchema):
        raise TypeError(f"expected an AsyncAPI 3.0.0 document, FastStream built {type(schema)}")
    schema.channels = _sorted(schema.channels)
    schema.operations = _sorted(schema.operations)
    if schema.components is not None:
        if schema.components.messages is not None:
            schema.components.messages = _sorted(schema.components.messages)
        if schema.components.schemas is not None:
            schema.components.schemas = _sorted(schema.components.schemas)
    return schema


def render(fmt: str = "yaml") -> str:
    """The document as ``yaml`` (what ``docs/asyncapi.yaml`` holds) or ``json``."""
    schema = document()
    return schema.to_yaml() if fmt == "yaml" else schema.to_json()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    fmt = args[0] if args else "yaml"
    if fmt not in ("yaml", "json"):
        sys.stderr.write("usage: python -m pind_kit.asyncapi [yaml|json]\n")
        return 2
    sys.stdout.write(render(fmt))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
