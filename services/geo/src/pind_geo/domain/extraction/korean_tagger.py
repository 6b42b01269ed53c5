"""Korean location spans from a linear-chain CRF over characters.

KLUE-NER marks named entities character by character ('<서울 마포구 서교동:LC>',
'<부산:OG> 동부경찰서'), and so does this tagger: each character is described by
itself and its neighbours, the morpheme kiwi read it in (form, part of speech,
the particle after it), the place names of our gazetteers it falls in (Korean
lists and the Hangul names of world places) and the candidates the suffix
rules found there. The model (``korean_lc.crfsuite``, trained by
``python -m services.geo.tools.train_korean_lc``) weighs these; the code here only
describes characters and reads the labels back as spans. Pure: no I/O.

The model is trained on KLUE-NER (Park et al., KLUE benchmark, CC BY-SA 4.0)
and is shared under the same licence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pind_geo.domain.gazetteer import GazetteerIndex
from pind_geo.domain.text import has_hangul, match_key
from pind_geo.domain.world import WorldIndex

LOCATION = "LC"
PERSON = "PS"
ORGANISATION = "OG"
MODEL_PATH = Path(__file__).with_name("korean_lc.crfsuite")
_MAX_NAME = 16
_NOUN_TAGS = frozenset({"NNP", "NNG", "NNB", "SN", "SH", "SL", "XSN"})


class SequenceTagger(Protocol):
    """One label per item (``pycrfsuite.Tagger`` is one)."""

    def tag(self, xseq: Sequence[Sequence[str]]) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Morpheme:
    """One morpheme of kiwi's analysis, with its character offsets."""

    form: str
    tag: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RuleSpan:
    """A candidate of the suffix and proper-noun rules, as the tagger sees it."""

    start: int
    end: int
    kind: str
    """'market', 'station'…, or 'name' for a proper noun without a place suffix."""
    place_cue: bool


class PlaceLexicon:
    """Hangul place names and what kind of place each is ('wcountry', 'adm1',
    'poi'…): the gazetteer's points of interest and administrative areas,
    and the Hangul names of world places."""

    def __init__(self, names: Mapping[str, Iterable[str]] | None = None) -> None:
        self._kinds = {
            name: tuple(sorted(set(kinds)))
            for name, kinds in (names or {}).items()
            if 2 <= len(name) <= _MAX_NAME
        }
        self._longest = max(map(len, self._kinds), default=0)

    @classmethod
    def of(cls, index: GazetteerIndex, world: WorldIndex | None) -> PlaceLexicon:
        names: dict[str, set[str]] = {}
        for entry in index.entries:
            kind = f"adm{entry.admin_level}" if entry.admin_level else "poi"
            for key in entry.names_ko:
                names.setdefault(key, set()).add(kind)
        for place in world.places if world is not None else ():
            for name in (place.name, *place.names):
                if has_hangul(name):
                    names.setdefault(match_key(name), set()).add(f"w{place.kind}")
        return cls(names)

    def __len__(self) -> int:
        return len(self._kinds)

    def kinds(self, name: str) -> tuple[str, ...]:
        return self._kinds.get(name, ())

    def marks(self, text: str) -> list[list[str]]:
        """Per character, 'B'/'I'/'E' + kind of the longest name starting at
        each Hangul character (matches may nest: '서울' in '서울숲')."""
        marks: list[list[str]] = [[] for _ in text]
        for i, char in enumerate(text):
            if not has_hangul(char):
                continue
            for length in range(min(self._longest, len(text) - i), 1, -1):
                kinds = self._kinds.get(text[i : i + length])
                if kinds:
                    for j in range(i, i + length):
                        position = "B" if j == i else "E" if j == i + length - 1 else "I"
                        marks[j].extend(position + kind for kind in kinds)
                    break
        return marks


