"""Cross-validated scores of the Korean location tagger on KLUE-NER half a.

The shipped tagger is trained on all of half a, so its score there says
little. Here the sentences are cut into ``folds`` contiguous blocks; for each
block a model is trained on the others and the block is scored through the
same batch extraction as the plain KLUE row (rules, tagger, geocoders,
fusion), so no sentence is ever scored by a model that saw it."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from evaluation.geo.corpora import read_klue_ner as read_klue_documents
from evaluation.geo.metrics import Counts
from evaluation.geo.report import Row
from evaluation.geo.runs import KLUE_FILE, score_corpus
from pind_geo.adapters.korean_tagger import load_location_tagger
from pind_geo.domain.extraction.korean_tagger import SequenceTagger
from pind_geo.domain.fusion import FusionPolicy
from pind_geo.settings import DEFAULT_GAZETTEER_DIR
from services.geo.tools.train_korean_lc import feature_extractor, read_klue_ner, train

FOLDS = 5


class FoldTagger:
    """The tagger of the fold being scored (the pipeline is built once)."""

    def __init__(self) -> None:
        self.current: SequenceTagger | None = None

    def tag(self, xseq: Sequence[Sequence[str]]) -> list[str]:
        assert self.current is not None, "no fold model loaded"
        return self.current.tag(xseq)


def fold_ranges(count: int, folds: int) -> list[range]:
    """``folds`` contiguous blocks covering ``range(count)``."""
    bounds = [count * k // folds for k in range(folds + 1)]
    return [range(bounds[k], bounds[k + 1]) for k in range(folds)]


def run_korean_cv(
    policy: FusionPolicy,
    *,
    world_min_population: int,
    demonyms: bool,
    folds: int = FOLDS,
    limit: int | None = None,
) -> Row:
    from pind_geo.app import build_place_extractor

    sentences = read_klue_ner(KLUE_FILE)[:limit]
    documents = list(read_klue_documents(KLUE_FILE))[:limit]
    assert [d.id for d in documents] == [s.id for s in sentences]
    extractor = feature_extractor(DEFAULT_GAZETTEER_DIR, world_min_population)
    features = [extractor.features(s.text) for s in sentences]
    fold_tagger = FoldTagger()
    pipeline = build_place_extractor(
        DEFAULT_GAZETTEER_DIR,
        world_min_population=world_min_population,
        demonyms=demonyms,
        policy=policy,
        korean_tagger=fold_tagger,
    )
    total = Counts()
    blocks = fold_ranges(len(sentences), folds)
    with (
        tempfile.TemporaryDirectory() as tmp,
        ProcessPoolExecutor(max_workers=min(folds, os.cpu_count() or 1)) as pool,
    ):
        # The folds' models are trained side by side (the CRF trainer holds
        # one core each); each is scored as soon as it is ready, in fold order.
        models = [Path(tmp) / f"fold{number}.crfsuite" for number in range(folds)]
        trainings = []
        for held_out, model in zip(blocks, models, strict=True):
            kept = [i for i in range(len(sentences)) if i not in held_out]
            trainings.append(
                pool.submit(
                    train, [features[i] for i in kept], [sentences[i].labels for i in kept], model
                )
            )
        for held_out, model, training in zip(blocks, models, trainings, strict=True):
            training.result()
            fold_tagger.current = load_location_tagger(model)
            counts, _ = score_corpus(pipeline, [documents[i] for i in held_out])
            total.add(counts)
    row = Row.of(f"KLUE-NER LC, half a (ko), {folds}-fold CV", total)
    return dataclasses.replace(row, docs_per_s=None)  # the plain KLUE row has the speed
