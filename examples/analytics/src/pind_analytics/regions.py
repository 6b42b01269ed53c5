"""The province (시·도) of a place, read from its address: the first word of a
Korean address (``서울특별시 종로구 …``, ``경기 수원시 …``) or, in an English
one (``…, Jongno-gu, Seoul, South Korea``), the last part that names one.
No coordinates are looked up: without an address, or with one naming no
province, the region is ``UNKNOWN``."""

from __future__ import annotations

import re

UNKNOWN = "(unknown)"

_PROVINCES: dict[str, tuple[str, ...]] = {
    "서울특별시": ("서울", "서울시", "seoul"),
    "부산광역시": ("부산", "부산시", "busan"),
    "대구광역시": ("대구", "대구시", "daegu"),
    "인천광역시": ("인천", "인천시", "incheon"),
    "광주광역시": ("광주", "gwangju"),
    "대전광역시": ("대전", "대전시", "daejeon"),
    "울산광역시": ("울산", "울산시", "ulsan"),
    "세종특별자치시": ("세종", "세종시", "sejong"),
    "경기도": ("경기", "gyeonggi"),
    "강원특별자치도": ("강원도", "강원", "gangwon"),
    "충청북도": ("충북", "chungcheongbuk", "north chungcheong"),
    "충청남도": ("충남", "chungcheongnam", "south chungcheong"),
    "전북특별자치도": ("전라북도", "전북", "jeollabuk", "north jeolla", "jeonbuk"),
    "전라남도": ("전남", "jeollanam", "south jeolla"),
    "경상북도": ("경북", "gyeongsangbuk", "north gyeongsang"),
    "경상남도": ("경남", "gyeongsangnam", "south gyeongsang"),
    "제주특별자치도": ("제주도", "제주", "jeju"),
}
_ALIASES = {
    alias: province
    for province, aliases in _PROVINCES.items()
    for alias in (province.lower(), *aliases)
}
_SUFFIX = re.compile(r"[-\s]*(do|si|province|special city|metropolitan city)$")


def _normalise(part: str) -> str:
    return _SUFFIX.sub("", part.strip().lower()).strip()


def region_of(address: str | None) -> str:
    """The province an address names (its official Korean name), or ``UNKNOWN``."""
    if not address or not address.strip():
        return UNKNOWN
    first = address.split()[0]
    if first in _ALIASES:
        return _ALIASES[first]
    for part in reversed(address.split(",")):
        found = _ALIASES.get(_normalise(part))
        if found:
            return found
    return UNKNOWN
