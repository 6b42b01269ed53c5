"""Venue names out of text: the names the venue index knows, where the text
says they are a place the video goes to. Pure: no I/O.

Kiwi does not know '비에뜨반미' or '함흥면옥'; the index does. A name the
index holds becomes a candidate when its context makes it a visit:

- a sign or menu board read on screen, a chapter title or a hashtag that
  starts with it;
- a description line that lists a place ('📍', '상호:', '위치:', '주소:');
- speech and running text: '여기가 ○○', '○○인데요', '○○에서', '○○ 본점
  왔어요', '○○도 포장했어요' — a name followed by a locative particle, a
  copula, a branch or a verb of going;
- a romanised name in English text, where it stands as a proper name
  ('Geumsu Bokguk', 'Choryang Milmyeon'): compared with the romanised index
  names (``romanised`` port), never fuzzily.

A name whose clause says it was not visited ('○○ 말고', '○○에 못 들렀어요',
'○○는 다음에 가보려구요': ``visit_context``) is no
candidate unless the text identifies the place it is at ('여기가 ○○', '○○인데요');
a name that is a food word too ('떡볶이', '해장국': ``food_words``) needs
'여기가', a sign or a listed line.

Dishes named after places ('춘천닭갈비', '의정부부대찌개', '부산어묵') are
not visits: a name that is a place word followed by a dish needs a strong
cue (locative, copula, '여기가'), and the place inside it ('춘천', '부산') is
dropped from the other extractors' candidates (``DishAwareExtractor``).
Whether the name is one venue or a chain of hundreds is for resolution to
decide; nothing is placed here."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from itertools import pairwise
from typing import Protocol

from rapidfuzz.distance import Levenshtein

from pind_contracts.events.places_extracted import PlaceCategory
from pind_geo.domain.extraction import CandidateExtractor
from pind_geo.domain.extraction.food_words import COMMON_WORDS, DISH_WORDS
from pind_geo.domain.extraction.food_words import is_place_dish as is_place_dish
from pind_geo.domain.extraction.visit_context import not_visited
from pind_geo.domain.model import PlaceCandidate, TextUnit
from pind_geo.domain.text import collapse_spaced_syllables, has_hangul, jamo_key, match_key

_MIN_KEY = 3
_MIN_SIGN = 6
"""Shortest sign read with a misread stroke allowed (shorter ones meet other names)."""
_MAX_KEY = 24
_LIST_LINE = re.compile(
    r"^\s*(?:[-•·*]\s*)?(?:📍|상호\s*[:：]|위치\s*[:：]|주소\s*[:：]|가게\s*[:：])"
)
_BEFORE = re.compile(r"(?:여기가|여기는|여기|바로|이번엔|이번에는)\s*$")
# After the name: particles and endings that make it a place one is at or goes to.
_STRONG_AFTER = re.compile(
    r"^\s?(?:에서|에\s|에요|이에요|예요|인데|입니다|이고|이라는|라는|본점|직영점|[가-힣0-9]{0,7}[가-힣]점\b"
    r"|\s*(?:왔|갔|들렀|방문|도착))"
)
_WEAK_AFTER = re.compile(r"^(?:도\s|까지|으로|로\s|이랑|랑|하고)")
_ROMAN_WORD = re.compile(r"[A-Z0-9][A-Za-z0-9'’]*")
# A road-name or lot-number address, with the areas written before it:
# '서울 광진구 능동로 111', '부산 중구 자갈치로 26', '약령시로 28-5', '부평동2가 35-3'.
_PROVINCE = (
    r"(?:[가-힣]{2,}(?:특별시|광역시|특별자치시|특별자치도|도)"
    r"|서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주)"
)
ADDRESS = re.compile(
    rf"(?:{_PROVINCE}\s+)?(?:[가-힣]{{1,5}}[시군구]\s+)?"
    r"(?:[가-힣][가-힣0-9]*(?:로|길)\s+\d+(?:-\d+)?|[가-힣]+[0-9]*(?:동|가|리)\s+산?\d+(?:-\d+)?)"
    r"(?![0-9가-힣])"
)
# A road named without a building number, after its district: '서울 종로구 창경궁로'.
ROAD_NAME = re.compile(
    rf"(?:{_PROVINCE}\s+)?[가-힣]{{1,5}}[시군구]\s+([가-힣][가-힣0-9]*(?:로|길))(?![0-9가-힣]|\s*\d)"
)
ADDRESS_HINT: PlaceCategory = "other"
"""The category hint of an address candidate (the geocoder tells it from a name by its form)."""
_TOPIC_TAILS = ("투어", "맛집", "여행", "먹방", "브이로그", "데이트", "추천", "카페")
_GENERIC_TAILS = frozenset({"카페", "식당", "커피", "주점", "분식", "빵집", "포차", "횟집"})


class WordReader(Protocol):
    """What a dictionary of the language says of a name in running text."""

    def ends_word(self, text: str, start: int, end: int) -> bool:
        """``text[start:end]`` ends where a word or morpheme ends ('레스토' of
        '레스토랑이' does not)."""
        ...

    def everyday(self, name: str) -> bool:
        """``name`` is an everyday word or phrase ('캐스팅', '화요일', '14일',
        '행복하면'), not only a shop's name."""
        ...


