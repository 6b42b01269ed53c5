"""The gateway's tables (schema ``gateway``): analyses and their stages, the
jobs (requests) that share them, the videos and places projected from the
analysis events, users' history, rate-limit counters and the deny list of
revoked access tokens."""

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


class Analysis(Base):
    """One analysis of a video: what the workers report on. Its id is the id of
    the job whose request started it (the ``job_id`` of every event about it).
    Its status is written here once, however many jobs share it."""

    __tablename__ = "analyses"
    __table_args__ = (
        CheckConstraint(_one_of("state", JOB_STATES), name="state"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        Index("ix_analyses_video_id_finished_at", "video_id", "finished_at"),
        # At most one analysis of a video is in flight; new requests join it.
        Index(
            "ix_analyses_in_flight_updated_at",
            "updated_at",
            postgresql_where=text("state IN ('queued', 'running')"),
        ),
        Index(
            "uq_analyses_video_in_flight",
            "video_id",
            unique=True,
            postgresql_where=text("state IN ('queued', 'running')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.video_id"))
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    current_step: Mapped[str] = mapped_column(Text, server_default=text("'queued'"))
    error: Mapped[str | None] = mapped_column(Text)
    # Number of places found; NULL until pind.places.extracted arrived.
    places_found: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the gateway ended the analysis for silence: later reports of it
    # are still stored per stage and change its state only once they end it
    # (a late success completes it, and clears this).
    timed_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Job(Base):
    """One request to analyse a video, answered by an analysis: the one it
    started (``origin`` new), one in flight it joined, or the video's last
    successful one (cached). Its state is its analysis' state; it was asked
    at ``created_at``, so it changed and finished no earlier than that."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("origin IN ('new', 'joined', 'cached')", name="origin"),
        Index("ix_jobs_video_id_created_at", "video_id", "created_at"),
        Index("ix_jobs_analysis_id", "analysis_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.video_id"))
    analysis_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("analyses.id"))
    origin: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    refresh: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    video: Mapped[Video] = relationship(lazy="raise")
    analysis: Mapped[Analysis] = relationship(lazy="raise")

    @property
    def state(self) -> str:
        return self.analysis.state

    @property
    def progress(self) -> int:
        return self.analysis.progress

    @property
    def current_step(self) -> str:
        return self.analysis.current_step

    @property
    def error(self) -> str | None:
        return self.analysis.error

    @property
    def updated_at(self) -> datetime:
        return max(self.created_at, self.analysis.updated_at)

    @property
    def finished_at(self) -> datetime | None:
        finished = self.analysis.finished_at
        return None if finished is None else max(self.created_at, finished)


class AnalysisStage(Base):
    """One stage of one analysis."""

    __tablename__ = "analysis_stages"
    __table_args__ = (
        CheckConstraint(_one_of("stage", STAGES), name="stage"),
        CheckConstraint(_one_of("state", STAGE_STATUSES), name="state"),
    )

    analysis_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True
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


class TokenDenial(Base):
    """Access tokens refused before they expire, fed by ``pind.user.v1``
    (:mod:`pind_gateway.auth.denials`): every token of one session, or with
    ``session_id`` nil every token of the user issued before ``not_before``
    (NULL: all of them, a deleted account). Forgotten once no such token can
    still be unexpired."""

    __tablename__ = "token_denials"
    __table_args__ = (Index("ix_token_denials_forget_after", "forget_after"),)

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    forget_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
