"""Text units → candidates → resolved places → one place per real place.
A venue named only where the text says it was not visited is dropped after
resolution, whichever extractor found it (``visit_context``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog

from pind_contracts.events.places_extracted import Place, UnresolvedPlace
from pind_geo.domain.extraction import CandidateExtractor
from pind_geo.domain.extraction.visit_context import not_visited
from pind_geo.domain.fusion import FusionPolicy, fuse
from pind_geo.domain.model import PlaceCandidate, TextUnit
from pind_geo.domain.resolution import Geocoder, Resolution, resolve
from pind_geo.domain.resolution.model import VENUE_CATEGORIES
from pind_geo.errors import LanguageModelError

log = structlog.get_logger(__name__)


class LanguageModelNames(Protocol):
    """Place names read by a language model (names and evidence, never
    coordinates). Raises ``LanguageModelError`` when it has no usable answer."""

    @property
    def name(self) -> str: ...

    async def candidates(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]: ...


@dataclass(frozen=True, slots=True)
class Extraction:
    places: list[Place]
    unresolved: list[UnresolvedPlace]
    resolutions: list[Resolution]
    """Every candidate with its outcome (per-mention output, diagnostics)."""
    extractor: str = "offline"
    """What found the candidates: 'offline:…', or 'gemini+offline:…'."""


class PlaceExtractor:
    """The whole offline extraction for one analysis, over two ports: a
    ``CandidateExtractor`` (language) and a ``Geocoder`` (coordinates)."""

    def __init__(
        self,
        candidates: CandidateExtractor,
        geocoder: Geocoder,
        policy: FusionPolicy | None = None,
        language_model: LanguageModelNames | None = None,
        vet: Callable[[PlaceCandidate], bool] | None = None,
    ) -> None:
        self._candidates = candidates
        self._geocoder = geocoder
        self._policy = policy or FusionPolicy()
        self._language_model = language_model
        self._vet = vet
        """Checks a language model's names by the offline rules (no dishes, no topic tags)."""

    def with_policy(self, policy: FusionPolicy) -> PlaceExtractor:
        """The same extractors and geocoders, fused under another policy."""
        return PlaceExtractor(
            self._candidates, self._geocoder, policy, self._language_model, self._vet
        )

    def with_geocoder(self, geocoder: Geocoder) -> PlaceExtractor:
        """The same extractors, resolving with another geocoder (chain)."""
        return PlaceExtractor(
            self._candidates, geocoder, self._policy, self._language_model, self._vet
        )

    @property
    def geocoder(self) -> Geocoder:
        return self._geocoder

    def with_language_model(self, language_model: LanguageModelNames | None) -> PlaceExtractor:
        return PlaceExtractor(
            self._candidates, self._geocoder, self._policy, language_model, self._vet
        )

    async def extract(self, units: Sequence[TextUnit]) -> Extraction:
        """Candidates from the offline extractors (in a thread: CPU-bound) and,
        when one is configured, from the language model; a model that fails
        leaves the offline candidates alone. Then resolve and fuse."""
        offline = asyncio.create_task(asyncio.to_thread(self.find_candidates, units))
        found: list[PlaceCandidate] = []
        used = self.name
        if self._language_model is not None:
            try:
                found = await self._language_model.candidates(units)
                if self._vet is not None:
                    found = [c for c in found if self._vet(c)]
                used = f"{self._language_model.name}+{self.name}"
            except LanguageModelError as exc:
                log.warning("language model failed, offline only", error=str(exc))
        candidates = merge_candidates(found, await offline)
        extraction = await self.resolve_and_fuse(candidates)
        return Extraction(extraction.places, extraction.unresolved, extraction.resolutions, used)

    @property
    def name(self) -> str:
        return f"offline:{self._candidates.name}"

    def find_candidates(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
        """CPU-bound and synchronous: run it in a thread from async code."""
        return self._candidates.extract(units)

    async def resolve_and_fuse(self, candidates: Sequence[PlaceCandidate]) -> Extraction:
        resolutions = [r for r in await resolve(candidates, self._geocoder) if not _hearsay(r)]
        places, unresolved = fuse(resolutions, self._policy)
        return Extraction(places, unresolved, resolutions)


def merge_candidates(
    first: Sequence[PlaceCandidate], then: Sequence[PlaceCandidate]
) -> list[PlaceCandidate]:
    """``first`` and those of ``then`` that overlap none of them in the same text;
    a candidate of ``first`` that one of ``then`` holds whole and is longer than
    gives way to it (a model's '해물칼국수' of the sign '31CM 해물칼국수')."""

    def inside(c: PlaceCandidate) -> bool:
        return any(
            o.unit is c.unit
            and o.start <= c.start
            and c.end <= o.end
            and o.end - o.start > c.end - c.start
            for o in then
        )

    first = [c for c in first if not inside(c)]
    taken: dict[int, list[tuple[int, int]]] = {}
    for candidate in first:
        taken.setdefault(id(candidate.unit), []).append((candidate.start, candidate.end))
    merged = list(first)
    for candidate in then:
        spans = taken.get(id(candidate.unit), [])
        if not any(candidate.start < e and s < candidate.end for s, e in spans):
            merged.append(candidate)
    return merged


def _hearsay(resolution: Resolution) -> bool:
    """A venue named where its clause says it was not visited ('○○에 못
    들렀어요', '○○는 다음에 가보려구요'), by whichever extractor found the name."""
    candidate, result = resolution.candidate, resolution.result
    return (
        result is not None
        and result.category in VENUE_CATEGORIES
        and candidate.unit.source in {"transcript", "description"}
        and not_visited(candidate.unit.text, candidate.start, candidate.end)
    )
