"""The offline geocoder: the public Korean place lists, in memory."""

from __future__ import annotations

from pind_geo.domain.gazetteer import GazetteerIndex
from pind_geo.domain.model import GeocodeQuery, GeocodeResult


class GazetteerGeocoder:
    """Answers from a ``GazetteerIndex`` built once at start (no network)."""

    name = "gazetteer"

    def __init__(self, index: GazetteerIndex) -> None:
        self._index = index

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        return [
            GeocodeResult(
                key=entry.key,
                name=entry.name,
                category=entry.category,
                lat=entry.lat,
                lon=entry.lon,
                score=score,
                geocoder=self.name,
                name_en=entry.name_en,
                address=entry.address,
                area=entry.area,
                admin_level=entry.admin_level,
            )
            for entry, score in self._index.search(query)
        ]
