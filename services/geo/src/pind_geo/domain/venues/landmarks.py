"""Landmarks (TourAPI sights) as gazetteer rows: they are few, well known and
named in many ways ('경주 첨성대', '첨성대', 'Cheomseongdae'; '남산타워' for
남산서울타워), which the gazetteer's name handling already covers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.domain.cues import ko_suffix
from pind_geo.domain.gazetteer import GazetteerRecord
from pind_geo.domain.model import AdminArea
from pind_geo.domain.regions import area_of_address
from pind_geo.domain.text import match_key
from pind_geo.domain.venues.records import VenueRecord

_TAGS = re.compile(r"\s*\[[^\]]*\]")
_REGION_WORD = 2
"""'경주 첨성대', '단양 고수동굴': a two-letter town before a sight's name."""
_MIN_REST = 3
_NOT_LANDMARK = frozenset({"cafe", "restaurant", "bar", "lodging"})


def landmark_records(venues: Iterable[VenueRecord]) -> Iterator[GazetteerRecord]:
    """Gazetteer rows of the landmark venues (Kakao group AT4): the name without
    its tags ('[유네스코 세계유산]'), and once more without the town before it
    when that leaves a name of its own ('첨성대', not '화성' for 수원 화성)."""
    for venue in venues:
        if venue.group != "AT4":
            continue
        name = _TAGS.sub("", venue.name).strip()
        names = [name]
        words = name.split(maxsplit=1)
        if len(words) == 2 and len(words[0]) == _REGION_WORD:
            rest = words[1]
            if len(match_key(rest.split("(")[0])) >= _MIN_REST:
                names.append(rest)
        province, district = area_of_address(venue.address)
        for shown in names:
            yield GazetteerRecord(
                "landmark",
                venue.ref,
                shown,
                venue.lat,
                venue.lon,
                landmark_category(shown),
                kind=venue.kind,
                address=venue.address,
                area=AdminArea(province, district),
            )


def landmark_category(name: str) -> PlaceCategory:
    """What the name says it is (…궁 palace, …박물관 museum, …공원 park), else landmark."""
    suffix = ko_suffix(name.split("(")[0].replace(" ", ""))
    return suffix[1] if suffix and suffix[1] not in _NOT_LANDMARK else "landmark"