class VenueNameExtractor:
    """Candidates for the venue names ``names`` holds (comparison keys: no
    spaces, as ``match_key`` writes them), each where its context says it is
    a visit. ``is_dish`` tells a name that is a place and a dish
    ('춘천닭갈비'); ``romanised`` answers the index names a romanised key
    stands for (empty: not a venue name). With ``words``, a name in running
    text must end a word, and one that is an everyday word needs a strong cue
    ('여기가', '에서', '인데', a branch), not '도' or '로' alone."""

    name = "venues"

    def __init__(
        self,
        names: Collection[str],
        *,
        is_dish: Callable[[str], bool] = lambda _: False,
        romanised: Callable[[str], Sequence[str]] = lambda _: (),
        is_foreign: Callable[[str], bool] = lambda _: False,
        roads: Collection[str] = frozenset(),
        words: WordReader | None = None,
    ) -> None:
        self._names = names
        self._words = words
        self._roads = roads
        self._is_dish = is_dish
        self._romanised = romanised
        self._is_foreign = is_foreign
        self._by_shape: dict[tuple[int, str], list[str]] | None = None

    def extract(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
        found: list[PlaceCandidate] = []
        for unit in units:
            if has_hangul(unit.text):
                found.extend(self._korean(unit))
            elif unit.source in {"transcript", "description", "title", "chapter", "ocr"}:
                found.extend(self._romanised_names(unit))
        return found

    def _korean(self, unit: TextUnit) -> list[PlaceCandidate]:
        if unit.source in {"ocr", "thumbnail"}:
            text, offsets = collapse_spaced_syllables(unit.text)
        else:
            text, offsets = unit.text, list(range(len(unit.text)))
        found = _addresses(unit, text, offsets, self._roads)
        if unit.source in {"ocr", "thumbnail"} and not found:
            misread = self._misread_sign(unit, text, offsets)
            if misread is not None:
                return [misread]
        taken = [(c.start, c.end) for c in found]
        compact, where = _compact(text.casefold())
        i = 0
        while i < len(compact):
            if not _word_start(text, where[i]):
                i += 1
                continue
            match = self._longest(compact, i)
            if match is None:
                i += 1
                continue
            start, end = where[i], where[i + len(match) - 1] + 1
            inside_address = any(s <= offsets[start] < e for s, e in taken)
            if not inside_address and self._is_visit(unit, text, start, end, match):
                found.append(
                    PlaceCandidate(
                        text=text[start:end],
                        unit=unit,
                        start=offsets[start],
                        end=offsets[end - 1] + 1,
                        script="ko",
                        place_cue=True,
                        proper_noun=True,
                    )
                )
            i += len(match)
        return found

    def _longest(self, compact: str, i: int) -> str | None:
        for length in range(min(_MAX_KEY, len(compact) - i), _MIN_KEY - 1, -1):
            key = compact[i : i + length]
            if key in self._names:
                return key
        return None

    def _is_visit(self, unit: TextUnit, text: str, start: int, end: int, key: str) -> bool:
        before, after = text[:start], text[end:]
        words = text[start:end].split()
        if len(words) > 1 and words[-1] in _GENERIC_TAILS:
            return False  # '작은 카페' is a small cafe, not the venue called 작은카페
        if after.strip() in _GENERIC_TAILS:
            return False  # '로스터리 카페': what kind of cafe, not which
        listed = unit.source == "description" and _LIST_LINE.match(text)
        if len(words) > 2 and not listed and unit.source not in {"ocr", "thumbnail"}:
            return False  # '커피 한 잔' is a cup of coffee
        dish = self._is_dish(key)
        if unit.source in {"ocr", "thumbnail"}:
            # A sign: the name is most of the line ('깡통골목 원조비빔당면', '피자플래넷 건대점').
            letters = len(text.replace(" ", ""))
            return not dish and len(key) * 2 >= letters
        if unit.source in {"chapter", "tag"} or before.rstrip().endswith("#"):
            topical = unit.source == "tag" or before.rstrip().endswith("#")
            if topical and key.endswith(_TOPIC_TAILS):
                return False  # '#카페투어', '#부산맛집': what the video is about
            return not dish and not before.strip(" #-•")
        if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
            return True  # a name glossed in brackets: 'Choryang Milmyeon (초량밀면)'
        if unit.source == "description" and _LIST_LINE.match(text):
            return True
        if not_visited(text, start, end):
            return False  # '○○ 말고', '○○에 못 들렀어요', '○○는 다음에 가보려구요'
        if self._words is not None and not self._words.ends_word(text, start, end):
            return False  # '레스토' of '레스토랑이라도' is part of a longer word
        if key in COMMON_WORDS and not _BEFORE.search(before):
            return False  # '떡볶이에요' is the dish; '여기가 떡볶이' may be the shop
        strong = bool(_BEFORE.search(before)) or bool(_STRONG_AFTER.match(after))
        if strong:
            return True
        everyday = self._words is not None and self._words.everyday(text[start:end])
        # '캐스팅도 괜찮았고', '게스트로 출연했다': an everyday word needs more than '도', '로'.
        return not dish and not everyday and bool(_WEAK_AFTER.match(after))

    def _misread_sign(self, unit: TextUnit, text: str, offsets: list[int]) -> PlaceCandidate | None:
        """A sign whose whole line is one index name but for a misread stroke
        ('짱통골목원조비빔당면' for 깡통골목원조비빔당면): one name of the same
        length and ending within two jamo of it. Exact names are found first."""
        line = text.strip()
        key = match_key(line)
        if not (_MIN_SIGN <= len(key) <= _MAX_KEY) or key in self._names or not has_hangul(key):
            return None
        if self._by_shape is None:
            self._by_shape = {}
            for name in self._names:
                if len(name) >= _MIN_SIGN:
                    self._by_shape.setdefault((len(name), name[-3:]), []).append(name)
        close = [
            name
            for name in self._by_shape.get((len(key), key[-3:]), [])
            if Levenshtein.distance(jamo_key(name), jamo_key(key), score_cutoff=2) <= 2
        ]
        if len(close) != 1 or self._is_dish(close[0]):
            return None
        start = text.index(line)
        return PlaceCandidate(
            text=line,
            unit=unit,
            start=offsets[start],
            end=offsets[start + len(line) - 1] + 1,
            script="ko",
            place_cue=True,
            proper_noun=True,
            known_as=close[0],
        )

    def plausible(self, candidate: PlaceCandidate) -> bool:
        """Whether a name another reader (a language model) found may be a
        visit by the same rules: not a dish named after a place, not a topic
        tag ('#부산맛집'), not a kind of place ('로스터리 카페')."""
        unit, key = candidate.unit, match_key(candidate.text)
        before, after = unit.text[: candidate.start], unit.text[candidate.end :]
        kind_of_place = after[:1] == " " and after.split()[0].startswith(tuple(_GENERIC_TAILS))
        if self._is_dish(key) or kind_of_place:
            return False
        if unit.source in {"transcript", "description"} and not_visited(
            unit.text, candidate.start, candidate.end
        ):
            return False  # a model's '○○' from '○○ 말고', '○○에 못 갔어요'

        topical = unit.source == "tag" or before.rstrip().endswith("#")
        return not (topical and key.endswith(_TOPIC_TAILS))

    def _romanised_names(self, unit: TextUnit) -> list[PlaceCandidate]:
        """Runs of two or more capitalised words whose romanised key is an
        index name: 'Geumsu Bokguk' for 금수복국."""
        words = list(_ROMAN_WORD.finditer(unit.text))
        found: list[PlaceCandidate] = []
        i = 0
        while i < len(words):
            taken = 0
            for j in range(min(len(words), i + 4), i + 1, -1):
                run = words[i:j]
                if any(b.start() - a.end() != 1 for a, b in pairwise(run)):
                    continue
                start, end = run[0].start(), run[-1].end()
                phrase = unit.text[start:end]
                korean = self._romanised(phrase)
                if korean and not self._is_foreign(phrase):  # 'Da Nang' is not 다낭 of Busan
                    found.append(
                        PlaceCandidate(
                            text=phrase,
                            unit=unit,
                            start=start,
                            end=end,
                            script="en",
                            place_cue=True,
                            proper_noun=True,
                            world=False,
                            known_as=korean[0] if len(set(korean)) == 1 else None,
                        )
                    )
                    taken = j - i
                    break
            i += taken or 1
        return found


def _addresses(
    unit: TextUnit, text: str, offsets: list[int], roads: Collection[str]
) -> list[PlaceCandidate]:
    """Addresses with a building or lot number, and roads the data knows
    named after their district without one ('서울 종로구 창경궁로')."""
    numbered = [m for m in ADDRESS.finditer(text) if any(ch.isdigit() for ch in m.group(0))]
    spans = [(m.start(), m.end()) for m in numbered]
    bare = [
        m
        for m in ROAD_NAME.finditer(text)
        if m.group(1) in roads and not any(s < m.end() and m.start() < e for s, e in spans)
    ]
    return [
        PlaceCandidate(
            text=m.group(0),
            unit=unit,
            start=offsets[m.start()],
            end=offsets[m.end() - 1] + 1,
            script="ko",
            category_hint=ADDRESS_HINT,
            place_cue=True,
        )
        for m in sorted([*numbered, *bare], key=lambda m: m.start())
    ]


def is_address(candidate: PlaceCandidate) -> bool:
    return candidate.category_hint == ADDRESS_HINT and written_as_address(candidate.text)


def written_as_address(text: str) -> bool:
    """An address with a number, or a road after its district ('서울 종로구 창경궁로')."""
    return ADDRESS.fullmatch(text) is not None or ROAD_NAME.fullmatch(text) is not None


class DishAwareExtractor:
    """Runs ``inner`` and drops the place names that are the start of a dish
    ('춘천' of '춘천닭갈비', '부산' of '부산어묵 한 꼬치'): eating a city's dish
    elsewhere is not a visit to the city."""

    def __init__(self, inner: CandidateExtractor) -> None:
        self._inner = inner

    @property
    def name(self) -> str:
        return self._inner.name

    def extract(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
        return [c for c in self._inner.extract(units) if not starts_dish(c)]


def starts_dish(candidate: PlaceCandidate) -> bool:
    """The candidate is written together with a dish word after it."""
    if candidate.script != "ko" or candidate.category_hint not in (None, "neighbourhood"):
        return False
    after = candidate.unit.text[candidate.end :]
    return any(after.startswith(word) for word in DISH_WORDS)


def _compact(text: str) -> tuple[str, list[int]]:
    """``text`` without spaces, and where each of its letters was."""
    letters = [(ch, i) for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(ch for ch, _ in letters), [i for _, i in letters]


def _word_start(text: str, index: int) -> bool:
    return index == 0 or not (text[index - 1].isalnum())
