"""Text helpers for matching place names across scripts and OCR noise."""

from __future__ import annotations

import re
import unicodedata

_HANGUL_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
_NOT_WORD = re.compile(r"[^0-9a-z\uac00-\ud7a3]+")
# Tesseract reads '광장시장' as '광 장 시 장': a run of single syllables split by spaces.
_SPACED_SYLLABLES = re.compile(
    r"(?<![\uac00-\ud7a3])[\uac00-\ud7a3](?: [\uac00-\ud7a3](?![\uac00-\ud7a3])){2,}"
)
_SENTENCE_END = re.compile(r"[.!?。\n]|(?<=[다요죠])\s")
_MAX_SENTENCE = 160


def has_hangul(text: str) -> bool:
    return _HANGUL_SYLLABLE.search(text) is not None


def match_key(text: str) -> str:
    """A comparison key: NFC, case-folded, with spaces and punctuation gone
    ('광 장 시 장' and '광장시장', 'Jongno 3-ga' and 'jongno3ga' meet)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFC", text).casefold())


def jamo_key(text: str) -> str:
    """``match_key`` decomposed into jamo, so that a misread stroke costs one
    letter of twelve rather than one syllable of four in fuzzy matching."""
    return unicodedata.normalize("NFD", match_key(text))


def collapse_spaced_syllables(text: str) -> tuple[str, list[int]]:
    """Undo OCR syllable spacing; returns the text and, for every character
    of it, its offset in the original (so spans map back)."""
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for match in _SPACED_SYLLABLES.finditer(text):
        for i in range(pos, match.start()):
            out.append(text[i])
            offsets.append(i)
        for i in range(match.start(), match.end()):
            if text[i] != " ":
                out.append(text[i])
                offsets.append(i)
        pos = match.end()
    for i in range(pos, len(text)):
        out.append(text[i])
        offsets.append(i)
    return "".join(out), offsets


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding ``text[start:end]``, trimmed to a readable length."""
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    right_match = _SENTENCE_END.search(text, end)
    right = right_match.end() if right_match else len(text)
    sentence = text[left:right].strip()
    if len(sentence) <= _MAX_SENTENCE:
        return sentence
    half = _MAX_SENTENCE // 2
    middle = (start + end) // 2
    lo = max(left, middle - half)
    hi = min(right, lo + _MAX_SENTENCE)
    return ("…" if lo > left else "") + text[lo:hi].strip() + ("…" if hi < right else "")
