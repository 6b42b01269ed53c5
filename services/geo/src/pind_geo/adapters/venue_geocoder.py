"""The offline venue geocoder: restaurants, cafes, lodging and landmarks from
the venue index the repository carries (data/poi/kr), in memory."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import structlog

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.adapters.offline_geocoder import entry_result
from pind_geo.adapters.venue_files import load_records
from pind_geo.domain.extraction.venues import ADDRESS_HINT, written_as_address
from pind_geo.domain.gazetteer import GazetteerEntry, GazetteerIndex
from pind_geo.domain.model import AdminArea, GeocodeQuery, GeocodeResult
from pind_geo.domain.regions import area_of_address
from pind_geo.domain.venues import AddressBook, VenueHit, VenueIndex
from pind_geo.domain.venues.landmarks import landmark_records
from pind_geo.domain.venues.roads import RoadPoint

log = structlog.get_logger(__name__)

NAME = "venues"
_EXACT = 0.99
_DONG_SCORE = 0.7
"""An address placed at its 행정동's point, not at a building."""
_ROAD_SCORE = 0.5
"""A road named without a number: somewhere along it, not a building."""
_BAR_KINDS = ("주점",)


class VenueGeocoder:
    """Answers from the landmarks first (경복궁 is a palace before it is four
    barbecue restaurants), then from the venues: every venue of a name, or the
    one branch the query names. Several answers to one name are left to the
    resolution step, which places one only when the video's context points
    to it and otherwise reports the name as ambiguous, with the count."""

    name = NAME

    def __init__(
        self, venues: VenueIndex, landmarks: GazetteerIndex, addresses: AddressBook
    ) -> None:
        self._venues = venues
        self._landmarks = landmarks
        self._addresses = addresses

    @property
    def index(self) -> VenueIndex:
        return self._venues

    def road_names(self) -> frozenset[str]:
        """The roads the data knows by name (the extractor reads them without a number)."""
        return self._addresses.roads.names()

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]:
        if query.category_hint == ADDRESS_HINT and written_as_address(query.text):
            # The venues at a written address ('부산 중구 자갈치로 26'), else its
            # 행정동; a road without a number ('서울 종로구 창경궁로'), the road.
            found = self._addresses.locate(query.text)
            if found.road is not None:
                return [road_result(found.road, query.text, self.name)]
            if found.dong is not None:
                return [
                    replace(entry_result(found.dong, _DONG_SCORE, self.name), address=query.text)
                ]
            return [self._venue(VenueHit(v, True)) for v in found.venues]
        sights = self._landmarks.search(query)
        if sights and sights[0][1] >= _EXACT:
            return [
                entry_result(entry, score, self.name) for entry, score in sights if score >= _EXACT
            ]
        hits = self._venues.search(query.text, query.category_hint)
        if hits:
            return [self._venue(hit) for hit in hits]
        return [entry_result(entry, score, self.name) for entry, score in sights]

    def _venue(self, hit: VenueHit) -> GeocodeResult:
        venue = hit.venue
        province, district = area_of_address(venue.address or f"{venue.sido} {venue.sigungu}")
        return GeocodeResult(
            key=f"{self.name}:{venue.ref}",
            name=venue.display_name,
            category=venue_category(venue.group, venue.kind),
            lat=venue.lat,
            lon=venue.lon,
            score=1.0,
            geocoder=self.name,
            address=venue.address,
            area=AdminArea(province, district),
            chain=hit.chain and not hit.branch,
        )


def road_result(road: RoadPoint, text: str, geocoder: str) -> GeocodeResult:
    """A road as a place: a point on it, its radius, a lower score than a building."""
    return GeocodeResult(
        key=f"{geocoder}:road:{road.province}:{road.district}:{road.name}",
        name=road.name,
        category="road",
        lat=road.lat,
        lon=road.lon,
        score=_ROAD_SCORE,
        geocoder=geocoder,
        address=text,
        area=AdminArea(road.province, road.district),
        radius_m=road.radius_m,
    )


def venue_category(group: str, kind: str) -> PlaceCategory:
    if group == "CE7":
        return "cafe"
    if group == "AD5":
        return "lodging"
    if group == "AT4":
        return "landmark"
    return "bar" if kind.startswith(_BAR_KINDS) else "restaurant"


def load_venue_geocoder(directory: Path, dongs: Iterable[GazetteerEntry] = ()) -> VenueGeocoder:
    """Read the venue index files and build the indexes (logs how long it
    took); ``dongs``, the gazetteer's 행정동 entries, place the addresses the
    venue data lacks."""
    records = load_records(directory)
    started = time.perf_counter()
    venues = VenueIndex(records)
    addresses = AddressBook(records, dongs)
    landmarks = GazetteerIndex.build(landmark_records(records), namespace=NAME)
    stats = venues.stats
    log.info(
        "venues.loaded",
        directory=str(directory),
        venues=stats.venues,
        names=stats.names,
        shared_names=stats.shared_names,
        landmarks=landmarks.stats.entries,
        seconds=round(time.perf_counter() - started, 2),
    )
    return VenueGeocoder(venues, landmarks, addresses)
