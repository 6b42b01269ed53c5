"""Wiring: settings -> adapters -> service -> worker."""

from __future__ import annotations

from pind_ingest.adapters.youtube import YoutubeMetadataReader
from pind_ingest.service import IngestService, MetadataReader
from pind_ingest.settings import IngestSettings
from pind_ingest.subscribers import register
from pind_kit.consume import Worker


def build_worker(
    settings: IngestSettings | None = None, *, reader: MetadataReader | None = None
) -> Worker:
    """The ingest worker, ready to ``run()`` (or to start in a test)."""
    settings = settings or IngestSettings()
    worker = Worker(settings)
    service = IngestService(
        reader=reader or YoutubeMetadataReader(settings),
        max_duration_s=settings.max_duration_s,
    )
    register(worker, service, concurrency=settings.consume_concurrency)
    return worker
