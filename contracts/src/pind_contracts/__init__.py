"""pind-contracts: the events pind's services exchange over Kafka.

Pure data: Pydantic v2 models, topic names and the CloudEvents envelope.
No I/O and no driver imports here.
"""

from pind_contracts.envelope import Envelope, EnvelopeError, new_event_id
from pind_contracts.events.job_stage import JobStage, StageState
from pind_contracts.events.places_extracted import (
    Evidence,
    EvidenceSource,
    Place,
    PlaceCategory,
    PlacesExtracted,
    UnresolvedPlace,
)
from pind_contracts.events.transcript_ready import (
    TranscriptReady,
    TranscriptSegment,
    TranscriptSource,
)
from pind_contracts.events.user import UserChanged
from pind_contracts.events.video_ingested import (
    CaptionTrack,
    Chapter,
    Thumbnail,
    VideoIngested,
    VideoMetadata,
)
from pind_contracts.events.video_requested import AnalysisOptions, VideoRequested
from pind_contracts.events.vision_ready import ScreenText, TextBox, VisionReady
from pind_contracts.topics import (
    ALL_TOPICS,
    BY_NAME,
    JOB_STAGE,
    PLACES_EXTRACTED,
    TRANSCRIPT_READY,
    USER,
    VIDEO_INGESTED,
    VIDEO_REQUESTED,
    VISION_READY,
    Topic,
    topic_for,
)
from pind_contracts.types import VIDEO_ID_PATTERN, Contract, Stage, VideoId

__all__ = [
    "ALL_TOPICS",
    "BY_NAME",
    "JOB_STAGE",
    "PLACES_EXTRACTED",
    "TRANSCRIPT_READY",
    "USER",
    "VIDEO_ID_PATTERN",
    "VIDEO_INGESTED",
    "VIDEO_REQUESTED",
    "VISION_READY",
    "AnalysisOptions",
    "CaptionTrack",
    "Chapter",
    "Contract",
    "Envelope",
    "EnvelopeError",
    "Evidence",
    "EvidenceSource",
    "JobStage",
    "Place",
    "PlaceCategory",
    "PlacesExtracted",
    "ScreenText",
    "Stage",
    "StageState",
    "TextBox",
    "Thumbnail",
    "Topic",
    "TranscriptReady",
    "TranscriptSegment",
    "TranscriptSource",
    "UnresolvedPlace",
    "UserChanged",
    "VideoId",
    "VideoIngested",
    "VideoMetadata",
    "VideoRequested",
    "VisionReady",
    "new_event_id",
    "topic_for",
]
