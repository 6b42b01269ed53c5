"""Kakao Local keyword search: GET /v2/local/search/keyword.json with
``Authorization: KakaoAK <key>``; documents carry x (longitude) and y
(latitude) as strings."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.adapters.http_common import Pacer, name_score, send
from pind_geo.domain.extraction.venues import ADDRESS, ADDRESS_HINT
from pind_geo.domain.model import AdminArea, GeocodeQuery, GeocodeResult
from pind_geo.domain.regions import area_of_address
from pind_geo.domain.text import match_key
from pind_geo.errors import GeocoderError

_GROUPS: dict[str, PlaceCategory] = {
    "FD6": "restaurant",
    "CE7": "cafe",
    "SW8": "station",
    "AT4": "landmark",
    "AD5": "lodging",
    "CT1": "museum",
    "MT1": "shop",
    "CS2": "shop",
}
_WORDS: tuple[tuple[str, PlaceCategory], ...] = (
    ("전통시장", "market"),
    ("시장", "market"),
    ("공원", "park"),
    ("해수욕장", "beach"),
    ("지하철", "station"),
    ("궁", "palace"),
    ("박물관", "museum"),
)
MIN_SCORE = 0.6
_VENUE_GROUPS = frozenset({"FD6", "CE7", "AD5"})
_CHAIN_BRANCHES = 2
_COMMON_NAME = 5
"""A page with this many venues of exactly the asked name: a name too common to
pin by the video's area alone (a chain's, or 23 진주식당)."""


def _mark_chain(query: GeocodeQuery, results: list[GeocodeResult]) -> list[GeocodeResult]:
    """A name Kakao answers with several branches ('이디야커피 부산대점', …), or
    with a page of venues of exactly that name, is a chain's or as good as one:
    resolution pins one of them only when it alone is beside the video's places."""
    asked = match_key(query.text)
    branches = [
        r
        for r in results
        if r.category in ("restaurant", "cafe")
        and match_key(r.name) != asked
        and match_key(r.name).startswith(asked)
        and r.name.endswith("점")
    ]
    same = [r for r in results if match_key(r.name) == asked]
    if len(branches) < _CHAIN_BRANCHES and len(same) < _COMMON_NAME:
        return results
    return [replace(r, chain=True) if r.category in ("restaurant", "cafe") else r for r in results]


class KakaoLocalGeocoder:
    name = "kakao"
    online = True

    def __init__(
        self,
        client: httpx.AsyncClient,
        api_key: str,
        *,
        base_url: str = "https://dapi.kakao.com",
        pacer: Pacer | None = None,
        size: int = 10,
    ) -> None:
        if not api_key.strip():
            raise ValueError("Kakao Local needs a REST API key")
        self._client = client
        self._key = api_key
        self._base = base_url.rstrip("/")
        self._pacer = pacer or Pacer(0.0)
        self._size = size

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        if query.region not in (None, "KR"):
            return []  # Kakao knows Korea only
        if query.category_hint == ADDRESS_HINT and ADDRESS.fullmatch(query.text):
            return await self._address(query)
        params: dict[str, str | int] = {"query": query.text, "size": self._size}
        if query.near is not None:
            # Proximity: rank by accuracy, but within the area of the video.
            params.update(x=f"{query.near[1]:.6f}", y=f"{query.near[0]:.6f}", radius=20000)
            if query.radius_m is not None:  # the one close by: nearest first
                params.update(radius=max(1, int(query.radius_m)), sort="distance")
        request = self._client.build_request(
            "GET",
            f"{self._base}/v2/local/search/keyword.json",
            params=params,
            headers={"Authorization": f"KakaoAK {self._key}"},
        )
        async with self._pacer.turn():
            response = await send(self.name, self._client, request)
        try:
            documents = response.json()["documents"]
            results = [r for r in (self._result(query, d) for d in documents) if r is not None]
        except (KeyError, TypeError, ValueError) as exc:
            raise GeocoderError(self.name, f"unexpected answer: {exc}", retryable=False) from exc
        return _mark_chain(query, results)

    async def _address(self, query: GeocodeQuery) -> list[GeocodeResult]:
        """Address search (GET /v2/local/search/address.json): the points of
        the road or lot address written in the video."""
        request = self._client.build_request(
            "GET",
            f"{self._base}/v2/local/search/address.json",
            params={"query": query.text, "size": self._size},
            headers={"Authorization": f"KakaoAK {self._key}"},
        )
        async with self._pacer.turn():
            response = await send(self.name, self._client, request)
        try:
            documents = response.json()["documents"]
            return [
                GeocodeResult(
                    key=f"kakao:address:{d['address_name']}",
                    name=d["address_name"],
                    category="other",
                    lat=float(d["y"]),
                    lon=float(d["x"]),
                    score=1.0,
                    geocoder=self.name,
                    address=d["address_name"],
                    area=AdminArea(*area_of_address(d["address_name"])),
                )
                for d in documents
                if d.get("address_type") == "ROAD_ADDR" or d.get("address") is not None
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise GeocoderError(self.name, f"unexpected answer: {exc}", retryable=False) from exc

    def _result(self, query: GeocodeQuery, doc: dict[str, Any]) -> GeocodeResult | None:
        score = name_score(query.text, doc["place_name"])
        if score < MIN_SCORE:
            return None
        if doc.get("category_group_code") in _VENUE_GROUPS and not match_key(
            doc["place_name"]
        ).startswith(match_key(query.text)):
            return None  # '에쯔 대학로' is 에쯔's branch on 대학로, not a place called 대학로
        address = doc.get("road_address_name") or doc.get("address_name") or None
        province, district = area_of_address(doc.get("address_name") or address)
        return GeocodeResult(
            key=f"kakao:{doc['id']}",
            name=doc["place_name"],
            category=_category(doc),
            lat=float(doc["y"]),
            lon=float(doc["x"]),
            score=score,
            geocoder=self.name,
            address=address,
            area=AdminArea(province, district),
        )


def _category(doc: dict[str, Any]) -> PlaceCategory:
    group = _GROUPS.get(doc.get("category_group_code") or "")
    if group and group != "landmark":
        return group
    name = f"{doc.get('category_name', '')} {doc.get('place_name', '')}"
    for word, category in _WORDS:
        if word in name:
            return category
    return group or "other"
