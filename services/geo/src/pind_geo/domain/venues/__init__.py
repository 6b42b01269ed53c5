"""The offline venue index: restaurants, cafes, lodging and landmarks by name,
with branches and the many venues that share a name, and the addresses of
the venue data (with the 행정동 an address not in it is in)."""

from pind_geo.domain.venues.addresses import AddressBook, AddressMatch, address_key
from pind_geo.domain.venues.index import VenueHit, VenueIndex, VenueIndexStats
from pind_geo.domain.venues.names import split_branch
from pind_geo.domain.venues.records import KAKAO_GROUPS, KakaoGroup, VenueRecord

__all__ = [
    "KAKAO_GROUPS",
    "AddressBook",
    "AddressMatch",
    "KakaoGroup",
    "VenueHit",
    "VenueIndex",
    "VenueIndexStats",
    "VenueRecord",
    "address_key",
    "split_branch",
]
