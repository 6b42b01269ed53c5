"""Fake geocoders (port 8902) answering from the Korean public-data gazetteer.

- Kakao Local keyword search: GET /v2/local/search/keyword.json
  (``Authorization: KakaoAK <key>`` or 401; x = longitude, y = latitude, as strings)
- Google Places Text Search (New): POST /v1/places:searchText
  (``X-Goog-Api-Key`` or 403; ``X-Goog-FieldMask`` or 400; the mask is applied)
- Nominatim: GET /search?q=&format=jsonv2|json
  (a real User-Agent or 403; more than one request per second per client: 429)
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from pind_fakes.gazetteer import Gazetteer, GazetteerPlace, PlaceCategory, PlaceMatch
from pind_fakes.serving import new_app
from pind_fakes.settings import FakesSettings


class RateLimiter:
    """At most one request per ``interval_s`` per client key; the clock is injectable."""

    def __init__(self, interval_s: float, clock: Callable[[], float]) -> None:
        self._interval = interval_s
        self._clock = clock
        self._last: dict[str, float] = {}

    def allow(self, client: str) -> bool:
        now = self._clock()
        last = self._last.get(client)
        if last is not None and now - last < self._interval:
            return False
        self._last[client] = now
        return True


GAZETTEER = web.AppKey("gazetteer", Gazetteer)
NOMINATIM_LIMITER = web.AppKey("nominatim_limiter", RateLimiter)


def create_app(
    settings: FakesSettings, clock: Callable[[], float] = time.monotonic
) -> web.Application:
    app = new_app()
    app[GAZETTEER] = Gazetteer.load(settings.gazetteer_dir)
    app[NOMINATIM_LIMITER] = RateLimiter(settings.nominatim_min_interval_s, clock)
    app.router.add_get("/v2/local/search/keyword.json", kakao_keyword)
    app.router.add_post("/v1/places:searchText", google_search_text)
    app.router.add_get("/search", nominatim_search)
    app.router.add_get("/search.php", nominatim_search)
    return app


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


# ------------------------------------------------------------------------ Kakao

_KAKAO_CATEGORIES = {
    PlaceCategory.MARKET: ("", "", "쇼핑 > 전통시장"),
    PlaceCategory.STATION: ("SW8", "지하철역", "교통,수송 > 지하철,전철 > {line}"),
    PlaceCategory.ATTRACTION: ("AT4", "관광명소", "여행 > 관광,명소"),
    PlaceCategory.PARK: ("AT4", "관광명소", "여행 > 공원"),
}


def _kakao_error(status: int, error_type: str, message: str) -> web.Response:
    return _json({"errorType": error_type, "message": message}, status)


def _float_param(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


async def kakao_keyword(request: web.Request) -> web.Response:
    authorization = request.headers.get("Authorization", "")
    if not authorization:
        return _kakao_error(401, "AccessDeniedError", "cannot find Authorization : KakaoAK header")
    scheme, _, key = authorization.partition(" ")
    if scheme != "KakaoAK" or not key.strip():
        return _kakao_error(401, "AccessDeniedError", "wrong appKey format")
    query = request.query.get("query", "").strip()
    if not query:
        return _kakao_error(400, "MissingParameter", "query parameter required")
    try:
        size = int(request.query.get("size", "15"))
        page = int(request.query.get("page", "1"))
        radius = int(request.query["radius"]) if "radius" in request.query else None
    except ValueError:
        return _kakao_error(400, "InvalidArgument", "size, page and radius must be integers")
    if not 1 <= size <= 15:
        return _kakao_error(400, "InvalidArgument", "size is more than max")
    if not 1 <= page <= 45:
        return _kakao_error(400, "InvalidArgument", "page is more than max")
    if radius is not None and not 0 <= radius <= 20000:
        return _kakao_error(400, "InvalidArgument", "radius is more than max")
    x, y = _float_param(request.query.get("x")), _float_param(request.query.get("y"))
    near = (y, x) if x is not None and y is not None else None
    matches = request.app[GAZETTEER].search(
        query,
        categories=tuple(_KAKAO_CATEGORIES),  # Kakao keyword search returns places, not areas
        near=near,
        radius_m=radius if near else None,
    )
    group = request.query.get("category_group_code")
    if group:
        matches = [m for m in matches if _KAKAO_CATEGORIES[m.place.category][0] == group]
    if request.query.get("sort") == "distance" and near:
        matches.sort(key=lambda m: m.distance_m or 0.0)
    pageable = matches[: 45 * size]
    documents = [_kakao_document(m) for m in pageable[(page - 1) * size : page * size]]
    return _json(
        {
            "documents": documents,
            "meta": {
                "is_end": page * size >= len(pageable),
                "pageable_count": len(pageable),
                "total_count": len(matches),
                "same_name": {"keyword": query, "region": [], "selected_region": ""},
            },
        }
    )


def _kakao_document(match: PlaceMatch) -> dict[str, str]:
    place = match.place
    code, group, category = _KAKAO_CATEGORIES[place.category]
    name = place.name
    if place.category == PlaceCategory.STATION:
        line = _short_line(place.detail)
        name, category = f"{place.name} {line}", category.format(line=line)
    road = place.address if re.search(r"(로|길)\s*\d", place.address) else ""
    return {
        "id": str(place.numeric_id % 10**10),
        "place_name": name,
        "category_name": category,
        "category_group_code": code,
        "category_group_name": group,
        "phone": "",
        "address_name": place.address,
        "road_address_name": road,
        "x": f"{place.lon:.15g}",
        "y": f"{place.lat:.15g}",
        "place_url": f"http://place.map.kakao.com/{place.numeric_id % 10**10}",
        "distance": f"{match.distance_m:.0f}" if match.distance_m is not None else "",
    }


def _short_line(line: str) -> str:
    number = re.search(r"(\d+)호선$", line)
    if number and line.startswith("서울"):
        return f"수도권{number.group(1)}호선"
    return line.replace("도시철도 ", "")


# ----------------------------------------------------------------- Google Places

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
    return _json({"error": {"code": status, "message": message, "status": code_name}}, status)


def _google_place_id(place: GazetteerPlace) -> str:
    digest = hashlib.sha256(place.key.encode()).digest()[:20]
    return "ChIJ" + base64.urlsafe_b64encode(digest).decode().rstrip("=")[:23]


def _google_place(place: GazetteerPlace, language: str) -> dict[str, Any]:
    place_id = _google_place_id(place)
    types = list(_GOOGLE_TYPES[place.category])
    if place.category == PlaceCategory.ADMIN_AREA:
        types = [_ADMIN_TYPES[place.detail], "political"]
    english = language.lower().startswith("en")
    return {
        "name": f"places/{place_id}",
        "id": place_id,
        "types": types,
        "formattedAddress": f"대한민국 {place.address}".strip(),
        "shortFormattedAddress": place.address,
        "location": {"latitude": place.lat, "longitude": place.lon},
        "viewport": {
            "low": {"latitude": place.lat - 0.002, "longitude": place.lon - 0.002},
            "high": {"latitude": place.lat + 0.002, "longitude": place.lon + 0.002},
        },
        "googleMapsUri": f"https://maps.google.com/?cid={place.numeric_id}",
        "displayName": {
            "text": place.name_en if english else place.name,
            "languageCode": "en" if english else "ko",
        },
        "primaryType": types[0],
    }


def _apply_field_mask(places: list[dict[str, Any]], mask: str) -> dict[str, Any] | str:
    """The response with only the masked fields, or the error message for a bad mask."""
    paths = [p.strip() for p in mask.split(",") if p.strip()]
    if "*" in paths or "places" in paths or "places.*" in paths:
        return {"places": places} if places else {}
    wanted: list[list[str]] = []
    for path in paths:
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
    circle = ((body.get("locationBias") or {}).get("circle")) or {}
    center = circle.get("center") or {}
    near = (
        (float(center["latitude"]), float(center["longitude"]))
        if "latitude" in center and "longitude" in center
        else None
    )
    matches = request.app[GAZETTEER].search(query, near=near)
    included = body.get("includedType")
    places = [_google_place(m.place, str(body.get("languageCode") or "ko")) for m in matches]
    if included:
        places = [p for p in places if included in p["types"]]
    masked = _apply_field_mask(places[:limit], mask)
    if isinstance(masked, str):
        return _google_error(400, "INVALID_ARGUMENT", masked)
    return _json(masked)


# --------------------------------------------------------------------- Nominatim

_NOMINATIM_CLASSES = {
    PlaceCategory.MARKET: ("amenity", "marketplace", "amenity", 30),
    PlaceCategory.STATION: ("railway", "station", "railway", 30),
    PlaceCategory.ATTRACTION: ("tourism", "attraction", "tourism", 30),
    PlaceCategory.PARK: ("leisure", "park", "leisure", 25),
}
_ADMIN_RANKS = {"시도": ("province", 8), "시군구": ("borough", 12), "읍면동": ("quarter", 20)}
# Stock User-Agents of HTTP libraries are refused, as the usage policy says.
_STOCK_AGENT = re.compile(
    r"^(python-requests|python-httpx|python-urllib|Python-urllib|aiohttp|Python/|curl/|Wget/|"
    r"Go-http-client|okhttp|axios|node-fetch|Java/|libwww-perl)",
)
_LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"


def _nominatim_error(status: int, message: str) -> web.Response:
    return _json({"error": {"code": status, "message": message}}, status)


async def nominatim_search(request: web.Request) -> web.Response:
    agent = request.headers.get("User-Agent", "").strip()
    if not agent or _STOCK_AGENT.match(agent):
        return web.Response(
            status=403,
            text="Access blocked: provide a User-Agent that identifies your application "
            "(see https://operations.osmfoundation.org/policies/nominatim/).",
        )
    if not request.app[NOMINATIM_LIMITER].allow(f"{request.remote}|{agent}"):
        return web.Response(status=429, text="Too Many Requests: at most 1 request per second.")
    fmt = request.query.get("format", "xml")
    if fmt not in ("json", "jsonv2"):
        return _nominatim_error(400, f"format '{fmt}' is not served by this fake (json, jsonv2)")
    query = request.query.get("q", "").strip()
    if not query:
        return _nominatim_error(400, "Nothing to search for.")
    try:
        limit = max(1, min(40, int(request.query.get("limit", "10"))))
    except ValueError:
        return _nominatim_error(400, "Parameter 'limit' must be a number.")
    codes = request.query.get("countrycodes", "").lower()
    if codes and "kr" not in codes.split(","):
        return _json([])
    english = request.query.get("accept-language", "").lower().startswith("en")
    matches = request.app[GAZETTEER].search(query)[:limit]
    return _json([_nominatim_place(m.place, fmt, english=english) for m in matches])


def _nominatim_place(place: GazetteerPlace, fmt: str, *, english: bool) -> dict[str, Any]:
    if place.category == PlaceCategory.ADMIN_AREA:
        osm_class, osm_type, (addresstype, rank) = (
            "boundary",
            "administrative",
            _ADMIN_RANKS[place.detail],
        )
    else:
        osm_class, osm_type, addresstype, rank = _NOMINATIM_CLASSES[place.category]
        if place.name.endswith("해수욕장"):
            osm_class, osm_type, addresstype = "natural", "beach", "natural"
    name = place.name_en if english else place.name
    # "서울특별시 마포구 망원로8길 3" → "망원로8길, 마포구, 서울특별시" (house numbers dropped)
    areas = [t for t in place.address.replace(",", " ").split() if not t[0].isdigit()]
    parts = [name, *reversed(areas), "대한민국" if not english else "South Korea"]
    display = ", ".join(dict.fromkeys(p for p in parts if p))
    entry: dict[str, Any] = {
        "place_id": place.numeric_id % 10**9,
        "licence": _LICENCE,
        "osm_type": "relation" if osm_class == "boundary" else "node",
        "osm_id": place.numeric_id % 10**10,
        "lat": f"{place.lat:.7f}",
        "lon": f"{place.lon:.7f}",
        ("category" if fmt == "jsonv2" else "class"): osm_class,
        "type": osm_type,
        "place_rank": rank,
        "importance": round(place.prominence, 6),
        "addresstype": addresstype,
        "name": name,
        "display_name": display,
        "boundingbox": [
            f"{place.lat - 0.001:.7f}",
            f"{place.lat + 0.001:.7f}",
            f"{place.lon - 0.001:.7f}",
            f"{place.lon + 0.001:.7f}",
        ],
    }
    return entry
