"""Hangul → Revised Romanization, enough to meet romanised names in English
text ('광장' → 'gwangjang', '종로' → 'jongno'). Compared fuzzily, so the rarer
sound changes are left out."""

from __future__ import annotations

_INITIALS = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_MEDIALS = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
# Final consonant as pronounced at the end of a syllable, and as carried over
# to a following vowel (liaison).
_FINALS = [
    "",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "l",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
]
_FINALS_LIAISON = [
    "",
    "g",
    "kk",
    "ks",
    "n",
    "nj",
    "nh",
    "d",
    "r",
    "lg",
    "lm",
    "lb",
    "ls",
    "lt",
    "lp",
    "lh",
    "m",
    "b",
    "bs",
    "s",
    "ss",
    "ng",
    "j",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_NASAL_INITIALS = {"n", "m"}


def romanize(text: str) -> str:
    """Romanise the Hangul syllables of ``text``; other characters stay."""
    parts: list[tuple[int, int, int] | str] = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            parts.append((code // 588, (code % 588) // 28, code % 28))
        else:
            parts.append(ch)
    out: list[str] = []
    for i, part in enumerate(parts):
        if isinstance(part, str):
            out.append(part)
            continue
        initial, medial, final = part
        prev = parts[i - 1] if i > 0 else None
        if isinstance(prev, tuple) and prev[2]:
            out.append(_initial_after(prev[2], initial))
        else:
            out.append(_INITIALS[initial])
        out.append(_MEDIALS[medial])
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        if final and isinstance(nxt, tuple):
            out.append(_final_before(final, nxt[0]))
        elif final:
            out.append(_FINALS[final])
    return "".join(out)


def _final_before(final: int, next_initial: int) -> str:
    following = _INITIALS[next_initial]
    if following == "":
        return ""  # carried over to the next syllable
    sound = _FINALS[final]
    if sound == "l" or (sound == "n" and following == "r"):
        return "l" if following in {"r", "n"} else sound
    if following in _NASAL_INITIALS or following == "r":
        return {"k": "ng", "p": "m", "t": "n"}.get(sound, sound)
    return sound


def _initial_after(prev_final: int, initial: int) -> str:
    following = _INITIALS[initial]
    if following == "":
        return _FINALS_LIAISON[prev_final]
    if following == "r":
        return "l" if _FINALS[prev_final] in {"l", "n"} else "n"
    if following == "n" and _FINALS[prev_final] == "l":
        return "l"
    return following
