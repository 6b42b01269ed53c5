"""How a service reaches YouTube: the settings ingest, transcript and vision share."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class YoutubeAccess(BaseModel):
    """Mixed into a service's settings (env prefix ``PIND_`` like the rest)."""

    youtube_recorded_url: str | None = Field(
        default=None,
        description="Base URL of a recorded-info server (the fake YouTube) that answers "
        "yt-dlp's YouTube URLs instead of youtube.com; unset means real YouTube.",
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
