"""A Hugging Face token-classification model on this machine, as a
:data:`~pind_geo.domain.extraction.token_classifier.Recognise` function.

``PIND_NER_MODEL`` names a local model directory (``config.json`` with
``id2label``, the weights, the tokenizer files) that an operator downloaded,
e.g. a KLUE-NER fine-tune. Nothing is downloaded at run time: the model is
loaded with ``local_files_only``. Needs the ``ner`` extra (transformers, torch).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pind_geo.domain.extraction.token_classifier import Entity, Recognise

_MAX_CHARS = 2_000


def load_recogniser(model_dir: Path, *, batch_size: int = 16) -> Recognise:
    """The model in ``model_dir`` on the CPU, entities grouped by span
    (B-/I- tags and word pieces joined)."""
    if not (model_dir / "config.json").is_file():
        raise FileNotFoundError(
            f"PIND_NER_MODEL={model_dir}: no config.json there; it must be a local "
            "Hugging Face token-classification model directory"
        )
    try:
        from transformers import (
            AutoModelForTokenClassification,
            AutoTokenizer,
            pipeline,
        )
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "PIND_NER_MODEL is set but transformers is not installed: "
            "uv sync --extra ner (pind-geo[ner])"
        ) from exc
    tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    model = AutoModelForTokenClassification.from_pretrained(model_dir, local_files_only=True)
    model.eval()
    tagger = pipeline(
        "token-classification",
        model=model,
        tokenizer=tokenizer,
        aggregation_strategy="simple",
        device="cpu",
    )

    def recognise(texts: Sequence[str]) -> list[list[Entity]]:
        if not texts:
            return []
        answers: Any = tagger([t[:_MAX_CHARS] for t in texts], batch_size=batch_size)
        return [
            [
                Entity(
                    label=str(found["entity_group"]),
                    start=int(found["start"]),
                    end=int(found["end"]),
                    score=float(found["score"]),
                )
                for found in entities
            ]
            for entities in answers
        ]

    return recognise
