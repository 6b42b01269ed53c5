"""Geocoders in order: the first that knows a name answers for it."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from pind_geo.adapters.metrics import GEOCODER_CALLS
from pind_geo.domain.model import GeocodeQuery, GeocodeResult
from pind_geo.domain.resolution import Geocoder
from pind_geo.errors import GeocoderError

log = structlog.get_logger(__name__)


class GeocoderChain:
    """Asks each geocoder in turn until one returns places. A geocoder that
    fails (network, quota) is logged and skipped: the next one answers."""

    def __init__(self, geocoders: Sequence[Geocoder]) -> None:
        if not geocoders:
            raise ValueError("a geocoder chain needs at least one geocoder")
        self._geocoders = tuple(geocoders)

    @property
    def name(self) -> str:
        return "+".join(g.name for g in self._geocoders)

    @property
    def geocoders(self) -> tuple[Geocoder, ...]:
        return self._geocoders

    @property
    def has_online(self) -> bool:
        return any(getattr(g, "online", False) for g in self._geocoders)

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        for geocoder in self._geocoders:
            if query.offline_only and getattr(geocoder, "online", False):
                continue
            try:
                results = await geocoder.geocode(query)
            except GeocoderError as exc:
                GEOCODER_CALLS.labels(geocoder.name, "failed").inc()
                log.warning("geocoder failed", geocoder=geocoder.name, error=str(exc))
                continue
            GEOCODER_CALLS.labels(geocoder.name, "found" if results else "empty").inc()
            if results:
                return results
        return []
