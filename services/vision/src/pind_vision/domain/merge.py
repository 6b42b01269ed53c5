"""From raw OCR reads to the distinct texts a video shows.

Reads are cleaned (edge symbols, junk, too short), grouped across frames when
they say the same thing (fuzzy, ignoring spaces and case), and each group
keeps when it was first and last seen, its most confident wording and where
that wording was on screen. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from pind_contracts.events.vision_ready import ScreenText, TextBox
from pind_vision.domain.lines import is_hangul, is_wordlike
from pind_vision.domain.ocr import Box

TextSource = Literal["frame", "thumbnail"]
_SPACES = re.compile(r"\s+")
_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True, slots=True)
class Sighting:
    """One line read in one frame (or the thumbnail)."""

    text: str
    confidence: float
    time_s: float
    box: Box
    frame_width: int
    frame_height: int
    source: TextSource = "frame"


@dataclass(frozen=True, slots=True)
class MergeRules:
    min_confidence: float = 0.6  # of the best read of a text
    min_letters: int = 2  # Hangul syllables or Latin letters, at least
    min_wordlike_ratio: float = 0.6  # letters and digits among non-space characters
    similarity: float = 85.0  # rapidfuzz ratio (0..100) of space-free texts that are one


def clean(text: str) -> str:
    """NFC, single spaces, no symbols at either end."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    start, end = 0, len(text)
    while start < end and not is_wordlike(text[start]):
        start += 1
    while end > start and not (is_wordlike(text[end - 1]) or text[end - 1] in ")!?%"):
        end -= 1
    return text[start:end]


def is_junk(text: str, rules: MergeRules) -> bool:
    """Too short, mostly symbols, or loose jamo (``ㅋㅋ``) rather than words."""
    compact = text.replace(" ", "")
    if not compact:
        return True
    letters = len(_SYLLABLE.findall(compact)) + len(_LATIN.findall(compact))
    if letters < rules.min_letters:
        return True
    wordlike = sum(1 for c in compact if is_wordlike(c) and not _is_loose_jamo(c))
    if wordlike / len(compact) < rules.min_wordlike_ratio:
        return True
    # One character over and over ("ㅣㅣㅣ", "IIII") is texture, not text.
    return len(set(compact.casefold())) == 1


def _is_loose_jamo(char: str) -> bool:
    return is_hangul(char) and not "\uac00" <= char <= "\ud7a3"


def merge_key(text: str) -> str:
    """What two reads must share to be one text: no spaces, case folded."""
    return text.replace(" ", "").casefold()


def language_of(text: str) -> str | None:
    """``'ko'`` when any Hangul syllable is present, ``'en'`` for Latin letters."""
    if _SYLLABLE.search(text):
        return "ko"
    if _LATIN.search(text):
        return "en"
    return None


@dataclass
class _Group:
    key: str
    source: TextSource
    best: Sighting
    first_seen_s: float
    last_seen_s: float
    count: int = 1

    def add(self, sighting: Sighting, text_key: str) -> None:
        self.count += 1
        self.first_seen_s = min(self.first_seen_s, sighting.time_s)
        self.last_seen_s = max(self.last_seen_s, sighting.time_s)
        if sighting.confidence > self.best.confidence:
            self.best = sighting
            self.key = text_key


def merge_sightings(
    sightings: Iterable[Sighting], rules: MergeRules | None = None
) -> list[ScreenText]:
    """The distinct texts among ``sightings``, ordered by first sight."""
    rules = rules or MergeRules()
    groups: list[_Group] = []
    for raw in sorted(sightings, key=lambda s: (s.time_s, -s.confidence)):
        text = clean(raw.text)
        if is_junk(text, rules):
            continue
        sighting = Sighting(
            text, raw.confidence, raw.time_s, raw.box, raw.frame_width, raw.frame_height, raw.source
        )
        key = merge_key(text)
        group = _closest(groups, key, sighting.source, rules.similarity)
        if group is None:
            groups.append(_Group(key, sighting.source, sighting, sighting.time_s, sighting.time_s))
        else:
            group.add(sighting, key)
    return [_screen_text(g) for g in groups if g.best.confidence >= rules.min_confidence]


def _closest(
    groups: list[_Group], key: str, source: TextSource, similarity: float
) -> _Group | None:
    best: _Group | None = None
    best_score = similarity
    for group in groups:
        if group.source != source:
            continue
        score = 100.0 if group.key == key else fuzz.ratio(group.key, key, score_cutoff=similarity)
        if score >= best_score:
            best, best_score = group, score
    return best


def _screen_text(group: _Group) -> ScreenText:
    best = group.best
    return ScreenText(
        text=best.text,
        lang=language_of(best.text),
        first_seen_s=round(group.first_seen_s, 2),
        last_seen_s=round(group.last_seen_s, 2),
        confidence=round(min(1.0, max(0.0, best.confidence)), 3),
        box=TextBox(
            x=best.box.x,
            y=best.box.y,
            width=best.box.width,
            height=best.box.height,
            frame_width=best.frame_width,
            frame_height=best.frame_height,
        ),
        source=best.source,
    )
