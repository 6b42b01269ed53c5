"""The gateway's tables (schema ``gateway``): jobs and their stages, the videos
and places projected from the analysis events, and users' history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pind_gateway.domain.progress import JOB_STATES, STAGE_STATUSES, STAGES
from pind_kit.db import service_metadata

SCHEMA = "gateway"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)


class Video(Base):
    """A YouTube video as ingest described it and geo placed it."""

    __tablename__ = "videos"

    video_id: Mapped[str] = mapped_column(String(11), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    thumbnail_url: Mapped[str | None] = mapped_column(Text)
    duration_s: Mapped[float | None] = mapped_column(Float)
    channel: Mapped[str | None] = mapped_column(Text)
    # The whole VideoMetadata as ingest sent it, for features that need more later.
    video_metadata: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB)
    metadata_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unresolved: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    places_job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    places_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    places: Mapped[list[VideoPlace]] = relationship(
        lazy="raise", order_by="VideoPlace.rank", viewonly=True
    )


class Job(Base):
    """One request to analyse a video. Jobs asked while an analysis of the same
    video runs share it: ``analysis_id`` is the job whose request started it
    (itself for the job that did). Stages and the places result belong to that
    lead job; state, progress and error are copied to every job sharing it."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_one_of("state", JOB_STATES), name="state"),
        CheckConstraint("origin IN ('new', 'joined', 'cached')", name="origin"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        Index("ix_jobs_video_id_created_at", "video_id", "created_at"),
        Index("ix_jobs_analysis_id", "analysis_id"),
        # At most one analysis of a video is in flight; new requests join it.
        Index(
            "ix_jobs_in_flight_updated_at",
            "updated_at",
            postgresql_where=text("id = analysis_id AND state IN ('queued', 'running')"),
        ),
        Index(
            "uq_jobs_video_in_flight",
            "video_id",
            unique=True,
            postgresql_where=text("id = analysis_id AND state IN ('queued', 'running')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.video_id"))
    analysis_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id"))
    origin: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    refresh: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    current_step: Mapped[str] = mapped_column(Text, server_default=text("'queued'"))
    error: Mapped[str | None] = mapped_column(Text)
    # Number of places the analysis found; NULL until pind.places.extracted arrived.
    places_found: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the gateway ended the analysis for silence: later reports of it
    # are still stored per stage but no longer change the job's state.
    timed_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    video: Mapped[Video] = relationship(lazy="raise")


class JobStage(Base):
    """One stage of one analysis (keyed by the lead job)."""

    __tablename__ = "job_stages"
    __table_args__ = (
        CheckConstraint(_one_of("stage", STAGES), name="stage"),
        CheckConstraint(_one_of("state", STAGE_STATUSES), name="state"),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float, server_default=text("0"))
    reason: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(Text)
    retryable: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # occurred_at of the report the state came from (orders reports, not arrivals).
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Place(Base):
    """A real place, one row per geocoder key however many videos show it."""

    __tablename__ = "places"
    __table_args__ = (Index("ix_places_lat_lon", "lat", "lon"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)
    geocoder: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class VideoPlace(Base):
    """A place in a video, with why we think so and how sure we are."""

    __tablename__ = "video_places"

    video_id: Mapped[str] = mapped_column(
        ForeignKey("videos.video_id", ondelete="CASCADE"), primary_key=True
    )
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    job_id: Mapped[uuid.UUID] = mapped_column(Uuid)

    place: Mapped[Place] = relationship(lazy="raise")
    video: Mapped[Video] = relationship(lazy="raise", viewonly=True)


class UserHistory(Base):
    """Videos a signed-in user asked for (one row per user and video)."""

    __tablename__ = "user_history"
    __table_args__ = (
        UniqueConstraint("user_id", "video_id"),
        Index("ix_user_history_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.video_id", ondelete="CASCADE"))
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    video: Mapped[Video] = relationship(lazy="raise")


class RateLimit(Base):
    """Requests counted per caller key and fixed window, shared by every instance."""

    __tablename__ = "rate_limits"
    __table_args__ = (Index("ix_rate_limits_window_start", "window_start"),)

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
