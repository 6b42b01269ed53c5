"""Configuration of the ingest worker (env prefix ``PIND_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from pind_kit.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    """Everything ingest reads from its environment."""

    service_name: str = "ingest"
    db_schema: str = "ingest"
    http_port: int = 8101

    youtube_recorded_url: str | None = Field(
        default=None,
        description="Base URL of a recorded-info server (the fake YouTube) that answers "
        "YouTube URLs instead of youtube.com; unset means real YouTube.",
    )
    max_duration_s: int = Field(
        default=3 * 3600, gt=0, description="Longest video (seconds) that is analysed."
    )
    youtube_proxy: SecretStr | None = Field(
        default=None,
        description="Proxy URL for every YouTube request, e.g. http://user:pass@host:3128 "
        "(may carry credentials).",
    )
    youtube_cookies_file: Path | None = Field(
        default=None,
        description="Netscape cookies.txt for YouTube; read only, copied per request.",
    )
    metadata_socket_timeout_s: float = Field(
        default=20.0, gt=0, description="yt-dlp's timeout for each network operation."
    )
    metadata_timeout_s: float = Field(
        default=90.0, gt=0, description="Longest one metadata read may take in all."
    )
