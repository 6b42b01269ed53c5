"""The offline geocoder: the public Korean place lists, in memory."""

from __future__ import annotations

from pind_geo.domain.gazetteer import GazetteerEntry, GazetteerIndex
from pind_geo.domain.model import GeocodeQuery, GeocodeResult


class GazetteerGeocoder:
    """Answers from a ``GazetteerIndex`` built once at start (no network)."""

    name = "gazetteer"

    def __init__(self, index: GazetteerIndex) -> None:
        self._index = index

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        return [entry_result(entry, score, self.name) for entry, score in self._index.search(query)]


def entry_result(entry: GazetteerEntry, score: float, geocoder: str) -> GeocodeResult:
    """A gazetteer entry as the answer of ``geocoder``, scored ``score``."""
    return GeocodeResult(
        key=entry.key,
        name=entry.name,
        category=entry.category,
        lat=entry.lat,
        lon=entry.lon,
        score=score,
        geocoder=geocoder,
        name_en=entry.name_en,
        address=entry.address,
        area=entry.area,
        admin_level=entry.admin_level,
    )
