"""The Korean location tagger's model (a CRFsuite file shipped in the
package) and the Korean extractor that uses it."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pycrfsuite

from pind_geo.domain.extraction.korean import KiwiCandidateExtractor
from pind_geo.domain.extraction.korean_tagger import MODEL_PATH, PlaceLexicon, SequenceTagger
from pind_geo.domain.gazetteer import GazetteerIndex
from pind_geo.domain.world import WorldIndex


def load_location_tagger(path: Path = MODEL_PATH) -> SequenceTagger:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return cast(SequenceTagger, tagger)


def korean_extractor(
    index: GazetteerIndex, world: WorldIndex | None, tagger: SequenceTagger | None
) -> KiwiCandidateExtractor:
    """Kiwi with the gazetteer's names as proper nouns, and the tagger with
    the lexicon it was trained with (``tagger`` None: the rules alone)."""
    korean_names, _ = index.known_names()
    return KiwiCandidateExtractor(
        known_names=korean_names, lexicon=PlaceLexicon.of(index, world), tagger=tagger
    )
