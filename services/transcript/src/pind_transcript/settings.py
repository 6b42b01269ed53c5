"""Configuration of the transcript worker (env prefix ``PIND_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pind_kit.settings import ServiceSettings
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode


class TranscriptSettings(ServiceSettings):
    """Everything transcript reads from its environment."""

    service_name: str = "transcript"
    db_schema: str = "transcript"
    http_port: int = 8102

    transcript_languages: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["ko", "en"],
        min_length=1,
        description="Caption languages in order of preference, comma separated "
        "(PIND_TRANSCRIPT_LANGUAGES=ko,en).",
    )
    youtube_base_url: str | None = Field(
        default=None,
        description="Where youtube-transcript-api's www.youtube.com requests go instead "
        "(the fake YouTube); unset means real YouTube.",
    )
    youtube_recorded_url: str | None = Field(
        default=None,
        description="Recorded-info server (the fake YouTube) that answers yt-dlp for "
        "YouTube URLs; unset means real YouTube.",
    )
    youtube_proxy: SecretStr | None = Field(
        default=None,
        description="Proxy URL for every YouTube request (captions and yt-dlp); may carry "
        "credentials.",
    )
    youtube_cookies_file: Path | None = Field(
        default=None, description="Netscape cookies.txt for yt-dlp; copied per request."
    )
    http_timeout_s: float = Field(
        default=20.0, gt=0, description="Timeout of each HTTP request to YouTube."
    )
    captions_timeout_s: float = Field(
        default=90.0, gt=0, description="Longest the captions API may take for one video."
    )
    subtitles_timeout_s: float = Field(
        default=120.0, gt=0, description="Longest yt-dlp's subtitle download may take."
    )

    @field_validator("transcript_languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        if isinstance(value, str):
            return [code.strip() for code in value.split(",") if code.strip()]
        return value
