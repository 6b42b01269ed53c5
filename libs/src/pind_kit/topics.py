"""Create every topic (and its dead-letter topic) with its chosen partition
count: ``python -m pind_kit.topics ensure``. Auto-creation is off on our
brokers, so a topic exists only because this made it."""

from __future__ import annotations

import asyncio
import sys

from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from pind_contracts import ALL_TOPICS
from pind_contracts.topics import DLT_PARTITIONS


class TopicSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PIND_", extra="ignore")
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_topic_prefix: str = ""
    topic_replication_factor: int = Field(default=1, ge=1)


def wanted(prefix: str = "") -> dict[str, int]:
    """Topic name → partitions, for every topic and dead-letter topic."""
    topics = {prefix + t.name: t.partitions for t in ALL_TOPICS}
    topics |= {prefix + t.dlt: DLT_PARTITIONS for t in ALL_TOPICS}
    return topics


async def ensure_topics(
    bootstrap: str, replication_factor: int = 1, prefix: str = ""
) -> dict[str, str]:
    """Create missing topics and grow under-partitioned ones; returns what was done."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="pind-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        targets = wanted(prefix)
        missing = [
            NewTopic(name, num_partitions=parts, replication_factor=replication_factor)
            for name, parts in targets.items()
            if name not in existing
        ]
        done = {name: "exists" for name in targets if name in existing}
        if missing:
            await admin.create_topics(missing)
            done |= {t.name: "created" for t in missing}
        present = [name for name in targets if name in existing]
        if present:
            described = await admin.describe_topics(present)
            grow = {
                d["topic"]: NewPartitions(targets[d["topic"]])
                for d in described
                if len(d["partitions"]) < targets[d["topic"]]
            }
            if grow:
                await admin.create_partitions(grow)
                done |= {name: "grown" for name in grow}
        return done
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] not in (["ensure"], []):
        sys.stderr.write("usage: python -m pind_kit.topics ensure\n")
        return 2
    settings = TopicSettings()
    done = asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap,
            settings.topic_replication_factor,
            settings.kafka_topic_prefix,
        )
    )
    for name, what in sorted(done.items()):
        sys.stdout.write(f"{what:8} {name}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
