"""Wiring: settings → gazetteer, extractors → service → worker (+ sweeper)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import structlog
from pind_kit.worker import Worker

from pind_geo.adapters.gazetteer_files import load_index
from pind_geo.adapters.offline_geocoder import GazetteerGeocoder
from pind_geo.domain.extraction import CombinedExtractor
from pind_geo.domain.extraction.english import EnglishCandidateExtractor
from pind_geo.domain.extraction.korean import KiwiCandidateExtractor
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.service import GeoService
from pind_geo.settings import GeoSettings
from pind_geo.subscribers import GROUP, InputTopics, register

log = structlog.get_logger(__name__)


def build_place_extractor(gazetteer_dir: Path) -> PlaceExtractor:
    """The offline extractor: gazetteer index + kiwi (≈ 8 s on 2 cores, once)."""
    index = load_index(gazetteer_dir)
    korean_names, english_names = index.known_names()
    started = time.perf_counter()
    candidates = CombinedExtractor(
        [
            KiwiCandidateExtractor(known_names=korean_names),
            EnglishCandidateExtractor(known_names=english_names),
        ]
    )
    log.info("extractors ready", seconds=round(time.perf_counter() - started, 2))
    return PlaceExtractor(candidates, GazetteerGeocoder(index))


def build_worker(
    settings: GeoSettings | None = None,
    *,
    extractor: PlaceExtractor | None = None,
    topics: InputTopics | None = None,
    group: str = GROUP,
) -> Worker:
    """The geo worker, ready to ``run()`` (or to start in a test)."""
    settings = settings or GeoSettings()
    worker = Worker(settings)
    service = GeoService(
        extractor or build_place_extractor(settings.gazetteer_dir),
        producer=settings.service_name,
        expected=settings.expected_inputs,
        deadline_s=settings.gather_deadline_s,
    )
    register(worker, service, topics=topics, group=group)

    @worker.background
    async def sweep_deadlines() -> None:
        while True:
            try:
                while await service.sweep_once(worker.sessionmaker):
                    pass
            except Exception:
                log.exception("deadline sweep failed")
            await asyncio.sleep(settings.sweep_interval_s)

    return worker
