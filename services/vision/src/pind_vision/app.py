"""Wiring: settings -> adapters -> service -> worker."""

from __future__ import annotations

from pind_kit.consume import Worker
from pind_vision.adapters.media import MediaFetcher
from pind_vision.adapters.ocr import DetectorTesseractEngine, EngineSettings, OcrEngine
from pind_vision.adapters.ocr.tesseract import TesseractSettings
from pind_vision.adapters.video import OpenCvFrames
from pind_vision.domain.merge import MergeRules
from pind_vision.service import MediaSource, ReadingLimits, VisionService
from pind_vision.settings import VisionSettings
from pind_vision.subscribers import register


def build_engine(settings: VisionSettings) -> OcrEngine:
    """The OCR engine ``settings.ocr_engine`` names."""
    if settings.ocr_engine == "easyocr":
        from pind_vision.adapters.ocr.easyocr_engine import EasyOcrEngine, EasyOcrSettings

        return EasyOcrEngine(EasyOcrSettings(model_dir=settings.easyocr_model_dir))
    return DetectorTesseractEngine(
        EngineSettings(tesseract=TesseractSettings(processes=settings.ocr_processes))
    )


def build_service(
    settings: VisionSettings, *, media: MediaSource | None = None, engine: OcrEngine | None = None
) -> VisionService:
    """The vision service with its real adapters (or the ones given)."""
    return VisionService(
        media=media or MediaFetcher(settings),
        engine=engine or build_engine(settings),
        frames=OpenCvFrames(),
        policy=settings.sampling_policy(),
        rules=MergeRules(min_confidence=settings.ocr_min_confidence),
        limits=ReadingLimits(
            max_frames=settings.sample_max_frames,
            batch_frames=settings.ocr_batch_frames,
            progress_every_s=settings.progress_every_s,
            read_thumbnail=settings.read_thumbnail,
        ),
    )


def build_worker(
    settings: VisionSettings | None = None,
    *,
    media: MediaSource | None = None,
    engine: OcrEngine | None = None,
) -> Worker:
    """The vision worker, ready to ``run()`` (or to start in a test)."""
    settings = settings or VisionSettings()  # env supplies the rest
    worker = Worker(settings)
    register(
        worker,
        build_service(settings, media=media, engine=engine),
        concurrency=settings.consume_concurrency,
    )
    return worker
