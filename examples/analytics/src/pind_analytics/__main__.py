"""``python -m pind_analytics consume|report`` (also ``pind-analytics``).

consume   read the topics into the DuckDB file (``--until-caught-up`` stops
          once everything on them when it started is applied)
report    most-mentioned places, places per region, median time per stage
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

from pind_analytics.consumer import DEFAULT_GROUP, TOPICS, AnalyticsConsumer
from pind_analytics.schemas import DEFAULT_SCHEMA_DIR, Schemas
from pind_analytics.store import AnalyticsStore


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pind-analytics", description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("analytics.duckdb"), help="DuckDB file")
    commands = parser.add_subparsers(dest="command", required=True)
    consume = commands.add_parser("consume", help="read pind's events into the DuckDB file")
    consume.add_argument("--bootstrap", default="127.0.0.1:9092", help="Kafka bootstrap servers")
    consume.add_argument("--group", default=DEFAULT_GROUP, help="this consumer's group id")
    consume.add_argument("--topic-prefix", default="", help="a namespace before the topic names")
    consume.add_argument(
        "--schemas", type=Path, default=DEFAULT_SCHEMA_DIR, help="pind's contracts/schemas"
    )
    consume.add_argument(
        "--until-caught-up", action="store_true", help="stop once the topics are read to the end"
    )
    report = commands.add_parser("report", help="the three answers")
    report.add_argument("--top", type=int, default=10, help="how many places to list")
    report.add_argument("--json", action="store_true", help="as one JSON object")
    return parser


def report(store: AnalyticsStore, top: int) -> dict[str, Any]:
    return {
        "most_mentioned_places": store.most_mentioned_places(top),
        "places_per_region": store.places_per_region(),
        "median_seconds_per_stage": store.median_stage_seconds(),
    }


def _print_report(answers: dict[str, Any], out: TextIO) -> None:
    out.write("most-mentioned places (videos, mentions):\n")
    for row in answers["most_mentioned_places"]:
        english = f" ({row['name_en']})" if row["name_en"] else ""
        out.write(f"  {row['name']}{english}: {row['videos']}, {row['mentions']}\n")
    out.write("places per region (places, videos):\n")
    for row in answers["places_per_region"]:
        out.write(f"  {row['region']}: {row['places']}, {row['videos']}\n")
    out.write("median time per stage (seconds, runs):\n")
    for row in answers["median_seconds_per_stage"]:
        out.write(f"  {row['stage']}: {row['median_s']:.1f}, {row['runs']}\n")


async def _consume(args: argparse.Namespace, out: TextIO) -> int:
    schemas = Schemas(args.schemas, list(TOPICS))
    store = AnalyticsStore(args.db)
    try:
        async with AnalyticsConsumer(
            args.bootstrap, store, schemas, group=args.group, topic_prefix=args.topic_prefix
        ) as consumer:
            if not args.until_caught_up:
                await consumer.run_forever()
            progress = await consumer.run_until_caught_up()
    finally:
        store.close()
    out.write(
        f"applied {progress.applied}, repeated {progress.repeated}, rejected {progress.rejected}\n"
    )
    return 0


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    if args.command == "consume":
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        try:
            return asyncio.run(_consume(args, out))
        except KeyboardInterrupt:
            return 130
    if not args.db.exists():
        sys.stderr.write(f"{args.db} does not exist: run `consume` first\n")
        return 2
    store = AnalyticsStore(args.db, read_only=True)
    try:
        answers = report(store, args.top)
    finally:
        store.close()
    if args.json:
        out.write(json.dumps(answers, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_report(answers, out)
    return 0


def console() -> None:
    """The ``pind-analytics`` console script."""
    sys.exit(main())


if __name__ == "__main__":
    console()
