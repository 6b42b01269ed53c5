"""Korean province names in their many spellings → one short form."""

from __future__ import annotations

from pind_geo.domain.text import match_key

# Long and short forms; old names ('강원도', '전라북도') still fill addresses.
_PROVINCES: dict[str, tuple[str, ...]] = {
    "서울": ("서울특별시", "서울시", "서울", "seoul"),
    "부산": ("부산광역시", "부산시", "부산", "busan", "pusan"),
    "대구": ("대구광역시", "대구시", "대구", "daegu"),
    "인천": ("인천광역시", "인천시", "인천", "incheon"),
    "광주": ("광주광역시", "광주시", "광주", "gwangju"),
    "대전": ("대전광역시", "대전시", "대전", "daejeon"),
    "울산": ("울산광역시", "울산시", "울산", "ulsan"),
    "세종": ("세종특별자치시", "세종시", "세종", "sejong"),
    "경기": ("경기도", "경기", "gyeonggido", "gyeonggi"),
    "강원": ("강원특별자치도", "강원도", "강원", "gangwondo", "gangwon"),
    "충북": ("충청북도", "충북", "chungcheongbukdo", "chungbuk"),
    "충남": ("충청남도", "충남", "chungcheongnamdo", "chungnam"),
    "전북": ("전북특별자치도", "전라북도", "전북", "jeollabukdo", "jeonbuk"),
    "전남": ("전라남도", "전남", "jeollanamdo", "jeonnam"),
    "경북": ("경상북도", "경북", "gyeongsangbukdo", "gyeongbuk"),
    "경남": ("경상남도", "경남", "gyeongsangnamdo", "gyeongnam"),
    "제주": ("제주특별자치도", "제주도", "제주", "jeju", "jejudo"),
}
_BY_NAME = {match_key(alias): short for short, aliases in _PROVINCES.items() for alias in aliases}
METROPOLITAN = frozenset({"서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종"})


def province_short(name: str | None) -> str | None:
    """'서울특별시', '서울', 'Seoul' → '서울'; unknown names → None."""
    if not name:
        return None
    return _BY_NAME.get(match_key(name))


def province_aliases(short: str) -> tuple[str, ...]:
    return _PROVINCES.get(short, ())


def area_of_address(address: str | None) -> tuple[str | None, str | None]:
    """(province, city/district) from a Korean address's first words."""
    if not address:
        return None, None
    words = address.split()
    province = province_short(words[0]) if words else None
    if province is None:
        return None, None
    district = words[1] if len(words) > 1 and words[1][-1:] in {"시", "군", "구"} else None
    return province, district
