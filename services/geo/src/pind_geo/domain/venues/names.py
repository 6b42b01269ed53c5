"""Venue names as the index keys them: what is a chain's name, what is a
branch ('스타벅스' / '동숭로아트점', '이디야광안역점'), and which names say only
what a venue is ('카페', '식당'). Pure: no I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pind_geo.domain.gazetteer.names import GENERIC_NAMES
from pind_geo.domain.text import has_hangul, match_key
from pind_geo.domain.venues.records import VenueRecord

_MIN_BRAND = 2
BRANCH = "점"
# Words that end a name in 점 without being a branch ('구공반점', '바다노래주점').
_NOT_BRANCHES = ("반점", "주점", "상점", "매점", "편의점", "백화점", "정육점", "제과점")
# Names that are what a venue is, not which one ('카페', '식당', '모텔').
GENERIC_VENUE_NAMES = frozenset(
    {
        "카페",
        "커피",
        "커피숍",
        "식당",
        "음식점",
        "분식",
        "분식집",
        "김밥",
        "국밥",
        "치킨",
        "통닭",
        "피자",
        "호프",
        "맥주",
        "주점",
        "술집",
        "포차",
        "포장마차",
        "노래방",
        "노래주점",
        "횟집",
        "고깃집",
        "정육식당",
        "중국집",
        "반점",
        "뷔페",
        "한식",
        "한식뷔페",
        "중식",
        "일식",
        "양식",
        "베이커리",
        "빵집",
        "제과점",
        "떡집",
        "모텔",
        "여관",
        "여인숙",
        "호텔",
        "펜션",
        "민박",
        "게스트하우스",
        "스터디카페",
        "구내식당",
        "기사식당",
        "함바식당",
        "맛집",
        *GENERIC_NAMES,
    }
)


def split_branch(venue: VenueRecord, brands: frozenset[str]) -> tuple[str, str]:
    """(name, branch) as comparison keys. The sources split a branch off
    ('스타벅스' / '동숭로아트점'), leave it inside the name ('이디야광안역점'),
    repeat it there ('스타벅스회현역점' / '회현역점') or split in the middle of it
    ('컴포즈커피대연' / '혁신점'): the longest chain name at the start of the
    name is the name, the rest the branch."""
    name, branch = match_key(venue.name), match_key(venue.branch)
    if branch and name in brands:
        return name, branch
    if not branch and not (name.endswith(BRANCH) and not name.endswith(_NOT_BRANCHES)):
        return name, branch
    for end in range(len(name) - 2, _MIN_BRAND - 1, -1):
        head, rest = name[:end], name[end:]
        if head in brands:
            return head, rest if rest.endswith(branch) else rest + branch
    return name, branch


def brands_of(venues: Iterable[VenueRecord]) -> frozenset[str]:
    """Names of chains: names of more than one venue."""
    counts = Counter(match_key(v.name) for v in venues)
    return frozenset(
        name
        for name, count in counts.items()
        if count > 1
        and len(name) >= _MIN_BRAND
        and has_hangul(name)
        and name not in GENERIC_VENUE_NAMES
    )


def usable(name: str) -> bool:
    return len(name) >= 2 and has_hangul(name) and name not in GENERIC_VENUE_NAMES
