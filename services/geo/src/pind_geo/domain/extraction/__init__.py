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
        """Every extractor's candidates, one per mention: where two overlap in
        the same text the earlier extractor's stands, unless the later one's
        span holds it whole ('Mangwon' in 'Mangwon Market')."""
        kept: dict[int, list[PlaceCandidate]] = {}
        order: list[int] = []
        for extractor in self._extractors:
            for candidate in extractor.extract(units):
                key = id(candidate.unit)
                if key not in kept:
                    kept[key] = []
                    order.append(key)
                same_text = kept[key]
                overlapping = [c for c in same_text if _overlap(c, candidate)]
                if overlapping and not all(_inside(c, candidate) for c in overlapping):
                    continue
                same_text[:] = [c for c in same_text if c not in overlapping] + [candidate]
        return [c for key in order for c in sorted(kept[key], key=lambda c: c.start)]


def _overlap(a: PlaceCandidate, b: PlaceCandidate) -> bool:
    return a.start < b.end and b.start < a.end


def _inside(inner: PlaceCandidate, outer: PlaceCandidate) -> bool:
    """``outer`` holds ``inner`` whole and its own words say it is a place
    ('Mangwon Market' over 'Mangwon'; not 'U.S. State Department' over 'U.S.')."""
    return (
        outer.category_hint is not None
        and outer.start <= inner.start
        and inner.end <= outer.end
        and (outer.end - outer.start > inner.end - inner.start)
    )
