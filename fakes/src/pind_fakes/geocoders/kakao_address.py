"""Fake Kakao Local address search (GET /v2/local/search/address.json): the road
and lot addresses of the venue index, split into Kakao's address parts; a
region alone ('부산 중구') answers the centre of its venues."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from pind_fakes.gazetteer import normalise
from pind_fakes.geocoders.kakao import kakao_error, kakao_query
from pind_fakes.geocoders.search import VENUES, json_response
from pind_fakes.venues import Venue, VenueDirectory, kakao_address, short_sido

_LOT = re.compile(r"^(?P<mountain>산)?(?P<main>\d+)(?:-(?P<sub>\d+))?$")
_ROAD_NUMBER = re.compile(r"^(?P<main>\d+)(?:-(?P<sub>\d+))?$")


async def kakao_address_search(request: web.Request) -> web.Response:
    """Road and lot addresses of the venue index; an area alone answers its centre."""
    query = kakao_query(request)
    if isinstance(query, web.Response):
        return query
    try:
        size = int(request.query.get("size", "10"))
        page = int(request.query.get("page", "1"))
    except ValueError:
        return kakao_error(400, "InvalidArgument", "size and page must be integers")
    if not 1 <= size <= 30:
        return kakao_error(400, "InvalidArgument", "size is more than max")
    if not 1 <= page <= 45:
        return kakao_error(400, "InvalidArgument", "page is more than max")
    if request.query.get("analyze_type", "similar") not in ("similar", "exact"):
        return kakao_error(400, "InvalidArgument", "analyze_type must be similar or exact")
    venues = request.app[VENUES]
    documents = _region_documents(query, venues) or [
        _address_document(a, at) for a, at in venues.at_address(query)
    ]
    pageable = documents[: 45 * size]
    return json_response(
        {
            "documents": pageable[(page - 1) * size : page * size],
            "meta": {
                "is_end": page * size >= len(pageable),
                "pageable_count": len(pageable),
                "total_count": len(documents),
            },
        }
    )


def _centre(venues: list[Venue]) -> tuple[float, float]:
    return (
        sum(v.lat for v in venues) / len(venues),
        sum(v.lon for v in venues) / len(venues),
    )


def _address_document(address: str, venues: list[Venue]) -> dict[str, Any]:
    first = venues[0]
    lat, lon = _centre(venues)
    road = first.road_address == address
    return {
        "address_name": kakao_address(address),
        "address_type": "ROAD_ADDR" if road else "REGION_ADDR",
        "x": f"{lon:.15g}",
        "y": f"{lat:.15g}",
        "address": _lot_part(first, lat, lon) if first.lot_address else None,
        "road_address": _road_part(first, lat, lon) if first.road_address else None,
    }


def _areas(venue: Venue, address: str) -> tuple[str, str, list[str]]:
    """(region 1, region 2, the words after them) of one of ``venue``'s addresses."""
    words = address.split()[1:]
    sigungu = venue.sigungu.split()
    if words[: len(sigungu)] == sigungu:
        words = words[len(sigungu) :]
    return short_sido(venue.sido), venue.sigungu, words


def _lot_part(venue: Venue, lat: float, lon: float) -> dict[str, str]:
    region_1, region_2, words = _areas(venue, venue.lot_address)
    number = _LOT.match(words[-1]) if words else None
    dong = " ".join(words[:-1] if number else words)
    return {
        "address_name": kakao_address(venue.lot_address),
        "region_1depth_name": region_1,
        "region_2depth_name": region_2,
        "region_3depth_name": dong,
        "region_3depth_h_name": venue.dong,
        "h_code": "",
        "b_code": "",
        "mountain_yn": "Y" if number and number["mountain"] else "N",
        "main_address_no": number["main"] if number else "",
        "sub_address_no": (number["sub"] or "") if number else "",
        "x": f"{lon:.15g}",
        "y": f"{lat:.15g}",
    }


def _road_part(venue: Venue, lat: float, lon: float) -> dict[str, str]:
    region_1, region_2, words = _areas(venue, venue.road_address)
    at = next((i for i, w in enumerate(words) if _ROAD_NUMBER.match(w)), None)
    road = words[at - 1] if at else ""
    number = _ROAD_NUMBER.match(words[at]) if at is not None else None
    lot_words = _areas(venue, venue.lot_address)[2] if venue.lot_address else []
    return {
        "address_name": kakao_address(venue.road_address),
        "region_1depth_name": region_1,
        "region_2depth_name": region_2,
        "region_3depth_name": lot_words[0] if lot_words else venue.dong,
        "road_name": road,
        "underground_yn": "N",
        "main_building_no": number["main"] if number else "",
        "sub_building_no": (number["sub"] or "") if number else "",
        "building_name": "",
        "zone_no": "",
        "x": f"{lon:.15g}",
        "y": f"{lat:.15g}",
    }


def _region_documents(query: str, venues: VenueDirectory) -> list[dict[str, Any]]:
    """'부산 중구', '중구 남포동': the centre of the venues of each area the
    words name (every 중구 for '중구'), as Kakao answers a region (REGION)."""
    words = query.split()
    if not words or not all(venues.regions(w) for w in words):
        return []
    areas: dict[tuple[str, str, str], list[Venue]] = {}
    for venue in venues.venues:
        if all(normalise(w) in venue.region_words() for w in words):
            named_dong = any(normalise(w) == normalise(venue.dong) for w in words)
            key = (venue.sido, venue.sigungu, venue.dong if named_dong else "")
            areas.setdefault(key, []).append(venue)
    documents = []
    for (sido, sigungu, dong), inside in sorted(areas.items()):
        lat, lon = _centre(inside)
        name = " ".join(p for p in (short_sido(sido), sigungu, dong) if p)
        region = {
            "address_name": name,
            "region_1depth_name": short_sido(sido),
            "region_2depth_name": sigungu,
            "region_3depth_name": dong,
            "region_3depth_h_name": dong,
            "h_code": "",
            "b_code": "",
            "mountain_yn": "N",
            "main_address_no": "",
            "sub_address_no": "",
            "x": f"{lon:.15g}",
            "y": f"{lat:.15g}",
        }
        documents.append(
            {
                "address_name": name,
                "address_type": "REGION",
                "x": region["x"],
                "y": region["y"],
                "address": region,
                "road_address": None,
            }
        )
    return documents
