"""``pind-dlt``: look at and replay what the services dead-lettered.

A dead letter is the original record (value, key, CloudEvents headers) plus
``pind_dlt_*`` headers saying which consumer gave up, why, after how many
tries and when (:mod:`pind_kit.consume.delivery`). This tool reads the
``<topic>.dlt`` topics of one namespace (``PIND_KAFKA_TOPIC_PREFIX``)::

    pind-dlt list   [--topic T] [--id EVENT_ID] [--since TIME] [--until TIME] [--json]
    pind-dlt show   EVENT_ID
    pind-dlt replay [--topic T] [--id EVENT_ID] [--since TIME] [--until TIME] [--dry-run]

``replay`` publishes each selected record again to its original topic with
its original key and headers, through the normal path, marked
``pind_replay_for=<consumer>``: the consumer that gave up handles it again
(its processed mark is replaced), every other consumer of the topic skips it
as already handled. Fix what made it fail first; replay each letter once.
See docs/runbook.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from pind_contracts.topics import DLT_SUFFIX
from pind_kit.consume.delivery import DLT_HEADER_PREFIX
from pind_kit.consume.incoming import REPLAY_FOR

REPLAYED_FROM = "pind_replayed_from"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    dlt: str
    """The physical dead-letter topic."""
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str:
        for key, value in self.headers:
            if key == name:
                return value.decode("utf-8", "replace")
        return ""

    @property
    def event_id(self) -> str:
        return self.header("ce_id")

    @property
    def original_topic(self) -> str:
        return self.header(DLT_HEADER_PREFIX + "original_topic") or self.dlt.removesuffix(
            DLT_SUFFIX
        )

    @property
    def consumer(self) -> str:
        return self.header(DLT_HEADER_PREFIX + "consumer")

    @property
    def failed_at(self) -> datetime | None:
        text = self.header(DLT_HEADER_PREFIX + "failed_at")
        try:
            return datetime.fromisoformat(text) if text else None
        except ValueError:
            return None

    def summary(self) -> dict[str, object]:
        failed_at = self.failed_at
        return {
            "dlt": self.dlt,
            "at": f"{self.partition}:{self.offset}",
            "event_id": self.event_id or None,
            "type": self.header("ce_type") or None,
            "original_topic": self.original_topic,
            "consumer": self.consumer or None,
            "error": self.header(DLT_HEADER_PREFIX + "error") or None,
            "attempts": self.header(DLT_HEADER_PREFIX + "attempts") or None,
            "failed_at": failed_at.isoformat() if failed_at else None,
        }

    def replay_headers(self) -> list[tuple[str, bytes]]:
        """The original headers, with who should handle the replay and from where it came."""
        kept = [
            (k, v)
            for k, v in self.headers
            if not k.startswith(DLT_HEADER_PREFIX) and k not in (REPLAY_FOR, REPLAYED_FROM)
        ]
        origin = f"{self.dlt}:{self.partition}:{self.offset}".encode()
        return [*kept, (REPLAY_FOR, self.consumer.encode()), (REPLAYED_FROM, origin)]


async def read_dead_letters(bootstrap: str, prefix: str) -> list[DeadLetter]:
    """Every record in the namespace's dead-letter topics, oldest first per partition."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="pind-dlt")
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="pind-dlt"
    )
    await admin.start()
    await consumer.start()
    try:
        topics = [
            t
            for t in await admin.list_topics()
            if t.endswith(DLT_SUFFIX) and t.startswith(prefix + "pind.")
        ]
        described = await admin.describe_topics(topics) if topics else []
        tps = [
            TopicPartition(t["topic"], p["partition"])
            for t in described
            for p in t.get("partitions", ())
        ]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        letters: list[DeadLetter] = []
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batch = await consumer.getmany(*tps, timeout_ms=1000)
            for records in batch.values():
                letters += [
                    DeadLetter(
                        r.topic,
                        r.partition,
                        r.offset,
                        r.key,
                        r.value,
                        tuple((k, bytes(v)) for k, v in r.headers or ()),
                    )
                    for r in records
                ]
        return sorted(letters, key=lambda d: (d.dlt, d.partition, d.offset))
    finally:
        await consumer.stop()
        await admin.close()


