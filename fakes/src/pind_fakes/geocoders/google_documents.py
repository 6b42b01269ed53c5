"""Google Places (New) place documents for the fake's gazetteer places and
venues: stable place ids, types from the category or the venue's kind,
viewport, display name in Korean or English."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from pind_fakes.gazetteer import GazetteerPlace, PlaceCategory
from pind_fakes.geocoders.search import Found
from pind_fakes.venues import Venue

_GOOGLE_TYPES = {
    PlaceCategory.MARKET: ["market", "point_of_interest", "establishment"],
    PlaceCategory.STATION: [
        "subway_station",
        "transit_station",
        "point_of_interest",
        "establishment",
    ],
    PlaceCategory.ATTRACTION: ["tourist_attraction", "point_of_interest", "establishment"],
    PlaceCategory.PARK: ["park", "tourist_attraction", "point_of_interest", "establishment"],
    PlaceCategory.ADMIN_AREA: ["political"],
}
_ADMIN_TYPES = {
    "시도": "administrative_area_level_1",
    "시군구": "sublocality_level_1",
    "읍면동": "sublocality_level_2",
}


def _google_place_id(place: GazetteerPlace) -> str:
    return _google_id(place.key)


def _google_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).digest()[:20]
    return "ChIJ" + base64.urlsafe_b64encode(digest).decode().rstrip("=")[:23]


def _google_place(place: GazetteerPlace, language: str) -> dict[str, Any]:
    place_id = _google_place_id(place)
    types = list(_GOOGLE_TYPES[place.category])
    if place.category == PlaceCategory.ADMIN_AREA:
        types = [_ADMIN_TYPES[place.detail], "political"]
    return _google_document(
        place_id,
        types,
        address=place.address,
        lat=place.lat,
        lon=place.lon,
        numeric_id=place.numeric_id,
        name=place.name,
        name_en=place.name_en,
        language=language,
        half_span=0.002,
    )


def _google_document(
    place_id: str,
    types: list[str],
    *,
    address: str,
    lat: float,
    lon: float,
    numeric_id: int,
    name: str,
    name_en: str,
    language: str,
    half_span: float,
) -> dict[str, Any]:
    """A Places API (New) place as Text Search returns it; the viewport spans
    ``half_span`` degrees each way."""
    english = language.lower().startswith("en")
    return {
        "name": f"places/{place_id}",
        "id": place_id,
        "types": types,
        "formattedAddress": f"대한민국 {address}".strip(),
        "shortFormattedAddress": address,
        "location": {"latitude": lat, "longitude": lon},
        "viewport": {
            "low": {"latitude": lat - half_span, "longitude": lon - half_span},
            "high": {"latitude": lat + half_span, "longitude": lon + half_span},
        },
        "googleMapsUri": f"https://maps.google.com/?cid={numeric_id}",
        "displayName": {
            "text": name_en if english else name,
            "languageCode": "en" if english else "ko",
        },
        "primaryType": types[0],
    }


def google_found(found: Found, language: str) -> dict[str, Any]:
    if found.venue is not None:
        return _google_venue(found.venue, language)
    assert found.place is not None
    return _google_place(found.place, language)


_GOOGLE_KIND_TYPES = (
    ("한식", "korean_restaurant"),
    ("일식", "japanese_restaurant"),
    ("중식", "chinese_restaurant"),
    ("중국집", "chinese_restaurant"),
    ("치킨", "chicken_restaurant"),
    ("피자", "pizza_restaurant"),
    ("버거", "hamburger_restaurant"),
    ("빵", "bakery"),
    ("주점", "bar"),
    ("호텔", "hotel"),
    ("모텔", "motel"),
    ("여관", "motel"),
)
_GOOGLE_GROUP_TYPES = {
    "FD6": ["restaurant", "food", "point_of_interest", "establishment"],
    "CE7": ["cafe", "coffee_shop", "food", "point_of_interest", "store", "establishment"],
    "AD5": ["lodging", "point_of_interest", "establishment"],
    "AT4": ["tourist_attraction", "point_of_interest", "establishment"],
}


def _google_venue(venue: Venue, language: str) -> dict[str, Any]:
    place_id = _google_id(venue.key)
    specific = next((t for word, t in _GOOGLE_KIND_TYPES if word in venue.kind), None)
    types = list(_GOOGLE_GROUP_TYPES[venue.group])
    if specific and specific not in types:
        types.insert(0, specific)
    address = (
        venue.road_address or venue.lot_address or f"{venue.sido} {venue.sigungu} {venue.dong}"
    )
    return _google_document(
        place_id,
        types,
        address=address,
        lat=venue.lat,
        lon=venue.lon,
        numeric_id=venue.numeric_id,
        name=venue.place_name,
        name_en=venue.name_en,
        language=language,
        half_span=0.001,
    )
