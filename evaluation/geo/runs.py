"""One evaluation run per corpus, through the code users run: the batch
extraction of `pind-geo extract` for text corpora, the video pipeline
(metadata + captions + on-screen text) for the sample vlogs."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from evaluation.geo.corpora import (
    CORPUS_FILES,
    EVAL_DIR,
    Document,
    read_geovirus,
    read_klue_ner,
    read_tr_news,
)
from evaluation.geo.metrics import Counts, Predicted, score_document
from evaluation.geo.report import Row
from pind_geo.domain.geometry import distance_m
from pind_geo.domain.model import TextUnit
from pind_geo.domain.pipeline import PlaceExtractor
from pind_geo.extract import extract_document
from services.geo.tools.samples import GOLD_RADIUS_M, sample_vlogs, vlog_units

"""A found place is the gold place when it lies this close (or has its key)."""

_ENGLISH: dict[str, tuple[str, Callable[[], Iterator[Document]]]] = {
    "tr-news": ("TR-News (en)", lambda: read_tr_news(EVAL_DIR / CORPUS_FILES["tr-news"])),
    "geovirus": ("GeoVirus (en)", lambda: read_geovirus(EVAL_DIR / CORPUS_FILES["geovirus"])),
}
KLUE_FILE = EVAL_DIR / CORPUS_FILES["klue"]


def predictions(extractor: PlaceExtractor, document: Document) -> list[Predicted]:
    """Every mention `pind-geo extract` reports: resolved and unresolved."""
    unit = TextUnit("description", document.text, lang=document.lang)
    result = asyncio.run(extract_document(extractor, unit))
    found = [Predicted(p["start"], p["end"], p["lat"], p["lon"]) for p in result["places"]]
    found += [Predicted(u["start"], u["end"]) for u in result["unresolved"]]
    return sorted(found, key=lambda p: (p.start, p.end))


def score_corpus(
    extractor: PlaceExtractor, documents: list[Document]
) -> tuple[Counts, list[tuple[Document, list[Predicted]]]]:
    total = Counts()
    outputs = []
    for document in documents:
        started = time.perf_counter()
        found = predictions(extractor, document)
        elapsed = time.perf_counter() - started
        gold = [(s.start, s.end, s.lat, s.lon) for s in document.spans]
        counts = score_document(gold, found)
        counts.seconds = elapsed
        total.add(counts)
        outputs.append((document, found))
    return total, outputs


def run_english(extractor: PlaceExtractor, name: str, limit: int | None) -> Row:
    label, read = _ENGLISH[name]
    documents = list(read())[:limit]
    counts, _ = score_corpus(extractor, documents)
    return Row.of(label, counts)


def run_korean(extractor: PlaceExtractor, limit: int | None) -> Row:
    documents = list(read_klue_ner(KLUE_FILE))[:limit]
    counts, _ = score_corpus(extractor, documents)
    return Row.of("KLUE-NER LC, half a (ko), seen in training", counts)


def run_vlogs(extractor: PlaceExtractor) -> Row:
    counts = Counts()
    for folder in sample_vlogs():
        document = json.loads((folder / "gold.json").read_text())
        if "venues" in document:
            continue  # the food vlogs have their own table (evaluation.geo.venues)
        gold = document["places"]
        started = time.perf_counter()
        extraction = asyncio.run(
            extractor.resolve_and_fuse(extractor.find_candidates(vlog_units(folder)))
        )
        counts.seconds += time.perf_counter() - started
        counts.documents += 1
        found = extraction.places
        counts.gold += len(gold)
        counts.predicted += len(found)
        matched_gold = {
            i for i, g in enumerate(gold) if any(_same(p.key, p.lat, p.lon, g) for p in found)
        }
        matched_found = sum(1 for p in found if any(_same(p.key, p.lat, p.lon, g) for g in gold))
        counts.exact += len(matched_gold)
        counts.overlap += matched_found
    return Row.vlogs("sample vlogs (places)", counts)


def _same(key: str, lat: float, lon: float, gold: dict[str, Any]) -> bool:
    return key == gold.get("gazetteer_key") or (
        distance_m(lat, lon, gold["lat"], gold["lon"]) <= GOLD_RADIUS_M
    )
