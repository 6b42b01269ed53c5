"""Words that say a name is a place, in Korean and English, and the category
each implies. Longest suffix first, so '해수욕장' wins over '장'."""

from __future__ import annotations

from pind_contracts.events.places_extracted import PlaceCategory

# Korean place suffixes → category. A noun ending in one of these (with a head
# before it) names a place: 광장시장, 종로3가역, 서울숲, 해운대해수욕장.
KO_SUFFIXES: tuple[tuple[str, PlaceCategory], ...] = tuple(
    sorted(
        [
            ("해수욕장", "beach"),
            ("전통시장", "market"),
            ("수산시장", "market"),
            ("시장", "market"),
            ("역", "station"),
            ("터미널", "station"),
            ("공원", "park"),
            ("수목원", "park"),
            ("숲", "park"),
            ("유원지", "park"),
            ("궁", "palace"),
            ("박물관", "museum"),
            ("미술관", "museum"),
            ("기념관", "museum"),
            ("전시관", "museum"),
            ("카페", "cafe"),
            ("커피", "cafe"),
            ("베이커리", "cafe"),
            ("식당", "restaurant"),
            ("국밥", "restaurant"),
            ("횟집", "restaurant"),
            ("고깃집", "restaurant"),
            ("반점", "restaurant"),
            ("분식", "restaurant"),
            ("주점", "bar"),
            ("포차", "bar"),
            ("호텔", "lodging"),
            ("게스트하우스", "lodging"),
            ("한옥마을", "neighbourhood"),
            ("마을", "neighbourhood"),
            ("거리", "neighbourhood"),
            ("골목", "neighbourhood"),
            ("길", "neighbourhood"),
            ("동", "neighbourhood"),
            ("구", "neighbourhood"),
            ("읍", "neighbourhood"),
            ("면", "neighbourhood"),
            ("사", "landmark"),
            ("사찰", "landmark"),
            ("성당", "landmark"),
            ("타워", "landmark"),
            ("전망대", "landmark"),
            ("광장", "landmark"),
            ("대교", "landmark"),
            ("해변", "beach"),
            ("해안", "beach"),
            ("항", "landmark"),
            ("섬", "landmark"),
            ("산", "landmark"),
            ("폭포", "landmark"),
            ("성", "landmark"),
        ],
        key=lambda pair: -len(pair[0]),
    )
)

# Suffixes too short or too common to mark a place on their own: they count
# only after a proper noun (해운대구, 불국사), never after a common noun (가구, 회사).
KO_WEAK_SUFFIXES = frozenset({"동", "구", "읍", "면", "사", "성", "산", "섬", "항", "길", "역"})

# Particles after a noun that say "at / to / from a place".
KO_LOCATIVE_PARTICLES = frozenset({"에", "에서", "으로", "로", "까지", "부터"})

EN_PLACE_WORDS: dict[str, PlaceCategory] = {
    "market": "market",
    "station": "station",
    "stn": "station",
    "terminal": "station",
    "park": "park",
    "forest": "park",
    "garden": "park",
    "gardens": "park",
    "palace": "palace",
    "museum": "museum",
    "gallery": "museum",
    "cafe": "cafe",
    "café": "cafe",
    "coffee": "cafe",
    "bakery": "cafe",
    "restaurant": "restaurant",
    "bbq": "restaurant",
    "kitchen": "restaurant",
    "bar": "bar",
    "pub": "bar",
    "pocha": "bar",
    "hotel": "lodging",
    "hostel": "lodging",
    "village": "neighbourhood",
    "street": "neighbourhood",
    "alley": "neighbourhood",
    "road": "neighbourhood",
    "dong": "neighbourhood",
    "gu": "neighbourhood",
    "temple": "landmark",
    "tower": "landmark",
    "bridge": "landmark",
    "square": "landmark",
    "beach": "beach",
    "island": "landmark",
    "mountain": "landmark",
    "falls": "landmark",
    "fortress": "landmark",
    "cathedral": "landmark",
    "port": "landmark",
    "harbour": "landmark",
}

# Korean suffix → the English word romanised names use for it
# (광장시장 → 'Gwangjang Market', 서울숲 → 'Seoul Forest').
KO_TO_EN_SUFFIX: dict[str, str] = {
    "시장": "market",
    "역": "station",
    "공원": "park",
    "숲": "forest",
    "궁": "palace",
    "해수욕장": "beach",
    "박물관": "museum",
    "미술관": "museum",
    "사": "temple",
    "타워": "tower",
    "마을": "village",
    "거리": "street",
    "길": "street",
    "대교": "bridge",
    "광장": "square",
    "산": "mountain",
    "섬": "island",
    "폭포": "falls",
    "항": "port",
    "동": "dong",
    "구": "gu",
}

EN_LOCATIVE_WORDS = frozenset({"at", "in", "to", "from", "near", "visit", "visited", "visiting"})


def ko_suffix(noun: str) -> tuple[str, PlaceCategory] | None:
    """The place suffix ``noun`` ends with (with a head before it), if any."""
    for suffix, category in KO_SUFFIXES:
        if noun.endswith(suffix) and len(noun) > len(suffix):
            return suffix, category
    return None


def en_place_word(word: str) -> PlaceCategory | None:
    return EN_PLACE_WORDS.get(word.casefold())


def is_spaced_suffix(word: str) -> bool:
    """A place word that joins the name before it even when written apart
    ('자갈치 시장')."""
    return word in _SPACED_SUFFIXES


# Only names of landmarks join across a space: '성수동 카페' is a cafe in
# Seongsu-dong, not a place called so, while '자갈치 시장' is 자갈치시장.
_SPACED_SUFFIXES = frozenset(
    {
        "시장",
        "전통시장",
        "수산시장",
        "공원",
        "해수욕장",
        "박물관",
        "미술관",
        "기념관",
        "수목원",
        "유원지",
        "전망대",
        "한옥마을",
        "타워",
        "해변",
        "폭포",
        "대교",
    }
)
