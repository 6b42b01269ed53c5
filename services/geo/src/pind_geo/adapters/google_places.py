"""Google Places Text Search (New): POST /v1/places:searchText with
``X-Goog-Api-Key`` and the required ``X-Goog-FieldMask``."""

from __future__ import annotations

from typing import Any

import httpx

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.adapters.http_common import Pacer, name_score, send
from pind_geo.domain.model import AdminArea, GeocodeQuery, GeocodeResult
from pind_geo.domain.regions import area_of_address
from pind_geo.errors import GeocoderError

FIELD_MASK = (
    "places.id,places.displayName,places.formattedAddress,places.shortFormattedAddress,"
    "places.location,places.types"
)
_TYPES: tuple[tuple[str, PlaceCategory], ...] = (
    ("restaurant", "restaurant"),
    ("cafe", "cafe"),
    ("bar", "bar"),
    ("market", "market"),
    ("subway_station", "station"),
    ("train_station", "station"),
    ("transit_station", "station"),
    ("museum", "museum"),
    ("park", "park"),
    ("lodging", "lodging"),
    ("tourist_attraction", "landmark"),
    ("sublocality_level_2", "neighbourhood"),
    ("sublocality_level_1", "city"),
    ("locality", "city"),
    ("administrative_area_level_1", "region"),
)
_ADMIN_LEVELS = {"administrative_area_level_1": 1, "sublocality_level_1": 2, "locality": 2}
BIAS_RADIUS_M = 20_000.0
MIN_SCORE = 0.6


class GooglePlacesGeocoder:
    name = "google"
    online = True

    def __init__(
        self,
        client: httpx.AsyncClient,
        api_key: str,
        *,
        base_url: str = "https://places.googleapis.com",
        language: str = "ko",
        pacer: Pacer | None = None,
        page_size: int = 5,
    ) -> None:
        self._client = client
        self._key = api_key
        self._base = base_url.rstrip("/")
        self._language = language
        self._pacer = pacer or Pacer(0.0)
        self._page_size = page_size

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        body: dict[str, Any] = {
            "textQuery": query.text,
            "languageCode": self._language,
            "pageSize": self._page_size,
        }
        if query.region:
            body["regionCode"] = query.region
        if query.near is not None:
            body["locationBias"] = {
                "circle": {
                    "center": {"latitude": query.near[0], "longitude": query.near[1]},
                    "radius": BIAS_RADIUS_M,
                }
            }
        request = self._client.build_request(
            "POST",
            f"{self._base}/v1/places:searchText",
            json=body,
            headers={"X-Goog-Api-Key": self._key, "X-Goog-FieldMask": FIELD_MASK},
        )
        async with self._pacer.turn():
            response = await send(self.name, self._client, request)
        try:
            places = response.json().get("places", [])
            return [r for r in (self._result(query, p) for p in places) if r is not None]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise GeocoderError(self.name, f"unexpected answer: {exc}", retryable=False) from exc

    def _result(self, query: GeocodeQuery, place: dict[str, Any]) -> GeocodeResult | None:
        name = place["displayName"]["text"]
        score = name_score(query.text, name)
        if score < MIN_SCORE:
            return None
        types = place.get("types") or []
        address = place.get("shortFormattedAddress") or place.get("formattedAddress")
        province, district = area_of_address(address)
        return GeocodeResult(
            key=f"google:{place['id']}",
            name=name,
            category=next((c for t, c in _TYPES if t in types), "other"),
            lat=float(place["location"]["latitude"]),
            lon=float(place["location"]["longitude"]),
            score=score,
            geocoder=self.name,
            address=address,
            area=AdminArea(province, district),
            admin_level=next((_ADMIN_LEVELS[t] for t in types if t in _ADMIN_LEVELS), 0),
        )
