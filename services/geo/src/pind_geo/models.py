"""Tables of schema ``geo``: the evidence gathered for each analysis."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from pind_kit.db import service_metadata

metadata = service_metadata("geo")

# One row per analysis (job): what it waits for, until when, and whether the
# places were extracted. The state moves gathering → extracted | failed once,
# under a row lock: that is what makes extraction happen exactly once.
analyses = Table(
    "analyses",
    metadata,
    Column("job_id", Uuid, primary_key=True),
    Column("video_id", String(11), nullable=False),
    Column("expected", ARRAY(String(16)), nullable=False),
    Column("state", String(16), nullable=False, server_default="gathering"),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("trigger", String(16), nullable=True),
    Column("correlation_id", Text, nullable=True),
    Column("traceparent", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Index("ix_analyses_gathering_deadline", "deadline", postgresql_where="state = 'gathering'"),
)

# Each input as it arrived (payload), or the reason it never will (failed/skipped).
analysis_inputs = Table(
    "analysis_inputs",
    metadata,
    Column(
        "job_id",
        Uuid,
        ForeignKey("geo.analyses.job_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("kind", String(16), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("payload", JSONB, nullable=True),
    Column("reason", Text, nullable=True),
    Column("event_id", Uuid, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Answers of the online geocoders, so that a name is asked once per TTL
# (quota, Nominatim's 1 request/s). ``results`` is the list of places, [] when
# none was found (a miss is cached too, for a shorter time).
geocode_cache = Table(
    "geocode_cache",
    metadata,
    Column("geocoder", String(32), primary_key=True),
    Column("query_key", Text, primary_key=True),
    Column("results", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_geocode_cache_expires_at", "expires_at"),
)
