"""Fake Nominatim search (GET /search, /search.php; format json or jsonv2): a real
User-Agent or 403, one request per second per client or 429, OSM classes and
ranks for the gazetteer's places."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from pind_fakes.gazetteer import GazetteerPlace, PlaceCategory
from pind_fakes.geocoders.search import GAZETTEER, NOMINATIM_LIMITER, json_response

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
    return json_response({"error": {"code": status, "message": message}}, status)


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
        return json_response([])
    english = request.query.get("accept-language", "").lower().startswith("en")
    matches = request.app[GAZETTEER].search(query)[:limit]
    return json_response([_nominatim_place(m.place, fmt, english=english) for m in matches])


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
