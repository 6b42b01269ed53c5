"""Configuration of the ingest worker (env prefix ``PIND_``)."""

from __future__ import annotations

from pydantic import Field

from pind_kit.settings import ServiceSettings
from pind_youtube.settings import YoutubeAccess


class IngestSettings(ServiceSettings, YoutubeAccess):
    """Everything ingest reads from its environment."""

    service_name: str = "ingest"
    db_schema: str = "ingest"
    http_port: int = 8101

    max_duration_s: int = Field(
        default=3 * 3600, gt=0, description="Longest video (seconds) that is analysed."
    )
    metadata_socket_timeout_s: float = Field(
        default=20.0, gt=0, description="yt-dlp's timeout for each network operation."
    )
    metadata_timeout_s: float = Field(
        default=90.0, gt=0, description="Longest one metadata read may take in all."
    )
    consume_concurrency: int = Field(
        default=16,
        ge=1,
        description="Most requested videos handled at once (different videos; one "
        "video's requests in order); a fetch's offsets commit when all of it is done.",
    )
