"""Place candidates out of text, one extractor per language behind one port."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from pind_geo.domain.model import PlaceCandidate, TextUnit


class CandidateExtractor(Protocol):
    """Finds the spans of text units that may name places. Pure: no I/O."""

    @property
    def name(self) -> str: ...

    def extract(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]: ...


class CombinedExtractor:
    """Runs several extractors (e.g. Korean and English) over the same units."""

    def __init__(self, extractors: Iterable[CandidateExtractor]) -> None:
        self._extractors = tuple(extractors)

    @property
    def name(self) -> str:
        return "+".join(e.name for e in self._extractors)

    def extract(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
        found: list[PlaceCandidate] = []
        for extractor in self._extractors:
            found.extend(extractor.extract(units))
        return found
