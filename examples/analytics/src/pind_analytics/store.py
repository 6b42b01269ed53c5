"""The analytics tables in DuckDB and the three answers.

``videos``: the latest extraction of each video; ``places``: its places, with
the province read from the address; ``stage_events``: every stage report, with
the time it happened (the CloudEvents ``ce_time``); ``stage_durations``: a
view from each (job, stage)'s ``started`` to its first final report;
``processed``: event ids already applied, so a redelivered event changes
nothing; ``rejected``: what failed validation, with why.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from pind_analytics.regions import region_of

_TABLES = """
CREATE TABLE IF NOT EXISTS processed (
  event_id VARCHAR PRIMARY KEY, topic VARCHAR NOT NULL, applied_at TIMESTAMPTZ DEFAULT now()
);
CREATE TABLE IF NOT EXISTS rejected (
  topic VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT, reason VARCHAR,
  rejected_at TIMESTAMPTZ DEFAULT now()
);
CREATE TABLE IF NOT EXISTS videos (
  video_id VARCHAR PRIMARY KEY, job_id UUID, extractor VARCHAR, places INTEGER,
  unresolved INTEGER, extracted_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS places (
  video_id VARCHAR, place_key VARCHAR, name VARCHAR, name_en VARCHAR, category VARCHAR,
  lat DOUBLE, lon DOUBLE, address VARCHAR, region VARCHAR, confidence DOUBLE,
  geocoder VARCHAR, mentions INTEGER, PRIMARY KEY (video_id, place_key)
);
CREATE TABLE IF NOT EXISTS stage_events (
  event_id VARCHAR PRIMARY KEY, job_id UUID, video_id VARCHAR, stage VARCHAR, state VARCHAR,
  occurred_at TIMESTAMPTZ
);
CREATE OR REPLACE VIEW stage_durations AS
SELECT job_id, video_id, stage,
       min(occurred_at) FILTER (WHERE state = 'started') AS started_at,
       min(occurred_at) FILTER (WHERE state IN ('succeeded', 'failed', 'skipped')) AS ended_at,
       arg_min(state, occurred_at) FILTER (WHERE state IN ('succeeded', 'failed', 'skipped'))
         AS outcome
FROM stage_events
GROUP BY job_id, video_id, stage;
"""


@dataclass(frozen=True)
class Event:
    """One validated event: its CloudEvents id and time, topic and payload."""

    event_id: str
    topic: str
    occurred_at: datetime
    payload: dict[str, Any]


class AnalyticsStore:
    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.db = duckdb.connect(str(path), read_only=read_only)
        if not read_only:
            self.db.execute(_TABLES)

    def close(self) -> None:
        self.db.close()

    # --- writes (one transaction per event) ------------------------------------------

    def apply(self, event: Event, logical_topic: str) -> bool:
        """Apply ``event`` once; False when its id was applied before."""
        db = self.db
        db.begin()
        try:
            seen = db.execute(
                "SELECT 1 FROM processed WHERE event_id = ?", [event.event_id]
            ).fetchone()
            if seen is not None:
                db.rollback()
                return False
            db.execute(
                "INSERT INTO processed (event_id, topic) VALUES (?, ?)",
                [event.event_id, logical_topic],
            )
            if logical_topic == "pind.places.extracted.v1":
                self._places(event)
            else:
                self._stage(event)
            db.commit()
        except BaseException:
            db.rollback()
            raise
        return True

    def _places(self, event: Event) -> None:
        payload = event.payload
        video_id = payload["video_id"]
        known = self.db.execute(
            "SELECT extracted_at FROM videos WHERE video_id = ?", [video_id]
        ).fetchone()
        if known is not None and known[0] is not None and known[0] > event.occurred_at:
            return  # an older extraction, delivered late: the newer one stays
        self.db.execute("DELETE FROM places WHERE video_id = ?", [video_id])
        self.db.execute(
            "INSERT OR REPLACE INTO videos VALUES (?, ?, ?, ?, ?, ?)",
            [
                video_id,
                uuid.UUID(payload["job_id"]),
                payload.get("extractor"),
                len(payload["places"]),
                len(payload.get("unresolved", [])),
                event.occurred_at,
            ],
        )
        rows = {}
        for place in payload["places"]:  # one row per place key, even if listed twice
            rows[place["key"]] = [
                video_id,
                place["key"],
                place["name"],
                place.get("name_en"),
                place.get("category", "other"),
                place["lat"],
                place["lon"],
                place.get("address"),
                region_of(place.get("address")),
                place["confidence"],
                place["geocoder"],
                len(place["evidence"]),
            ]
        if rows:
            self.db.executemany(
                "INSERT INTO places VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                list(rows.values()),
            )

    def _stage(self, event: Event) -> None:
        payload = event.payload
        self.db.execute(
            "INSERT INTO stage_events VALUES (?, ?, ?, ?, ?, ?)",
            [
                event.event_id,
                uuid.UUID(payload["job_id"]),
                payload["video_id"],
                payload["stage"],
                payload["state"],
                event.occurred_at,
            ],
        )

    def reject(self, topic: str, partition: int, offset: int, reason: str) -> None:
        self.db.execute(
            "INSERT INTO rejected (topic, kafka_partition, kafka_offset, reason) "
            "VALUES (?, ?, ?, ?)",
            [topic, partition, offset, reason],
        )

    # --- the answers ------------------------------------------------------------------

    def _rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def most_mentioned_places(self, limit: int = 10) -> list[dict[str, Any]]:
        """Places by the number of videos they appear in, then by evidence count."""
        return self._rows(
            """
            SELECT any_value(name) AS name, any_value(name_en) AS name_en,
                   count(DISTINCT video_id) AS videos, sum(mentions)::INTEGER AS mentions
            FROM places GROUP BY place_key
            ORDER BY videos DESC, mentions DESC, name LIMIT ?
            """,
            [limit],
        )

    def places_per_region(self) -> list[dict[str, Any]]:
        """Distinct places and the videos showing them, per province."""
        return self._rows(
            """
            SELECT region, count(DISTINCT place_key) AS places, count(DISTINCT video_id) AS videos
            FROM places GROUP BY region ORDER BY places DESC, region
            """
        )

    def median_stage_seconds(self) -> list[dict[str, Any]]:
        """Median time from ``started`` to the first final report, per stage."""
        return self._rows(
            """
            SELECT stage,
                   median(date_diff('millisecond', started_at, ended_at)::DOUBLE / 1000)
                     AS median_s,
                   count(*) AS runs
            FROM stage_durations
            WHERE started_at IS NOT NULL AND ended_at IS NOT NULL
            GROUP BY stage ORDER BY stage
            """
        )

    def counts(self) -> dict[str, int]:
        counts = {}
        for table in ("videos", "places", "stage_events", "rejected"):
            row = self.db.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            counts[table] = int(row[0]) if row else 0
        return counts
