"""The Korean location tagger: its features, its training, and the shipped
model inside the Korean extractor."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from pind_geo.adapters.korean_tagger import load_location_tagger
from pind_geo.domain.extraction.korean import KiwiCandidateExtractor
from pind_geo.domain.extraction.korean_tagger import (
    Morpheme,
    PlaceLexicon,
    RuleSpan,
    char_features,
    location_spans,
)
from pind_geo.domain.model import TextUnit
from pind_geo.domain.pipeline import PlaceExtractor
from services.geo.tools.train_korean_lc import read_klue_ner, train, training_labels

KLUE_SAMPLE = """\
## 토큰 구분자 : \\n
## klue-ner-v1_dev_00001-x\t<부산:LC>에 갔다
부\tB-LC
산\tI-LC
에\tO
 \tO
갔\tO
다\tO

## klue-ner-v1_dev_00002-x\t<김:PS>씨는 <5일:DT>
김\tB-PS
씨\tO
는\tO
 \tO
5\tB-DT
일\tI-DT
"""


def test_lexicon_marks_the_longest_name_at_each_start() -> None:
    lexicon = PlaceLexicon({"서울": ["adm1"], "서울숲": ["poi"], "숲": ["poi"]})
    marks = lexicon.marks("서울숲에")
    assert marks == [["Bpoi"], ["Ipoi"], ["Epoi"], []]
    assert lexicon.kinds("서울") == ("adm1",)
    assert len(lexicon) == 2  # one-letter names are left out


def test_char_features_describe_every_character() -> None:
    text = "부산에 갔다"
    morphemes = [Morpheme("부산", "NNP", 0, 2), Morpheme("에", "JKB", 2, 3)]
    features = char_features(
        text, morphemes, [RuleSpan(0, 2, "name", True)], PlaceLexicon({"부산": ["adm1"]})
    )
    assert len(features) == len(text)
    first = set(features[0])
    assert {"c=부", "mt=NNP", "mf=부산/NNP", "nj=에", "lx=Badm1", "mlx=adm1", "rc=B"} <= first
    assert "rck=Bname_cue_lex" in first
    assert "mt=NONE" in features[3]  # the space belongs to no morpheme


def test_location_spans_read_bio_runs() -> None:
    labels = ["B-LC", "I-LC", "O", "B-OG", "B-LC", "B-LC", "I-LC"]
    assert location_spans(labels) == [(0, 2), (4, 5), (5, 7)]


def test_klue_reader_and_training_labels(tmp_path: Path) -> None:
    path = tmp_path / "klue.tsv"
    path.write_text(KLUE_SAMPLE, encoding="utf-8")
    first, second = read_klue_ner(path)
    assert (first.id, first.text) == ("klue-ner-v1_dev_00001-x", "부산에 갔다")
    assert first.labels[:3] == ("B-LC", "I-LC", "O")
    assert training_labels(second.labels) == ["B-PS", "O", "O", "O", "O", "O"]


def test_a_trained_model_tags_what_it_learned(tmp_path: Path) -> None:
    extractor = KiwiCandidateExtractor(lexicon=PlaceLexicon({"부산": ["adm1"]}))
    sentences = ["부산에 갔다", "대구에 갔다", "밥을 먹었다"]
    labels = [
        ["B-LC", "I-LC", "O", "O", "O", "O"],
        ["B-LC", "I-LC", "O", "O", "O", "O"],
        ["O"] * 6,
    ]
    model = tmp_path / "model.crfsuite"
    train([extractor.features(s) for s in sentences], labels, model)
    tagger = load_location_tagger(model)
    assert location_spans(tagger.tag(extractor.features("부산에 갔다"))) == [(0, 2)]
    assert location_spans(tagger.tag(extractor.features("밥을 먹었다"))) == []


def korean_found(extractor: PlaceExtractor, text: str) -> list[tuple[str, str]]:
    unit = TextUnit("description", text)
    return [
        (unit.text[c.start : c.end], c.text)
        for c in extractor.find_candidates([unit])
        if c.script == "ko"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Areas written together are one location, geocoded by the last one.
        ("27일 서울 마포구 서교동에서 열렸다.", [("서울 마포구 서교동", "서교동")]),
        # A neighbourhood and the venue in it, and venues listed, are each a place.
        (
            "남포동 자갈치시장에서 먹고 국제시장 부평깡통시장까지 걸었다.",
            [
                ("남포동", "남포동"),
                ("자갈치시장", "자갈치시장"),
                ("국제시장", "국제시장"),
                ("부평깡통시장", "부평깡통시장"),
            ],
        ),
        ("그는 지난주 일본을 방문했다.", [("일본", "일본")]),
        ("배우 홍은희 씨가 클럽에 대한 애정을 드러냈다.", []),
    ],
)
def test_the_shipped_tagger_in_the_korean_extractor(
    place_extractor: PlaceExtractor, text: str, expected: list[tuple[str, str]]
) -> None:
    assert korean_found(place_extractor, text) == expected


class _Labels:
    """A tagger that answers fixed labels for one sentence."""

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels

    def tag(self, xseq: Sequence[Sequence[str]]) -> list[str]:
        assert len(xseq) == len(self.labels)
        return self.labels


@pytest.mark.parametrize(
    ("labels", "found"),
    [
        # No entity read there: the suffix rule stands ('…성' as a castle).
        (["O"] * 11, ["김무성"]),
        # The tagger read a person or an organisation: no place for its ending.
        (["B-PS", "I-PS", "I-PS", *["O"] * 8], []),
        (["B-OG", "I-OG", *["O"] * 9], []),
    ],
)
def test_a_person_or_organisation_is_no_place_for_its_suffix(
    labels: list[str], found: list[str]
) -> None:
    extractor = KiwiCandidateExtractor(tagger=_Labels(labels))
    unit = TextUnit("description", "김무성 대표는 말했다")
    assert [c.text for c in extractor.extract([unit])] == found


def test_a_place_the_gazetteer_knows_stands_whatever_the_tagger_read() -> None:
    text = "여기가 바로 광장시장이에요."
    labels = ["O"] * len(text)
    labels[7:11] = ["B-PS", "I-PS", "I-PS", "I-PS"]  # as the shipped model reads it
    extractor = KiwiCandidateExtractor(
        lexicon=PlaceLexicon({"광장시장": ["poi"]}), tagger=_Labels(labels)
    )
    unit = TextUnit("transcript", text)
    assert [c.text for c in extractor.extract([unit])] == ["광장시장"]
