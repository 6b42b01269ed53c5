"""Fake Google Places Text Search (New), POST /v1/places:searchText: the API key
and field mask checks, locationBias and locationRestriction, relevance or
distance ranking, page size and page tokens (60 results at most), the field
mask applied to the answer."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from pind_fakes.gazetteer import haversine_m
from pind_fakes.geocoders.google_documents import google_found
from pind_fakes.geocoders.search import VENUES, json_response, places_and_venues, split_region

# Fields of a Place that a field mask may name; the ones this fake has are filled.
_PLACE_FIELDS = {
    "id",
    "name",
    "displayName",
    "formattedAddress",
    "shortFormattedAddress",
    "location",
    "types",
    "primaryType",
    "primaryTypeDisplayName",
    "googleMapsUri",
    "viewport",
    "addressComponents",
    "plusCode",
    "businessStatus",
    "rating",
    "userRatingCount",
    "priceLevel",
    "websiteUri",
    "nationalPhoneNumber",
    "internationalPhoneNumber",
    "regularOpeningHours",
    "currentOpeningHours",
    "photos",
    "reviews",
    "utcOffsetMinutes",
    "adrFormatAddress",
    "iconMaskBaseUri",
    "iconBackgroundColor",
    "editorialSummary",
    "pureServiceAreaBusiness",
    "accessibilityOptions",
    "attributions",
    "containingPlaces",
    "addressDescriptor",
    "googleMapsLinks",
    "timeZone",
    "postalAddress",
}


def _google_error(status: int, code_name: str, message: str) -> web.Response:
    return json_response(
        {"error": {"code": status, "message": message, "status": code_name}}, status
    )


def _apply_field_mask(places: list[dict[str, Any]], mask: str) -> dict[str, Any] | str:
    """The response with only the masked fields, or the error message for a bad mask."""
    paths = [p.strip() for p in mask.split(",") if p.strip()]
    if "*" in paths or "places" in paths or "places.*" in paths:
        return {"places": places} if places else {}
    wanted: list[list[str]] = []
    for path in paths:
        if path == "nextPageToken":
            continue  # a field of the response, not of a place: the handler adds it
        parts = path.split(".")
        if parts[0] != "places" or len(parts) < 2 or parts[1] not in _PLACE_FIELDS:
            return (
                "Error expanding 'fields' parameter. "
                f"Cannot find matching fields for path '{path}'."
            )
        wanted.append(parts[1:])
    masked = []
    for place in places:
        kept: dict[str, Any] = {}
        for parts in wanted:
            value: Any = place
            for part in parts:
                value = value.get(part) if isinstance(value, dict) else None
            if value is None:
                continue
            target = kept
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = value
        masked.append(kept)
    return {"places": masked} if masked else {}


async def google_search_text(request: web.Request) -> web.Response:
    if not (request.headers.get("X-Goog-Api-Key") or request.query.get("key")):
        return _google_error(403, "PERMISSION_DENIED", "The request is missing a valid API key.")
    mask = (
        request.headers.get("X-Goog-FieldMask")
        or request.query.get("fields")
        or request.query.get("$fields")
    )
    if not mask:
        return _google_error(
            400,
            "INVALID_ARGUMENT",
            "FieldMask is a required parameter. See "
            "https://cloud.google.com/apis/docs/system-parameters on how to provide it. "
            "As an example, you can set the header 'X-Goog-FieldMask' to value "
            "'places.displayName', 'places.id' to ask for the display name and the place id of a "
            "place. You can also set the value to '*' in manual testing to get all the available "
            "response fields.",
        )
    try:
        body = await request.json()
    except json.JSONDecodeError:
        return _google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
    query = str(body.get("textQuery") or "").strip()
    if not query:
        return _google_error(400, "INVALID_ARGUMENT", "Empty text_query.")
    limit = int(body.get("pageSize") or body.get("maxResultCount") or 20)
    if not 1 <= limit <= 20:
        return _google_error(400, "INVALID_ARGUMENT", "page_size must be between 1 and 20.")
    bias = _google_area(body.get("locationBias") or {})
    restriction = _google_area(body.get("locationRestriction") or {})
    if isinstance(bias, str) or isinstance(restriction, str):
        return _google_error(
            400, "INVALID_ARGUMENT", str(bias if isinstance(bias, str) else restriction)
        )
    offset = _google_offset(str(body.get("pageToken") or ""), query)
    if offset is None:
        return _google_error(400, "INVALID_ARGUMENT", "Invalid page_token.")
    near = bias.centre if bias is not None else None
    split = split_region(query, request.app[VENUES])
    found = places_and_venues(
        request, split.keyword, region=split.selected, near=near, categories=None, groups=None
    )
    if restriction is not None:
        found = [f for f in found if restriction.contains(f.lat, f.lon)]
    language = str(body.get("languageCode") or "ko")
    if body.get("rankPreference") == "DISTANCE" and near is not None:
        found.sort(key=lambda f: f.distance_m or 0.0)
    else:
        # Relevance: the name, then — with a bias — nearness, else prominence;
        # either way every branch of a name comes, from all over the country.
        found.sort(
            key=lambda f: (
                -f.score,
                f.distance_m if f.distance_m is not None else 0.0,
                -f.prominence,
            )
        )
    places = [google_found(f, language) for f in found[:_GOOGLE_MAX_RESULTS]]
    included = body.get("includedType")
    if included:
        places = [p for p in places if included in p["types"]]
    masked = _apply_field_mask(places[offset : offset + limit], mask)
    if isinstance(masked, str):
        return _google_error(400, "INVALID_ARGUMENT", masked)
    fields = mask.replace(" ", "").split(",")
    if offset + limit < len(places) and ("nextPageToken" in fields or "*" in fields):
        masked["nextPageToken"] = _google_page_token(query, offset + limit)
    return json_response(masked)


_GOOGLE_MAX_RESULTS = 60
"""Text Search (New) pages through 60 results at most."""


@dataclass(frozen=True, slots=True)
class _GoogleArea:
    centre: tuple[float, float]
    radius_m: float | None = None
    low: tuple[float, float] | None = None
    high: tuple[float, float] | None = None

    def contains(self, lat: float, lon: float) -> bool:
        if self.low is not None and self.high is not None:
            return self.low[0] <= lat <= self.high[0] and self.low[1] <= lon <= self.high[1]
        distance = haversine_m(self.centre[0], self.centre[1], lat, lon)
        return self.radius_m is None or distance <= self.radius_m


def _google_area(raw: dict[str, Any]) -> _GoogleArea | str | None:
    """A circle {center, radius} or a rectangle {low, high} of a locationBias
    or locationRestriction."""
    try:
        if "circle" in raw:
            centre = raw["circle"]["center"]
            radius = float(raw["circle"].get("radius", 0.0))
            if not 0.0 <= radius <= 50_000.0:
                return "Invalid radius: must be between 0.0 and 50000.0."
            return _GoogleArea((float(centre["latitude"]), float(centre["longitude"])), radius)
        if "rectangle" in raw:
            low, high = raw["rectangle"]["low"], raw["rectangle"]["high"]
            south_west = (float(low["latitude"]), float(low["longitude"]))
            north_east = (float(high["latitude"]), float(high["longitude"]))
            centre = ((south_west[0] + north_east[0]) / 2, (south_west[1] + north_east[1]) / 2)
            return _GoogleArea(centre, low=south_west, high=north_east)
    except (KeyError, TypeError, ValueError):
        return (
            "Invalid location: a circle needs center.latitude/longitude, a rectangle low and high."
        )
    return None


def _google_page_token(query: str, offset: int) -> str:
    raw = json.dumps({"q": query, "o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _google_offset(token: str, query: str) -> int | None:
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded))
        offset = int(decoded["o"])
    except (ValueError, KeyError, TypeError):
        return None
    return offset if decoded.get("q") == query and 0 <= offset < _GOOGLE_MAX_RESULTS else None
