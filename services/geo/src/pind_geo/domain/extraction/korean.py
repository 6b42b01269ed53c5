"""Korean candidates from kiwipiepy's morphological analysis.

Rules: a candidate is a run of nouns written together (offsets adjacent)
that holds a proper noun (NNP) or ends in a place suffix: 광장시장, 종로3가역,
서울숲, 성수동. A place suffix written apart joins its head ('자갈치 시장').
OCR lines have their syllable spacing undone first ('광 장 시 장').

Tagger: in running text (not OCR), a CRF trained on KLUE-NER (see
``korean_tagger``) reads location names the way people write them
('서울 마포구 서교동', '요하네스버그', '북한' as a place but not as a
government) and decides which proper nouns are places; a rule candidate
overlapping none of its spans still counts when its own words say it is a
place (a suffix, a hashtag) — unless the tagger read those characters as a
person or an organisation ('김무성', '유오성', '한국농어촌공사': a name that
ends like '…성' or '…공사' is no castle or construction site) and the
gazetteer does not know the name as a place."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import pairwise

from kiwipiepy import Kiwi

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.domain.cues import (
    KO_LOCATIVE_PARTICLES,
    KO_WEAK_SUFFIXES,
    is_spaced_suffix,
    ko_suffix,
)
from pind_geo.domain.extraction.korean_tagger import (
    ORGANISATION,
    PERSON,
    Morpheme,
    PlaceLexicon,
    RuleSpan,
    SequenceTagger,
    char_features,
    location_spans,
)
from pind_geo.domain.extraction.particles import particle_free_end
from pind_geo.domain.model import PlaceCandidate, TextUnit
from pind_geo.domain.text import collapse_spaced_syllables, has_hangul, match_key

_NOUN_TAGS = frozenset({"NNP", "NNG", "SN", "SH", "SL"})  # SL: the N of N서울타워
_OCR_SOURCES = frozenset({"ocr", "thumbnail"})
# Proper nouns that are never a place to put on a map.
KO_NOT_PLACES = frozenset(
    {
        "유튜브",
        "인스타",
        "인스타그램",
        "네이버",
        "카카오",
        "구글",
        "틱톡",
        "브이로그",
        "코로나",
        "서울시청",
        "먹방",
        "구독",
        "좋아요",
    }
)
_GENERIC_HEADS = frozenset(
    {
        "전통",
        "재래",
        "수산",
        "야",
        "지하철",
        "기차",
        "동네",
        "근처",
        "이",
        "그",
        "저",
        "우리",
        "국립",
    }
)
_MAX_OCR_LINE = 14
_ADMIN_ENDINGS = frozenset("동구시군읍면")
# Road names of addresses ('자하문로15길', '창경궁로 88') are not places people visit.
_ROAD_ADDRESS = re.compile(r"(?:로|길)\s*\d+$|\d+(?:번)?길$")


class KiwiCandidateExtractor:
    """Korean candidate extractor (kiwipiepy, bundled model; no I/O after load).

    With a ``tagger`` (and the ``lexicon`` it was trained with), running text
    is read by the location tagger as well as by the rules."""

    name = "kiwi"

    def __init__(
        self,
        kiwi: Kiwi | None = None,
        known_names: Iterable[str] = (),
        *,
        lexicon: PlaceLexicon | None = None,
        tagger: SequenceTagger | None = None,
    ) -> None:
        self._kiwi = kiwi or Kiwi()
        for word in known_names:
            # Names from the gazetteer, so they are read as one proper noun.
            if 3 <= len(word) <= 20 and " " not in word and has_hangul(word):
                self._kiwi.add_user_word(word, "NNP", 0.0)
        self._lexicon = lexicon or PlaceLexicon()
        self._tagger = tagger

    @property
    def words(self) -> KiwiWords:
        """This extractor's kiwi (gazetteer names as proper nouns) as a word reader."""
        return KiwiWords(self._kiwi)

    def extract(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
        found: list[PlaceCandidate] = []
        for unit in units:
            if has_hangul(unit.text):
                found.extend(self._extract_unit(unit))
        return found

    def features(self, text: str) -> list[list[str]]:
        """What the tagger sees of each character of running text (to train it)."""
        unit = TextUnit("description", text)
        morphemes = self._morphemes(text)
        rules = self._rule_candidates(unit, text, list(range(len(text))), morphemes)
        return char_features(text, morphemes, [_rule_span(c) for c in rules], self._lexicon)

    def _morphemes(self, text: str) -> list[Morpheme]:
        # Kiwi reads '#망원시장' as one hashtag token; blank the marks (same
        # length, offsets kept) so the name inside is analysed like any other.
        return [
            Morpheme(t.form, t.tag, t.start, t.start + t.len)
            for t in self._kiwi.tokenize(text.replace("#", " "))
        ]

    def _extract_unit(self, unit: TextUnit) -> list[PlaceCandidate]:
        if unit.source in _OCR_SOURCES:
            text, offsets = collapse_spaced_syllables(unit.text)
            found = self._rule_candidates(unit, text, offsets, self._morphemes(text))
            line = None if found else _ocr_line_candidate(unit, text, offsets)
            return found if line is None else [line]
        morphemes = self._morphemes(unit.text)
        rules = self._rule_candidates(unit, unit.text, list(range(len(unit.text))), morphemes)
        if self._tagger is None:
            return rules
        return self._with_tagger(self._tagger, unit, morphemes, rules)

    def _with_tagger(
        self,
        tagger: SequenceTagger,
        unit: TextUnit,
        morphemes: list[Morpheme],
        rules: list[PlaceCandidate],
    ) -> list[PlaceCandidate]:
        """The tagger's location spans, and the rule candidates outside them
        whose own words say they are places (a suffix, a hashtag)."""
        features = char_features(
            unit.text, morphemes, [_rule_span(c) for c in rules], self._lexicon
        )
        labels = tagger.tag(features)
        entities = [
            entity
            for span in location_spans(labels)
            for start, end in _split_at_venues(unit, *span, rules)
            if (entity := _entity(unit, start, end, self._lexicon, morphemes)) is not None
        ]
        # What the tagger read as a person or an organisation is not a place
        # because of how it ends ('김무성'), unless the gazetteer knows the name
        # as a place (the tagger learned news, not '여기가 바로 광장시장이에요').
        others = [*location_spans(labels, PERSON), *location_spans(labels, ORGANISATION)]
        places = [(e.start, e.end) for e in entities]
        kept = [
            c
            for c in rules
            if _says_place(c, unit)
            and not _overlaps(c, places)
            and (self._lexicon.kinds(match_key(c.text)) or not _overlaps(c, others))
        ]
        return sorted(entities + kept, key=lambda c: c.start)

    def _rule_candidates(
        self, unit: TextUnit, text: str, offsets: list[int], morphemes: list[Morpheme]
    ) -> list[PlaceCandidate]:
        found: list[PlaceCandidate] = []
        for run, following in _noun_runs(morphemes, text):
            candidate = self._candidate(unit, text, offsets, run, following)
            if candidate is not None:
                found.append(candidate)
        return found

    def _candidate(
        self,
        unit: TextUnit,
        text: str,
        offsets: list[int],
        run: list[Morpheme],
        following: Morpheme | None,
    ) -> PlaceCandidate | None:
        has_proper = any(t.tag == "NNP" for t in run)
        # The longest prefix of the run, cut at a token end, that ends in a place suffix.
        for cut in range(len(run), 0, -1):
            span = text[run[0].start : run[cut - 1].end]
            suffix = ko_suffix(span.replace(" ", ""))
            if suffix is None:
                continue
            head = span.replace(" ", "")[: -len(suffix[0])]
            head_proper = any(t.tag == "NNP" for t in run[:cut])
            if head in _GENERIC_HEADS or (suffix[0] in KO_WEAK_SUFFIXES and not head_proper):
                break
            if len(head) < 2:
                break
            if _ROAD_ADDRESS.search(span):
                return None
            return _make(
                unit,
                text,
                offsets,
                run[0].start,
                run[cut - 1].end,
                suffix[1],
                place_cue=True,
                proper=head_proper,
            )
        if not has_proper:
            return None
        proper = [i for i, t in enumerate(run) if t.tag == "NNP"]
        start, end = run[proper[0]].start, run[proper[-1]].end
        name = text[start:end]
        if len(name.replace(" ", "")) < 2 or name in KO_NOT_PLACES:
            return None
        locative = (
            following is not None
            and following.tag.startswith("JKB")
            and (following.form in KO_LOCATIVE_PARTICLES)
        )
        hashtag = start > 0 and text[start - 1] == "#"
        return _make(
            unit, text, offsets, start, end, None, place_cue=locative or hashtag, proper=True
        )


def _noun_runs(
    tokens: list[Morpheme], text: str
) -> Iterable[tuple[list[Morpheme], Morpheme | None]]:
    """Runs of nouns written together; a place suffix written apart joins
    the run before it. Yields each run with the token after it."""
    run: list[Morpheme] = []
    for token in tokens:
        joins = (
            bool(run)
            and token.tag in _NOUN_TAGS
            and (
                token.start == run[-1].end
                or (
                    token.start == run[-1].end + 1
                    and text[run[-1].end] == " "
                    and is_spaced_suffix(token.form)
                    # '남포동 시장' is the markets of Nampo-dong, not a market's name.
                    and run[-1].form[-1] not in _ADMIN_ENDINGS
                )
            )
        )
        if joins:
            run.append(token)
            continue
        if run:
            yield run, token
        run = [token] if token.tag in _NOUN_TAGS and token.tag != "SN" else []
    if run:
        yield run, None


def _overlaps(candidate: PlaceCandidate, spans: Iterable[tuple[int, int]]) -> bool:
    return any(candidate.start < end and start < candidate.end for start, end in spans)


def _says_place(candidate: PlaceCandidate, unit: TextUnit) -> bool:
    """A place suffix or a hashtag: worth keeping where the tagger saw no place."""
    hashtag = candidate.start > 0 and unit.text[candidate.start - 1] == "#"
    return candidate.category_hint is not None or hashtag


def _rule_span(candidate: PlaceCandidate) -> RuleSpan:
    return RuleSpan(
        candidate.start,
        candidate.end,
        candidate.category_hint or "name",
        candidate.place_cue,
    )


def _split_at_venues(
    unit: TextUnit, start: int, end: int, rules: list[PlaceCandidate]
) -> list[tuple[int, int]]:
    """The tagger's span, cut around the venues in it. KLUE writes '남포동
    자갈치시장' and '자갈치시장 국제시장' as one location each; here they are
    the places a map shows, two each. Areas stay together ('서울 마포구 서교동')."""
    cuts = {start, end}
    for c in rules:
        if start <= c.start and c.end <= end and c.category_hint not in (None, "neighbourhood"):
            cuts |= {c.start, c.end}
    ordered = sorted(cuts)
    return list(pairwise(ordered))


def _entity(
    unit: TextUnit, start: int, end: int, lexicon: PlaceLexicon, morphemes: list[Morpheme]
) -> PlaceCandidate | None:
    """A location span of the tagger, without the particles glued to its
    end, unless it is too short or a known non-place. A span written with
    its areas ('부산 남포동', '경북 울진군') is geocoded by its last word
    when that word is itself a known place."""
    while start < end and unit.text[start] == " ":
        start += 1
    end = particle_free_end(unit.text, start, end, morphemes)
    span = unit.text[start:end]
    if len(span.replace(" ", "")) < 2 or span in KO_NOT_PLACES:
        return None
    last = span.rsplit(" ", 1)[-1]
    name = last if last != span and lexicon.kinds(match_key(last)) else span
    key = name.replace(" ", "")
    suffix = ko_suffix(key)
    category = suffix[1] if suffix is not None and len(key) - len(suffix[0]) >= 2 else None
    return PlaceCandidate(
        text=name,
        unit=unit,
        start=start,
        end=end,
        script="ko",
        category_hint=category,
        place_cue=True,
        proper_noun=True,
        named_entity=True,
    )


def _ocr_line_candidate(unit: TextUnit, text: str, offsets: list[int]) -> PlaceCandidate | None:
    """A short sign read whole: kiwi may not know a shop's name, the gazetteer may."""
    line = text.strip()
    if not (3 <= len(line.replace(" ", "")) <= _MAX_OCR_LINE) or not has_hangul(line):
        return None
    start = text.index(line)
    return _make(unit, text, offsets, start, start + len(line), None, place_cue=False, proper=False)


def _make(
    unit: TextUnit,
    text: str,
    offsets: list[int],
    start: int,
    end: int,
    category: PlaceCategory | None,
    *,
    place_cue: bool,
    proper: bool,
) -> PlaceCandidate:
    return PlaceCandidate(
        text=text[start:end],
        unit=unit,
        start=offsets[start],
        end=offsets[end - 1] + 1,
        script="ko",
        category_hint=category,
        place_cue=place_cue,
        proper_noun=proper,
    )


_PHRASE_TAGS = ("E", "J", "XSV", "XSA", "VCP", "NP")
"""Morphemes a name does not hold: endings, particles, verb and adjective
suffixes, the copula, pronouns ('행복하면', '이곳에')."""
_WINDOW = 8
"""Characters after a name that kiwi reads with it to tell where its word ends."""


class KiwiWords:
    """kiwi's dictionary on venue names in running text (``WordReader``)."""

    def __init__(self, kiwi: Kiwi) -> None:
        self._kiwi = kiwi

    def ends_word(self, text: str, start: int, end: int) -> bool:
        tokens = self._kiwi.tokenize(text[start : end + _WINDOW])
        return any(t.start + t.len == end - start for t in tokens)

    def everyday(self, name: str) -> bool:
        tokens = self._kiwi.tokenize(name)
        if not tokens:
            return False
        if len(tokens) == 1:
            return tokens[0].tag == "NNG" and not tokens[0].oov  # '캐스팅', '화요일'
        first, second = tokens[0], tokens[1]
        return (
            any(t.tag.startswith(_PHRASE_TAGS) for t in tokens)
            or (first.tag == "SN" and second.tag == "NNB")  # '14일'
            # a determiner or an adverb written apart: '세 가지', '더 행복'
            or (first.tag in {"MM", "MAG"} and name[first.end : first.end + 1] == " ")
        )