def select(
    letters: Iterable[DeadLetter],
    *,
    topic: str | None = None,
    ids: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    prefix: str = "",
) -> list[DeadLetter]:
    """The letters of ``topic`` (a logical or physical name, with or without
    ``.dlt``), with one of ``ids``, that failed within [since, until)."""
    wanted_topic = None
    if topic:
        name = topic.removesuffix(DLT_SUFFIX)
        wanted_topic = (name if name.startswith(prefix) else prefix + name) + DLT_SUFFIX
    chosen = []
    for letter in letters:
        if wanted_topic and letter.dlt != wanted_topic:
            continue
        if ids and letter.event_id not in ids:
            continue
        failed_at = letter.failed_at
        if since and (failed_at is None or failed_at < since):
            continue
        if until and (failed_at is None or failed_at >= until):
            continue
        chosen.append(letter)
    return chosen


async def replay(bootstrap: str, letters: Sequence[DeadLetter]) -> int:
    """Publish ``letters`` to their original topics; how many were sent."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", client_id="pind-dlt"
    )
    await producer.start()
    try:
        for letter in letters:
            await producer.send_and_wait(
                letter.original_topic,
                value=letter.value,
                key=letter.key,
                headers=letter.replay_headers(),
            )
    finally:
        await producer.stop()
    return len(letters)


def _time(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pind-dlt", description="List, show and replay pind's dead letters."
    )
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("PIND_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        help="Kafka bootstrap servers (PIND_KAFKA_BOOTSTRAP)",
    )
    parser.add_argument(
        "--prefix",
        default=os.environ.get("PIND_KAFKA_TOPIC_PREFIX", ""),
        help="topic namespace (PIND_KAFKA_TOPIC_PREFIX)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("list", "one line per dead letter"),
        ("replay", "publish the selected letters to their original topics again"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--topic", help="original topic, e.g. pind.video.ingested.v1")
        sub.add_argument("--id", action="append", default=[], help="event id (ce_id); repeat")
        sub.add_argument("--since", type=_time, help="failed at or after (ISO 8601)")
        sub.add_argument("--until", type=_time, help="failed before (ISO 8601)")
        if name == "list":
            sub.add_argument("--json", action="store_true", help="JSON lines")
        else:
            sub.add_argument("--dry-run", action="store_true", help="say what would be sent")
    show = commands.add_parser("show", help="headers and value of one dead letter")
    show.add_argument("event_id")
    return parser


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


async def _run(args: argparse.Namespace) -> int:
    letters = await read_dead_letters(args.bootstrap, args.prefix)
    if args.command == "show":
        found = select(letters, ids=[args.event_id])
        if not found:
            sys.stderr.write(f"pind-dlt: no dead letter with event id {args.event_id}\n")
            return 1
        for letter in found:
            _say(json.dumps(letter.summary(), ensure_ascii=False, indent=2))
            for key, value in letter.headers:
                _say(f"  {key}: {value.decode('utf-8', 'replace')}")
            _say(letter.value.decode("utf-8", "replace") if letter.value else "(no value)")
        return 0
    chosen = select(
        letters,
        topic=args.topic,
        ids=args.id,
        since=args.since,
        until=args.until,
        prefix=args.prefix,
    )
    if args.command == "list":
        for letter in chosen:
            row = letter.summary()
            if args.json:
                _say(json.dumps(row, ensure_ascii=False))
            else:
                _say(
                    f"{row['failed_at'] or '-':<32} {row['original_topic']:<36} "
                    f"{row['consumer'] or '-':<12} {row['event_id'] or '-':<36} {row['error']}"
                )
        sys.stderr.write(f"{len(chosen)} dead letter(s)\n")
        return 0
    if args.dry_run:
        for letter in chosen:
            _say(f"would replay {letter.event_id} to {letter.original_topic} for {letter.consumer}")
        return 0
    sent = await replay(args.bootstrap, chosen)
    sys.stderr.write(f"replayed {sent} dead letter(s)\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return asyncio.run(_run(args))


if __name__ == "__main__":
    raise SystemExit(main())
