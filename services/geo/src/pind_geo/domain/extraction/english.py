"""English candidates: capitalised phrases ('Gwangjang Market', 'Jongno 3-ga
Station') and known names written in any case ('gwangjang market'). A
statistical NER (spaCy) is the next step; this keeps the same interface."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pind_geo.domain.cues import EN_LOCATIVE_WORDS, en_place_word
from pind_geo.domain.model import PlaceCandidate, TextUnit
from pind_geo.domain.regions import province_short
from pind_geo.domain.text import match_key

_WORD = re.compile(r"[A-Za-z][A-Za-z'’&.-]*[A-Za-z]|[A-Za-z]|\d+(?:-[A-Za-z]+)?")
_CONNECTORS = frozenset({"of", "de", "&", "and", "the"})
# Capitalised for grammar, not because they name anything.
_NOT_PLACE_WORDS = """
i i'm i've i'll we we're you he she they it this that these those the a an my our your
today tomorrow yesterday tonight day part episode ep vlog vlogs mukbang asmr food tour trip
travel guide best top so then now here there what where when why how hello hi hey wow omg
okay ok yes no but and or if finally first next also just really very let's let subscribe
like comment youtube instagram tiktok google naver kakao korean english korea south thanks
thank guys everyone stop crawl street night fish traditional local old new famous big small
little cheap secret hidden monday tuesday wednesday thursday friday saturday sunday january
february march april may june july august september october november december
"""
EN_NOT_PLACES = frozenset(_NOT_PLACE_WORDS.split()) | EN_LOCATIVE_WORDS
_ABBREVIATIONS = frozenset({"univ", "st", "mt", "nat'l", "natl", "int'l", "intl", "stn"})
_MAX_WORDS = 6
_MAX_NGRAM = 4


class EnglishCandidateExtractor:
    """Capitalised-phrase and known-name matcher for Latin-script text."""

    name = "english"

    def __init__(self, known_names: Iterable[str] = (), *, locative_cues: bool = True) -> None:
        self._known = frozenset(k for k in (match_key(n) for n in known_names) if len(k) >= 5)
        self._locative_cues = locative_cues
        """'at X' marks X as a place; off where a named-entity model has read
        the text first (it knows 'on Thanksgiving' is no place)."""

    def extract(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
        found: list[PlaceCandidate] = []
        for unit in units:
            words = list(_WORD.finditer(unit.text))
            if words:
                found.extend(self._extract_unit(unit, words))
        return found

    def _extract_unit(self, unit: TextUnit, words: list[re.Match[str]]) -> list[PlaceCandidate]:
        found: list[PlaceCandidate] = []
        taken: set[int] = set()
        for first, last in _capitalised_phrases(unit.text, words):
            taken.update(range(first, last + 1))
            while first <= last and words[first].group().casefold() in EN_NOT_PLACES:
                first += 1
            while last >= first and words[last].group().casefold() in EN_NOT_PLACES:
                last -= 1
            # 'Seoul Gwangjang Market': the city and the market are two names.
            if last > first + 1 and province_short(words[first].group()) is not None:
                found.append(self._candidate(unit, words, first, first))
                first += 1
            # A place word alone ('BBQ', 'Market') names no place.
            if first > last or (first == last and en_place_word(words[last].group())):
                continue
            found.append(self._candidate(unit, words, first, last))
        # Known names the writer did not capitalise.
        for n in range(_MAX_NGRAM, 0, -1):
            for first in range(len(words) - n + 1):
                span = range(first, first + n)
                if taken.intersection(span):
                    continue
                # One word alone only as a hashtag ('#mangwonmarket').
                if n == 1 and unit.text[words[first].start() - 1 : words[first].start()] != "#":
                    continue
                text = unit.text[words[first].start() : words[first + n - 1].end()]
                if match_key(text) in self._known:
                    taken.update(span)
                    found.append(self._candidate(unit, words, first, first + n - 1))
        return found

    def _candidate(
        self, unit: TextUnit, words: list[re.Match[str]], first: int, last: int
    ) -> PlaceCandidate:
        start, end = words[first].start(), words[last].end()
        last_word = words[last].group()
        category = en_place_word(last_word) or en_place_word(last_word.rsplit("-", 1)[-1])
        before = words[first - 1].group().casefold() if first > 0 else ""
        hashtag = start > 0 and unit.text[start - 1] == "#"
        return PlaceCandidate(
            text=unit.text[start:end],
            unit=unit,
            start=start,
            end=end,
            script="en",
            category_hint=category,
            place_cue=category is not None
            or (self._locative_cues and before in EN_LOCATIVE_WORDS)
            or hashtag,
            proper_noun=True,
            world=False,
        )


def _capitalised_phrases(text: str, words: list[re.Match[str]]) -> Iterable[tuple[int, int]]:
    """(first, last) word indexes of each run of capitalised words; connectors
    ('of', '&') may sit inside, numbers ('3-ga') may follow a capitalised word."""
    i = 0
    while i < len(words):
        if not _capitalised(words[i].group()):
            i += 1
            continue
        last = i
        j = i + 1
        while j < len(words) and j - i < _MAX_WORDS and _adjacent(text, words[j - 1], words[j]):
            word = words[j].group()
            if _capitalised(word) or word[0].isdigit():
                last = j
            elif en_place_word(word):  # 'Hongik University station'
                last = j
                break
            elif word.casefold() not in _CONNECTORS:
                break
            j += 1
        yield i, last
        i = last + 1


def _capitalised(word: str) -> bool:
    return word[0].isupper()


def _adjacent(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    """Only spaces between two words (a comma or a full stop ends a phrase,
    except the stop of an abbreviation: 'Hongik Univ. Station')."""
    between = text[left.end() : right.start()].strip(" -")
    return between == "" or (between == "." and left.group().casefold() in _ABBREVIATIONS)
