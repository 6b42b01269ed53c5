"""English candidates from spaCy's named entities (en_core_web_sm).

GPE, LOC and FAC entities are places; NORP ones ('Syrian') name their
country when demonyms count. Inside other entities (a one-word PERSON too)
and in text the model left unlabelled, a capitalised run of words that a
world gazetteer knows is a place too: 'Texas' in 'Texas A&M University', 'Toronto' in 'CBC
Toronto', a dateline 'BERLIN'. Spans are trimmed of 'the' and a possessive
's, and hyphenated compounds split ('Turkish-Russian', 'U.S.-led')."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from pind_geo.domain.cues import en_place_word
from pind_geo.domain.model import PlaceCandidate, TextUnit
from pind_geo.domain.text import has_hangul

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Entities in which a known place name may sit ('the University of Michigan').
_HOST_LABELS = frozenset({"ORG", "FAC", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT"})
_WORD = re.compile(r"[A-Z][A-Za-z.'’&-]*[A-Za-z.]|[A-Z]")
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING = re.compile(r"(?:['’]s|['’])$")
_MAX_GAZETTEER_WORDS = 4
_MAX_CHARS = 100_000

IsKnown = Callable[[str], bool]
"""Whether a gazetteer knows a name well enough to call it a place alone."""


class SpacyCandidateExtractor:
    """Named-entity candidates for Latin-script text (a loaded spaCy pipeline)."""

    name = "spacy"

    def __init__(
        self,
        nlp: Any,
        is_known: IsKnown = lambda _: False,
        *,
        demonym: Callable[[str], bool] | None = None,
    ) -> None:
        self._nlp = nlp
        self._is_known = is_known
        self._demonym = demonym

    def extract(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
        latin = [u for u in units if u.text.strip() and not has_hangul(u.text)]
        found: list[PlaceCandidate] = []
        texts = (u.text[:_MAX_CHARS] for u in latin)
        for unit, doc in zip(latin, self._nlp.pipe(texts), strict=True):
            found.extend(self._from_doc(unit, doc))
        return found

    def _from_doc(self, unit: TextUnit, doc: Any) -> list[PlaceCandidate]:
        spans: list[tuple[int, int, bool]] = []  # start, end, named as a place by the model
        covered = [False] * (len(unit.text) + 1)
        for ent in doc.ents:
            for i in range(ent.start_char, ent.end_char):
                covered[i] = True
            if ent.label_ in PLACE_LABELS:
                for start, end in _parts(unit.text, ent.start_char, ent.end_char, self._is_known):
                    spans.append((start, end, True))
            elif ent.label_ == "NORP":
                spans.extend(self._from_group(unit.text, ent.start_char, ent.end_char))
            elif ent.label_ in _HOST_LABELS or (ent.label_ == "PERSON" and len(ent) == 1):
                # A one-word 'person' is often a place the model misread
                # ('Cairns', 'Tunisia'); a full name is a person.
                spans.extend(self._known_runs(unit.text, ent.start_char, ent.end_char))
        # Text the model left unlabelled: known names only.
        start = 0
        for i in range(len(unit.text) + 1):
            if i == len(unit.text) or covered[i]:
                if i > start:
                    spans.extend(self._known_runs(unit.text, start, i))
                start = i + 1
        return [
            PlaceCandidate(
                text=unit.text[s:e],
                unit=unit,
                start=s,
                end=e,
                script="en",
                # 'Namsan Tower', 'Gwangjang Market': the last word says what it is.
                category_hint=en_place_word(unit.text[s:e].rsplit(" ", 1)[-1]),
                place_cue=True,
                proper_noun=True,
                named_entity=entity,
            )
            for s, e, entity in sorted(set(spans))
            if e > s
        ]

    def _from_group(self, text: str, lo: int, hi: int) -> list[tuple[int, int, bool]]:
        """A nationality or group ('Syrian', 'Turkish-Russian') names its
        country when demonyms count; a known place the model took for one
        ('Aleppo') is a place."""
        known = self._known_runs(text, lo, hi)
        if known or self._demonym is None:
            return known
        return [(s, e, True) for s, e in _parts(text, lo, hi) if self._demonym(text[s:e])]

    def _known_runs(self, text: str, lo: int, hi: int) -> list[tuple[int, int, bool]]:
        """Longest runs of capitalised words in ``text[lo:hi]`` the gazetteer knows."""
        words = [(m.start() + lo, m.end() + lo) for m in _WORD.finditer(text[lo:hi])]
        found: list[tuple[int, int, bool]] = []
        i = 0
        while i < len(words):
            for n in range(min(_MAX_GAZETTEER_WORDS, len(words) - i), 0, -1):
                last = i + n - 1
                if any(text[words[k][1] : words[k + 1][0]] != " " for k in range(i, last)):
                    continue
                start, end = _trim(text, words[i][0], words[last][1])
                name = text[start:end]
                if len(name) >= 3 and self._is_known(_title(name)):
                    found.append((start, end, False))
                    i = last
                    break
            i += 1
        return found


def _title(name: str) -> str:
    """'BERLIN' → 'Berlin' (datelines shout)."""
    return name.title() if name.isupper() and len(name) > 3 else name


def _parts(
    text: str, start: int, end: int, is_known: IsKnown = lambda _: False
) -> list[tuple[int, int]]:
    """An entity's place spans: trimmed, and split at hyphens between
    capitalised words ('Turkish-Russian'); 'U.S.-led' keeps 'U.S.'. A known
    name ('Guinea-Bissau') or one with a lowercase word inside
    ('Port-au-Prince') is one place."""
    start, end = _trim(text, start, end)
    span = text[start:end]
    if "-" not in span or " " in span or is_known(span):
        return [(start, end)]
    if any(piece[:1].islower() for piece in span.split("-")[1:-1]):
        return [(start, end)]
    parts: list[tuple[int, int]] = []
    offset = start
    for piece in span.split("-"):
        if piece[:1].isupper():
            parts.append((offset, offset + len(piece)))
        offset += len(piece) + 1
    return parts or [(start, end)]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    span = text[start:end]
    lead = _LEADING.match(span)
    if lead:
        start += lead.end()
    # 'east Africa': a lowercase compass word or descriptor before the name.
    while start < end and text[start].islower():
        space = text.find(" ", start, end)
        if space == -1:
            break
        start = space + 1
    trail = _TRAILING.search(text[start:end])
    if trail:
        end = start + trail.start()
    # 'Nyanza province': lowercase words after the name.
    while True:
        space = text.rfind(" ", start, end)
        if space == -1 or not text[space + 1 : end][:1].islower():
            break
        end = space
    return start, end