def char_features(
    text: str,
    morphemes: Sequence[Morpheme],
    rules: Sequence[RuleSpan],
    lexicon: PlaceLexicon,
) -> list[list[str]]:
    """What the CRF sees of each character of ``text``."""
    owner: list[int | None] = [None] * len(text)
    for number, morpheme in enumerate(morphemes):
        for i in range(morpheme.start, min(morpheme.end, len(text))):
            owner[i] = number
    marks = lexicon.marks(text)
    rule_marks: list[list[str]] = [[] for _ in text]
    for rule in rules:
        for i in range(rule.start, min(rule.end, len(text))):
            position = _position(i, rule.start, rule.end)
            known = "_lex" if lexicon.kinds(match_key(text[rule.start : rule.end])) else ""
            cue = "_cue" if rule.place_cue else ""
            rule_marks[i] += ["rc=" + position, f"rck={position}{rule.kind}{cue}{known}"]

    def at(i: int) -> str:
        return text[i] if 0 <= i < len(text) else ("<" if i < 0 else ">")

    features: list[list[str]] = []
    for i, char in enumerate(text):
        shape = _shape(at(i - 1)) + _shape(char) + _shape(at(i + 1))
        f = [
            "bias",
            "c=" + char,
            "t=" + _shape(char),
            "c-1=" + at(i - 1),
            "c+1=" + at(i + 1),
            "c-2=" + at(i - 2),
            "c+2=" + at(i + 2),
            "b-=" + at(i - 1) + char,
            "b+=" + char + at(i + 1),
            "tri=" + at(i - 1) + char + at(i + 1),
            "tt=" + shape,
        ]
        k = owner[i]
        if k is None:
            f.append("mt=NONE")
        else:
            f += _morpheme_features(i, k, morphemes, lexicon)
        f += ["lx=" + mark for mark in marks[i]]
        f += rule_marks[i]
        features.append(f)
    return features


def _morpheme_features(
    i: int, k: int, morphemes: Sequence[Morpheme], lexicon: PlaceLexicon
) -> list[str]:
    m = morphemes[k]
    f = [
        "mt=" + m.tag,
        "mp=" + _position(i, m.start, m.end) + m.tag,
        f"mf={m.form}/{m.tag}",
        "mt-1=" + (morphemes[k - 1].tag if k > 0 else "<"),
        "mt+1=" + (morphemes[k + 1].tag if k + 1 < len(morphemes) else ">"),
    ]
    f += ["mlx=" + kind for kind in lexicon.kinds(m.form)]
    if k > 0:
        f.append(f"pf={morphemes[k - 1].form}/{morphemes[k - 1].tag}")
    if k > 1:
        f.append(f"pf2={morphemes[k - 2].form}/{morphemes[k - 2].tag}")
    if k + 1 < len(morphemes):
        after = morphemes[k + 1]
        f.append(f"nf={after.form}/{after.tag}")
        if after.tag.startswith("J"):
            f.append("nj=" + after.form)
    if k + 2 < len(morphemes):
        f.append(f"nf2={morphemes[k + 2].form}/{morphemes[k + 2].tag}")
    # The noun run this morpheme is part of: its last morpheme ('…구', '…역')
    # and what follows it (a particle such as '에서', or a verb).
    last = k
    while (
        last + 1 < len(morphemes)
        and morphemes[last + 1].tag in _NOUN_TAGS
        and morphemes[last + 1].start == morphemes[last].end
    ):
        last += 1
    f.append("runlast=" + morphemes[last].form)
    if last + 1 < len(morphemes):
        f.append(f"after={morphemes[last + 1].form}/{morphemes[last + 1].tag}")
    return f


def location_spans(labels: Sequence[str], tag: str = LOCATION) -> list[tuple[int, int]]:
    """(start, end) of each ``B-tag I-tag…`` run of BIO labels."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, label in enumerate([*labels, "O"]):
        if start is not None and label != f"I-{tag}":
            spans.append((start, i))
            start = None
        if label == f"B-{tag}":
            start = i
    return spans


def _position(i: int, start: int, end: int) -> str:
    if end - start == 1:
        return "S"
    return "B" if i == start else "E" if i == end - 1 else "I"


def _shape(char: str) -> str:
    if char == " ":
        return "_"
    if "\uac00" <= char <= "\ud7a3":
        return "H"
    if char.isdigit():
        return "D"
    if char.isascii() and char.isalpha():
        return "L"
    if char.isalpha():
        return "A"  # Hanja and other letters
    return "P"
