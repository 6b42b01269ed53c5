"""The optional token-classification engine (PIND_NER_MODEL), end to end on
a tiny model the test builds and saves itself: a BERT with no encoder layers
whose classifier is set by hand, so its labels are known — the plumbing
(loading a local directory with nothing downloaded, grouping word pieces and
B-/I- tags, mapping labels to candidates) is what is under test. transformers
and torch come with the ``ner`` extra, which `make test` installs."""

from __future__ import annotations

from pathlib import Path

import pytest
import tokenizers
import torch
import transformers

from pind_geo.domain.extraction.token_classifier import (
    DEFAULT_LABELS,
    Entity,
    TokenClassifierExtractor,
)
from pind_geo.domain.model import TextUnit

LABELS = ["O", "B-LC", "I-LC", "B-OG", "I-OG", "B-PS", "I-PS"]
PLACE_CHARS = "서울숲광장시장"  # tagged I-LC
VENUE_CHARS = "스타벅"  # tagged I-OG
PERSON_CHARS = "민수"  # tagged I-PS
OTHER_CHARS = "에갔어요랑먹음"  # tagged O


def build_tiny_model(directory: Path) -> Path:
    """Save a char-level BERT whose tags depend only on the character."""
    chars = PLACE_CHARS + VENUE_CHARS + PERSON_CHARS + OTHER_CHARS + "스"
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    pieces = sorted(set(chars))
    vocab = specials + pieces + [f"##{c}" for c in pieces]
    directory.mkdir(parents=True, exist_ok=True)
    ids = {piece: i for i, piece in enumerate(vocab)}
    backend = tokenizers.Tokenizer(tokenizers.models.WordPiece(ids, unk_token="[UNK]"))
    backend.normalizer = tokenizers.normalizers.BertNormalizer(lowercase=False)
    backend.pre_tokenizer = tokenizers.pre_tokenizers.BertPreTokenizer()
    backend.post_processor = tokenizers.processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])],
    )
    backend.decoder = tokenizers.decoders.WordPiece()
    tokenizer = transformers.PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=backend,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=len(LABELS) * 2,
        num_hidden_layers=0,
        num_attention_heads=1,
        intermediate_size=8,
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    model = transformers.BertForTokenClassification(config)
    tag_of = {c: "I-LC" for c in PLACE_CHARS}
    tag_of |= {c: "I-OG" for c in VENUE_CHARS} | {c: "I-PS" for c in PERSON_CHARS}
    with torch.no_grad():
        embeddings = model.bert.embeddings
        embeddings.position_embeddings.weight.zero_()
        embeddings.token_type_embeddings.weight.zero_()
        embeddings.LayerNorm.weight.fill_(1.0)
        embeddings.LayerNorm.bias.zero_()
        words = embeddings.word_embeddings.weight
        words.zero_()
        for token, index in tokenizer.get_vocab().items():
            label = tag_of.get(token.removeprefix("##"), "O")
            # +1 on the label's own dimension, -1 on its twin: LayerNorm keeps the sign.
            words[index, 2 * LABELS.index(label)] = 1.0
            words[index, 2 * LABELS.index(label) + 1] = -1.0
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        for i in range(len(LABELS)):
            model.classifier.weight[i, 2 * i] = 10.0
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-ner"))


def test_a_local_model_finds_places_and_venues_and_ignores_people(model_dir: Path) -> None:
    from pind_geo.adapters.transformers_ner import load_recogniser

    extractor = TokenClassifierExtractor(load_recogniser(model_dir))
    units = [
        TextUnit(source="transcript", text="민수랑 서울숲 갔어요", start_s=12.0),
        TextUnit(source="ocr", text="스타벅스 광장시장", start_s=40.0),
    ]
    found = extractor.extract(units)
    assert [(c.text, c.world) for c in found] == [
        ("서울숲", True),
        ("스타벅스", False),  # an organisation: only Korean geocoders may answer it
        ("광장시장", True),
    ]
    assert all(c.named_entity and c.script == "ko" for c in found)
    market = found[2]
    assert market.category_hint == "market"  # …시장 still says what it is
    assert market.unit.start_s == 40.0 and market.sentence


def test_a_directory_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    from pind_geo.adapters.transformers_ner import load_recogniser

    with pytest.raises(FileNotFoundError, match=r"no config\.json"):
        load_recogniser(tmp_path)


def test_labels_map_as_documented() -> None:
    units = [TextUnit(source="description", text="Seoul Forest with Minsu, 3 pm")]

    def recognise(texts: object) -> list[list[Entity]]:
        return [
            [
                Entity("LOC", 0, 12, 0.9),
                Entity("PER", 18, 23, 0.99),
                Entity("DT", 25, 29, 0.99),
                Entity("LC", 0, 5, 0.3),  # below the score threshold
            ]
        ]

    found = TokenClassifierExtractor(recognise).extract(units)
    assert [(c.text, c.script, c.world) for c in found] == [("Seoul Forest", "en", True)]
    assert found[0].category_hint == "park"
    assert {"LC", "OG"} <= set(DEFAULT_LABELS)


async def test_the_engine_joins_the_extractors_when_a_model_is_configured(
    model_dir: Path, tmp_path: Path
) -> None:
    """PIND_NER_MODEL wires the engine into geo's extractor: its candidates go
    through the same fusion and geocoders ('광장시장' from the tiny model is
    placed by the gazetteer, named 'ner' among the extractors)."""
    from pind_geo.app import build_from_settings
    from pind_geo.settings import ExtractionSettings

    settings = ExtractionSettings(
        ner_model=model_dir, world_min_population=None, geocoders="gazetteer"
    )
    extractor = build_from_settings(settings)
    units = [TextUnit(source="ocr", text="광장시장", start_s=3.0)]
    extraction = await extractor.extract(units)
    assert "ner" in extraction.extractor
    assert any(p.name == "광장시장" for p in extraction.places), extraction.places
