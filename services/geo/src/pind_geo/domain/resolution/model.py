"""What resolution works with: the geocoder port and the place chosen for a
candidate (or why there is none)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pind_geo.domain.model import GeocodeQuery, GeocodeResult, PlaceCandidate

VENUE_CATEGORIES = frozenset({"restaurant", "cafe", "bar", "lodging"})


class Geocoder(Protocol):
    """Finds the places a name may refer to. Adapters: the offline gazetteer
    now; Kakao Local, Google Places, Nominatim next (all async, all cached)."""

    @property
    def name(self) -> str: ...

    async def geocode(self, query: GeocodeQuery) -> list[GeocodeResult]: ...


@dataclass(frozen=True, slots=True)
class Resolution:
    """A candidate and the place chosen for it, or why there is none."""

    candidate: PlaceCandidate
    result: GeocodeResult | None
    alternatives: int = 0
    """How many places answered to the name (more than one: chosen by context)."""
    reason: str | None = None
    why: str | None = None
    """For a place chosen among several of its name: what chose it ('near
    남포역, 140 m; same name ×9 in 부산')."""
