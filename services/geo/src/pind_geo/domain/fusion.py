"""One place per real place, across sources and languages, with all its
evidence and a confidence that grows with independent evidence."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from pind_contracts.events.places_extracted import (
    Evidence,
    EvidenceSource,
    Place,
    PlaceCategory,
    UnresolvedPlace,
)
from pind_geo.domain.model import InputKind, PlaceCandidate
from pind_geo.domain.resolution import Resolution
from pind_geo.domain.romanize import romanize
from pind_geo.domain.text import has_hangul, match_key

# How much one mention in each source says "the video is about this place".
_SOURCE_WEIGHT: dict[EvidenceSource, float] = {
    "title": 0.6,
    "chapter": 0.55,
    "location": 0.5,
    "description": 0.4,
    "tag": 0.35,
    "transcript": 0.35,
    "ocr": 0.4,
    "thumbnail": 0.45,
}
INPUT_OF_SOURCE: dict[EvidenceSource, InputKind] = {
    "title": "metadata",
    "chapter": "metadata",
    "location": "metadata",
    "description": "metadata",
    "tag": "metadata",
    "transcript": "transcript",
    "ocr": "vision",
    "thumbnail": "vision",
}
_REPEAT_FACTOR = 0.8  # each further mention in the same input closes 20% of the gap
_AMBIGUOUS_FACTOR = 0.8
_NO_CUE_FACTOR = 0.85
_ADMIN_FACTOR = 0.8
_UNRESOLVED_FACTOR = 0.6
_MAX_CONFIDENCE = 0.99
_MAX_EVIDENCE = 50
_SAME_NAME_ACROSS_SCRIPTS = 88.0


@dataclass(frozen=True, slots=True)
class FusionPolicy:
    emit_admin_levels: frozenset[int] = frozenset({3})
    """Administrative areas shown as places: 3 neighbourhoods (성수동, 남포동).
    Provinces, cities and districts (1, 2) only give context."""
    unresolved_needs_kind: bool = False
    """Report an unresolved name only when its words say what kind of place it
    is ('…시장', '… Station') or a named-entity model called it a place — not
    for a proper noun before '에서' alone (text other than a vlog's)."""


def fuse(
    resolutions: Sequence[Resolution], policy: FusionPolicy | None = None
) -> tuple[list[Place], list[UnresolvedPlace]]:
    policy = policy or FusionPolicy()
    by_key: dict[str, list[Resolution]] = defaultdict(list)
    for resolution in resolutions:
        result = resolution.result
        if result is not None and (
            result.admin_level == 0 or result.admin_level in policy.emit_admin_levels
        ):
            by_key[result.key].append(resolution)
    places = [_place(group) for group in by_key.values()]
    places.sort(key=lambda p: (-p.confidence, _first_seen(p.evidence)))
    resolved_names = {match_key(r.candidate.text) for r in resolutions if r.result is not None}
    unresolved = _unresolved(
        [
            r
            for r in resolutions
            if r.result is None
            and r.candidate.proper_noun
            and r.candidate.place_cue
            and (
                not policy.unresolved_needs_kind
                or r.candidate.category_hint is not None
                or r.candidate.named_entity
            )
            and match_key(r.candidate.text) not in resolved_names
        ]
    )
    return places, unresolved


def mention_confidence(resolution: Resolution) -> float:
    """What one mention alone says (0..1)."""
    candidate = resolution.candidate
    score = resolution.result.score if resolution.result else 1.0
    p = _SOURCE_WEIGHT[candidate.unit.source] * score * max(0.3, min(1.0, candidate.unit.weight))
    if resolution.alternatives > 1:
        p *= _AMBIGUOUS_FACTOR
    if not (candidate.place_cue or candidate.category_hint):
        p *= _NO_CUE_FACTOR
    return p


def combined_confidence(resolutions: Sequence[Resolution]) -> float:
    """Independent inputs (metadata, transcript, screen) combine like
    independent witnesses; repeats within one input add less."""
    by_input: dict[InputKind, list[float]] = defaultdict(list)
    for resolution in resolutions:
        by_input[INPUT_OF_SOURCE[resolution.candidate.unit.source]].append(
            mention_confidence(resolution)
        )
    doubt = 1.0
    for mentions in by_input.values():
        best = max(mentions)
        p = 1 - (1 - best) * _REPEAT_FACTOR ** (len(mentions) - 1)
        doubt *= 1 - p
    return 1 - doubt


def _place(group: list[Resolution]) -> Place:
    result = group[0].result
    assert result is not None
    confidence = combined_confidence(group)
    if result.admin_level or result.radius_m:
        confidence *= _ADMIN_FACTOR  # an area or a road, not a point
    return Place(
        key=result.key,
        name=result.name,
        name_en=result.name_en,
        category=result.category,
        lat=result.lat,
        lon=result.lon,
        address=result.address,
        radius_m=result.radius_m,
        confidence=round(min(confidence, _MAX_CONFIDENCE), 3),
        geocoder=result.geocoder,
        evidence=_evidence(r.candidate for r in group),
    )


def _unresolved(resolutions: list[Resolution]) -> list[UnresolvedPlace]:
    groups: list[list[Resolution]] = []
    keys: list[str] = []
    for resolution in resolutions:
        key = _cross_script_key(resolution.candidate.text)
        for i, other in enumerate(keys):
            if key == other or fuzz.ratio(key, other) >= _SAME_NAME_ACROSS_SCRIPTS:
                groups[i].append(resolution)
                break
        else:
            keys.append(key)
            groups.append([resolution])
    found: list[UnresolvedPlace] = []
    for group in groups:
        names = Counter(r.candidate.text for r in group)
        korean = [n for n, _ in names.most_common() if has_hangul(n)]
        categories = Counter(r.candidate.category_hint for r in group if r.candidate.category_hint)
        category: PlaceCategory = categories.most_common(1)[0][0] if categories else "other"
        found.append(
            UnresolvedPlace(
                name=korean[0] if korean else names.most_common(1)[0][0],
                category=category,
                confidence=round(min(combined_confidence(group) * _UNRESOLVED_FACTOR, 0.99), 3),
                evidence=_evidence(r.candidate for r in group),
                reason=group[0].reason or "not found",
            )
        )
    found.sort(key=lambda u: -u.confidence)
    return found


def _cross_script_key(text: str) -> str:
    """'명동교자' and 'Myeongdong Gyoja' meet in romanised form."""
    return match_key(romanize(match_key(text)))


def _evidence(candidates: Iterable[PlaceCandidate]) -> list[Evidence]:
    seen: set[tuple[str, str, float | None]] = set()
    evidence: list[Evidence] = []
    for candidate in sorted(candidates, key=_order):
        text = candidate.sentence or candidate.text
        key = (candidate.unit.source, text, candidate.unit.start_s)
        if key in seen:
            continue
        seen.add(key)
        evidence.append(
            Evidence(
                source=candidate.unit.source,
                text=text,
                start_s=candidate.unit.start_s,
                lang=candidate.unit.lang or ("ko" if candidate.script == "ko" else "en"),
            )
        )
    return evidence[:_MAX_EVIDENCE]


def _order(candidate: PlaceCandidate) -> tuple[int, float]:
    metadata_first = 0 if INPUT_OF_SOURCE[candidate.unit.source] == "metadata" else 1
    return metadata_first, candidate.unit.start_s or 0.0


def _first_seen(evidence: list[Evidence]) -> float:
    times = [e.start_s for e in evidence if e.start_s is not None]
    return min(times) if times else 0.0
