"""The offline venue index: restaurants, cafes, lodging and landmarks by name,
with branches and the many venues that share a name."""

from pind_geo.domain.venues.index import VenueHit, VenueIndex, VenueIndexStats, split_branch
from pind_geo.domain.venues.records import KAKAO_GROUPS, KakaoGroup, VenueRecord

__all__ = [
    "KAKAO_GROUPS",
    "KakaoGroup",
    "VenueHit",
    "VenueIndex",
    "VenueIndexStats",
    "VenueRecord",
    "split_branch",
]
