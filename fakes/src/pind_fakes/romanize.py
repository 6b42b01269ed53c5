"""Revised Romanization of Korean, simplified: syllable by syllable plus liaison.

Good enough to give gazetteer names an English alias ("망원시장" → "Mangwon Market")
so that the fakes answer English queries the way the real services roughly do.
It ignores most sound-change rules (종로 → "Jongro", not "Jongno").
"""

from __future__ import annotations

_HANGUL_FIRST = 0xAC00
_HANGUL_LAST = 0xD7A3

_INITIALS = (
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s",
    "ss", "", "j", "jj", "ch", "k", "t", "p", "h",
)  # fmt: skip
_MEDIALS = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
)  # fmt: skip
# Final consonant as pronounced at the end of a syllable.
_FINALS = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l",
    "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip
# Final consonant carried over to a following silent ㅇ initial (liaison).
_FINALS_LIAISON = (
    "", "g", "kk", "ks", "n", "nj", "n", "d", "r", "lg", "lm", "lb", "ls", "lt",
    "lp", "r", "m", "b", "ps", "s", "ss", "ng", "j", "ch", "k", "t", "p", "",
)  # fmt: skip
_SILENT_INITIAL = 11
_NG_FINAL = 21


def _decompose(char: str) -> tuple[int, int, int] | None:
    code = ord(char)
    if not _HANGUL_FIRST <= code <= _HANGUL_LAST:
        return None
    offset = code - _HANGUL_FIRST
    return offset // 588, (offset % 588) // 28, offset % 28


def romanize(text: str) -> str:
    """Romanise Hangul syllables in ``text``; other characters pass through."""
    out: list[str] = []
    chars = list(text)
    for index, char in enumerate(chars):
        parts = _decompose(char)
        if parts is None:
            out.append(char)
            continue
        initial, medial, final = parts
        following = _decompose(chars[index + 1]) if index + 1 < len(chars) else None
        out.append(_INITIALS[initial] + _MEDIALS[medial])
        if final and following and following[0] == _SILENT_INITIAL and final != _NG_FINAL:
            out.append(_FINALS_LIAISON[final])
        else:
            out.append(_FINALS[final])
    return "".join(out)


def romanize_title(text: str) -> str:
    """Romanise and capitalise each space-separated word: "광장" → "Gwangjang"."""
    return " ".join(word[:1].upper() + word[1:] for word in romanize(text).split())
