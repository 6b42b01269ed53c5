"""`python -m services.geo.tools.train_korean_lc`: train the Korean location tagger.

Reads KLUE-NER in its character-level BIO form (KLUE benchmark, CC BY-SA 4.0;
``## <id>\\t<marked sentence>`` heads each sentence, then ``char\\tlabel``
lines) and writes the CRFsuite model the Korean extractor loads
(``domain/extraction/korean_lc.crfsuite``). The model learns persons and
organisations beside locations: '<부산:OG> 동부경찰서' and '<북한:OG>의 도발'
teach it when a place name is not a place.

Characters are described by the extractor the service runs (kiwi with the
gazetteer's names, the place lexicon of the gazetteer and the world index),
so training and use see the same features. Options: --data, --out,
--gazetteer-dir, --world-min-population (as the service's settings)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from pind_geo.adapters.gazetteer_files import load_index
from pind_geo.adapters.geonames import load_world_index
from pind_geo.adapters.korean_tagger import korean_extractor
from pind_geo.domain.extraction.korean import KiwiCandidateExtractor
from pind_geo.domain.extraction.korean_tagger import MODEL_PATH
from pind_geo.settings import DEFAULT_GAZETTEER_DIR

KLUE_FILE = Path("ko") / "klue-ner-v1.1_dev_half-a.tsv"
"""Training data, under $PIND_EVAL_DIR or --data: research data, not carried by
the repository (``make eval`` says where to get it); the model trained from it is."""
TAGS = frozenset({"LC", "OG", "PS"})
"""Entity types the model learns; dates, times and quantities are left as O."""
PARAMS: dict[str, float | int | bool] = {
    "c1": 0.1,
    "c2": 0.01,
    "max_iterations": 100,
    "feature.possible_transitions": True,
}


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    id: str
    text: str
    labels: tuple[str, ...]
    """One BIO label per character of ``text``."""


def read_klue_ner(path: Path) -> list[LabelledSentence]:
    sentences: list[LabelledSentence] = []
    current: tuple[str, list[str], list[str]] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            head = line[3:].split("\t", 1)
            if len(head) == 2 and head[0].startswith("klue-ner"):
                if current is not None:
                    sentences.append(_sentence(*current))
                current = (head[0], [], [])
            continue
        if not line or current is None:
            continue
        char, _, label = line.rpartition("\t")
        current[1].append(char or " ")
        current[2].append(label)
    if current is not None:
        sentences.append(_sentence(*current))
    return sentences


def _sentence(sentence_id: str, chars: list[str], labels: list[str]) -> LabelledSentence:
    return LabelledSentence(sentence_id, "".join(chars), tuple(labels))


def training_labels(labels: Sequence[str]) -> list[str]:
    """BIO labels of the entity types the model learns; others become O."""
    return [label if label[2:] in TAGS else "O" for label in labels]


def train(
    features: Sequence[list[list[str]]],
    labels: Sequence[Sequence[str]],
    model: Path,
    params: dict[str, float | int | bool] | None = None,
) -> None:
    """Fit a linear-chain CRF (L-BFGS, elastic net) and write it to ``model``."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, yseq in zip(features, labels, strict=True):
        trainer.append(xseq, training_labels(yseq))
    trainer.set_params(params or PARAMS)
    trainer.train(str(model))


def feature_extractor(
    gazetteer_dir: Path = DEFAULT_GAZETTEER_DIR, world_min_population: int | None = 1000
) -> KiwiCandidateExtractor:
    """The Korean extractor as the service builds it, without a tagger."""
    world = load_world_index(world_min_population) if world_min_population else None
    return korean_extractor(load_index(gazetteer_dir), world, tagger=None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.geo.tools.train_korean_lc")
    eval_dir = os.environ.get("PIND_EVAL_DIR")
    parser.add_argument(
        "--data", type=Path, default=Path(eval_dir) / KLUE_FILE if eval_dir else None
    )
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--gazetteer-dir", type=Path, default=DEFAULT_GAZETTEER_DIR)
    parser.add_argument("--world-min-population", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.data is None or not args.data.is_file():
        parser.error(
            f"training data not found at {args.data or '(none given)'}: KLUE-NER v1.1 dev, "
            "every other sentence (KLUE benchmark, CC BY-SA 4.0, GitHub KLUE-benchmark/KLUE); "
            "pass --data or set PIND_EVAL_DIR"
        )
    sentences = read_klue_ner(args.data)
    extractor = feature_extractor(args.gazetteer_dir, args.world_min_population)
    started = time.perf_counter()
    train(
        [extractor.features(s.text) for s in sentences],
        [s.labels for s in sentences],
        args.out,
    )
    seconds = time.perf_counter() - started
    sys.stdout.write(f"trained on {len(sentences)} sentences in {seconds:.0f} s: {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
