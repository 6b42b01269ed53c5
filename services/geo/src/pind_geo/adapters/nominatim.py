"""Nominatim search (OpenStreetMap): GET /search?format=jsonv2. The usage
policy asks for a real User-Agent and at most one request per second."""

from __future__ import annotations

from typing import Any

import httpx

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.adapters.http_common import Pacer, name_score, send
from pind_geo.domain.model import GeocodeQuery, GeocodeResult
from pind_geo.errors import GeocoderError

_CLASSES: dict[tuple[str, str], PlaceCategory] = {
    ("amenity", "marketplace"): "market",
    ("amenity", "restaurant"): "restaurant",
    ("amenity", "cafe"): "cafe",
    ("amenity", "bar"): "bar",
    ("railway", "station"): "station",
    ("tourism", "attraction"): "landmark",
    ("tourism", "museum"): "museum",
    ("leisure", "park"): "park",
    ("natural", "beach"): "beach",
}
_ADMIN_RANK = ((8, 1), (12, 2), (20, 3))  # place_rank up to → admin level
BIAS_DEGREES = 0.2
MIN_SCORE = 0.6
MIN_INTERVAL_S = 1.0


class NominatimGeocoder:
    name = "nominatim"
    online = True

    def __init__(
        self,
        client: httpx.AsyncClient,
        user_agent: str,
        *,
        base_url: str = "https://nominatim.openstreetmap.org",
        language: str = "ko",
        pacer: Pacer | None = None,
        limit: int = 5,
    ) -> None:
        if not user_agent.strip():
            raise ValueError("Nominatim needs a User-Agent that names the application")
        self._client = client
        self._agent = user_agent
        self._base = base_url.rstrip("/")
        self._language = language
        self._pacer = pacer or Pacer(MIN_INTERVAL_S)
        self._limit = limit

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        params: dict[str, str | int] = {
            "q": query.text,
            "format": "jsonv2",
            "limit": self._limit,
            "accept-language": self._language,
        }
        if query.region:
            params["countrycodes"] = query.region.lower()
        if query.near is not None:
            lat, lon = query.near
            d = BIAS_DEGREES
            params["viewbox"] = f"{lon - d:.5f},{lat + d:.5f},{lon + d:.5f},{lat - d:.5f}"
        request = self._client.build_request(
            "GET",
            f"{self._base}/search",
            params=params,
            headers={"User-Agent": self._agent},
        )
        async with self._pacer.turn():
            response = await send(self.name, self._client, request)
        try:
            return [r for r in (self._result(query, p) for p in response.json()) if r is not None]
        except (KeyError, TypeError, ValueError) as exc:
            raise GeocoderError(self.name, f"unexpected answer: {exc}", retryable=False) from exc

    def _result(self, query: GeocodeQuery, place: dict[str, Any]) -> GeocodeResult | None:
        name = place.get("name") or place["display_name"].split(",")[0]
        score = name_score(query.text, name)
        if score < MIN_SCORE:
            return None
        osm_class = place.get("category") or place.get("class") or ""
        osm_type = place.get("type") or ""
        admin_level = 0
        category: PlaceCategory = _CLASSES.get((osm_class, osm_type), "other")
        if osm_class == "boundary":
            rank = int(place.get("place_rank") or 30)
            admin_level = next((level for top, level in _ADMIN_RANK if rank <= top), 3)
            category = (
                "region" if admin_level == 1 else "city" if admin_level == 2 else ("neighbourhood")
            )
        return GeocodeResult(
            key=f"osm:{place.get('osm_type', 'node')}/{place['osm_id']}",
            name=name,
            category=category,
            lat=float(place["lat"]),
            lon=float(place["lon"]),
            score=score,
            geocoder=self.name,
            address=place.get("display_name"),
            admin_level=admin_level,
        )
