"""Text units → candidates → resolved places → one place per real place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pind_contracts.events.places_extracted import Place, UnresolvedPlace

from pind_geo.domain.extraction import CandidateExtractor
from pind_geo.domain.fusion import FusionPolicy, fuse
from pind_geo.domain.model import PlaceCandidate, TextUnit
from pind_geo.domain.resolution import Geocoder, Resolution, resolve


@dataclass(frozen=True, slots=True)
class Extraction:
    places: list[Place]
    unresolved: list[UnresolvedPlace]
    resolutions: list[Resolution]
    """Every candidate with its outcome (per-mention output, diagnostics)."""


class PlaceExtractor:
    """The whole offline extraction for one analysis, over two ports: a
    ``CandidateExtractor`` (language) and a ``Geocoder`` (coordinates)."""

    def __init__(
        self,
        candidates: CandidateExtractor,
        geocoder: Geocoder,
        policy: FusionPolicy | None = None,
    ) -> None:
        self._candidates = candidates
        self._geocoder = geocoder
        self._policy = policy or FusionPolicy()

    @property
    def name(self) -> str:
        return f"offline:{self._candidates.name}"

    def find_candidates(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
        """CPU-bound and synchronous: run it in a thread from async code."""
        return self._candidates.extract(units)

    async def resolve_and_fuse(self, candidates: Sequence[PlaceCandidate]) -> Extraction:
        resolutions = await resolve(candidates, self._geocoder)
        places, unresolved = fuse(resolutions, self._policy)
        return Extraction(places, unresolved, resolutions)
