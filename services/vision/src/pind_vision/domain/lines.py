"""From Tesseract's words to one line of text.

Tesseract's Korean model often splits a word into syllables ("광 장 시장").
Its word boxes are too ragged to tell a real space from the gap between two
syllables, so a lone syllable is glued to the Hangul beside it, while words
Tesseract read as several syllables keep their spaces. Downstream matching
ignores spaces anyway; this is for people reading the text. Symbols standing
alone are dropped: they are box edges or noise far more often than text.
"""

from __future__ import annotations

import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pind_vision.domain.ocr import Word

# Gaps, as fractions of the line's glyph height, below which Hangul is glued:
# next to a lone syllable, and between two multi-syllable words.
SYLLABLE_GAP_RATIO = 0.6
WORD_GAP_RATIO = 0.15
# Standalone symbols worth keeping ("B & B"); any other symbol-only "word" is
# a box edge or noise read as ``|``, ``[``, ``,`` or ``.``.
KEPT_SYMBOLS = frozenset({"&", "+"})


def is_hangul(char: str) -> bool:
    """A Hangul syllable or jamo."""
    code = ord(char)
    return 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


def is_wordlike(char: str) -> bool:
    """A letter (any script) or a digit."""
    return unicodedata.category(char)[0] in ("L", "N")


@dataclass(frozen=True, slots=True)
class LineRead:
    """A line's text and how sure the recogniser was of it (0..1)."""

    text: str
    confidence: float

    @property
    def wordlike_chars(self) -> int:
        return sum(1 for c in self.text if is_wordlike(c))


def _keep(word: Word) -> bool:
    return any(is_wordlike(c) for c in word.text) or word.text in KEPT_SYMBOLS


def assemble(words: Sequence[Word]) -> LineRead:
    """Join a single line's words left to right, glueing Hangul syllables."""
    ordered = sorted((w for w in words if _keep(w)), key=lambda w: w.left)
    if not ordered:
        return LineRead("", 0.0)
    texts = [unicodedata.normalize("NFC", w.text) for w in ordered]
    glyph_height = statistics.median(w.height for w in ordered)
    parts = [texts[0]]
    for i in range(1, len(ordered)):
        gap = ordered[i].left - ordered[i - 1].right
        lone = len(texts[i - 1]) == 1 or len(texts[i]) == 1
        limit = (SYLLABLE_GAP_RATIO if lone else WORD_GAP_RATIO) * glyph_height
        glue = is_hangul(texts[i - 1][-1]) and is_hangul(texts[i][0]) and gap < limit
        parts.append(texts[i] if glue else " " + texts[i])
    text = "".join(parts).strip()
    weights = [max(1, sum(1 for c in t if is_wordlike(c))) for t in texts]
    confidence = sum(w.confidence * n for w, n in zip(ordered, weights, strict=True)) / sum(weights)
    return LineRead(text, confidence)


def best_read(reads: Sequence[LineRead]) -> LineRead:
    """The read to believe among the versions of one crop: the most confident,
    discounted when it holds less than half the characters of the fullest read
    (one sure syllable must not beat a whole line read almost as surely, while
    a read padded with junk letters from the box edge must not win by length)."""
    fullest = max((r.wordlike_chars for r in reads), default=0)
    if fullest == 0:
        return LineRead("", 0.0)

    def score(read: LineRead) -> float:
        coverage = min(1.0, read.wordlike_chars / (0.5 * fullest))
        return float(read.confidence * coverage**0.5)

    return max(reads, key=score)
