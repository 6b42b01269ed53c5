"""Every topic, its payload model and its partition count: the one registry
the runtime, the topic creator, the schema generator and AsyncAPI read."""

from __future__ import annotations

from dataclasses import dataclass

from pind_contracts.events.job_stage import JobStage
from pind_contracts.events.places_extracted import PlacesExtracted
from pind_contracts.events.transcript_ready import TranscriptReady
from pind_contracts.events.user import UserChanged
from pind_contracts.events.video_ingested import VideoIngested
from pind_contracts.events.video_requested import VideoRequested
from pind_contracts.events.vision_ready import VisionReady
from pind_contracts.types import Contract

DLT_SUFFIX = ".dlt"


@dataclass(frozen=True, slots=True)
class Topic:
    """A Kafka topic carrying one event type."""

    name: str
    payload: type[Contract]
    partitions: int
    key: str
    description: str

    @property
    def event_type(self) -> str:
        """The CloudEvents ``type``: the topic name without its version."""
        return self.name.rsplit(".", 1)[0]

    @property
    def schema_version(self) -> int:
        return int(self.name.rsplit(".v", 1)[1])

    @property
    def dlt(self) -> str:
        return self.name + DLT_SUFFIX


VIDEO_REQUESTED = Topic(
    "pind.video.requested.v1",
    VideoRequested,
    6,
    "video id",
    "The gateway asks for a video to be analysed (written through its outbox).",
)
VIDEO_INGESTED = Topic(
    "pind.video.ingested.v1",
    VideoIngested,
    6,
    "video id",
    "A video's metadata and the caption tracks it has, read by ingest.",
)
TRANSCRIPT_READY = Topic(
    "pind.transcript.ready.v1",
    TranscriptReady,
    6,
    "video id",
    "Transcript's one outcome per analysis: a timed transcript (captions, subtitles or "
    "speech-to-text), or failed/skipped with the reason.",
)
VISION_READY = Topic(
    "pind.vision.ready.v1",
    VisionReady,
    6,
    "video id",
    "Vision's one outcome per analysis: the text seen on screen, merged across frames, "
    "with the time it was first seen, or failed/skipped with the reason.",
)
PLACES_EXTRACTED = Topic(
    "pind.places.extracted.v1",
    PlacesExtracted,
    6,
    "video id",
    "The places of a video with geocoder coordinates, evidence and confidence.",
)
JOB_STAGE = Topic(
    "pind.job.stage.v1",
    JobStage,
    6,
    "video id",
    "A stage of an analysis started, progressed, succeeded, failed or was skipped: the "
    "gateway's progress stream, not a signal services steer by.",
)
USER = Topic(
    "pind.user.v1",
    UserChanged,
    3,
    "user id",
    "Accounts registered or deleted, and sessions revoked (ids only, no personal data).",
)

ALL_TOPICS: tuple[Topic, ...] = (
    VIDEO_REQUESTED,
    VIDEO_INGESTED,
    TRANSCRIPT_READY,
    VISION_READY,
    PLACES_EXTRACTED,
    JOB_STAGE,
    USER,
)
DLT_PARTITIONS = 1

BY_NAME: dict[str, Topic] = {t.name: t for t in ALL_TOPICS}


def topic_for(payload: type[Contract]) -> Topic:
    """The topic that carries ``payload``."""
    for topic in ALL_TOPICS:
        if topic.payload is payload:
            return topic
    raise KeyError(f"no topic carries {payload.__name__}")
