"""Place candidates from a token-classification model (named-entity
recognition), e.g. a KLUE-NER fine-tune an operator provides
(``PIND_NER_MODEL``; the model runs in :mod:`pind_geo.adapters.transformers_ner`).

The model's entity labels map to candidates as :data:`DEFAULT_LABELS` says:

- ``LC`` (KLUE: location), ``LOC``, ``GPE``, ``FAC`` — a place, named by the
  model (``named_entity``); any geocoder may answer it.
- ``OG`` / ``ORG`` (KLUE and CoNLL: organisation — restaurants, cafes and
  shops are organisations there) — a possible venue: only the Korean
  geocoders may answer it (``world=False``), so a company name never lands
  on a foreign city.
- every other label (person, date, time, quantity…) — nothing.

The candidates go through the same fusion as the other extractors'
(:class:`~pind_geo.domain.extraction.CombinedExtractor`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.domain.cues import en_place_word, ko_suffix
from pind_geo.domain.model import PlaceCandidate, TextUnit
from pind_geo.domain.text import has_hangul


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity span the model found in a text."""

    label: str
    """The entity group without its B-/I- prefix (``LC``, ``OG``…)."""
    start: int
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class LabelUse:
    """What a label's spans become."""

    world: bool
    """Whether places outside Korea may answer to them."""


DEFAULT_LABELS: Mapping[str, LabelUse] = {
    "LC": LabelUse(world=True),
    "LOC": LabelUse(world=True),
    "GPE": LabelUse(world=True),
    "FAC": LabelUse(world=True),
    "OG": LabelUse(world=False),
    "ORG": LabelUse(world=False),
}

Recognise = Callable[[Sequence[str]], Sequence[Sequence[Entity]]]
"""The model: for each text, its entities (character offsets into the text)."""


class TokenClassifierExtractor:
    """Candidates from a named-entity model's place-like entities."""

    name = "ner"

    def __init__(
        self,
        recognise: Recognise,
        labels: Mapping[str, LabelUse] = DEFAULT_LABELS,
        *,
        min_score: float = 0.5,
    ) -> None:
        self._recognise = recognise
        self._labels = labels
        self._min_score = min_score

    def extract(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
        texts = [u for u in units if u.text.strip()]
        found: list[PlaceCandidate] = []
        for unit, entities in zip(texts, self._recognise([u.text for u in texts]), strict=True):
            for entity in entities:
                use = self._labels.get(entity.label.upper())
                if use is None or entity.score < self._min_score:
                    continue
                start, end = _trim(unit.text, entity.start, entity.end)
                if end - start < 2:
                    continue
                found.append(_candidate(unit, start, end, use))
        return found


def _candidate(unit: TextUnit, start: int, end: int, use: LabelUse) -> PlaceCandidate:
    text = unit.text[start:end]
    korean = has_hangul(text)
    category: PlaceCategory | None
    if korean:
        suffix = ko_suffix(text)
        category = suffix[1] if suffix else None
    else:
        category = en_place_word(text.rsplit(" ", 1)[-1])
    return PlaceCandidate(
        text=text,
        unit=unit,
        start=start,
        end=end,
        script="ko" if korean else "en",
        category_hint=category,
        place_cue=True,
        proper_noun=True,
        named_entity=True,
        world=use.world,
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding spaces and punctuation."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end
