"""Korean particles (조사) glued to the end of a place name, cut off. Pure: no I/O.

A location span ends where its name ends: '부산역부터' is 부산역, '해운대에서는'
is 해운대. Two readings decide where:

- kiwi's own tags: a span that runs into morphemes kiwi tagged as particles
  (``J…``: 부터/JX, 에서/JKB, 이랑/JC) or a copula (``VCP``), with the
  endings after them, ends before them (an ending alone is not cut: kiwi
  may read '서면' as 서/VV 면/EC);
- a particle list, for what kiwi reads as one unknown noun: '회백반부터' is
  one NNG to kiwi, a dish and 부터 to a reader. Only particles of two or
  more syllables are cut this way (and their combinations, '에서부터',
  '까지는'): one-syllable endings (로, 도, 이, 가) end too many real names
  (한강로, 제주도, 해운대) to cut without kiwi's word for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pind_geo.domain.extraction.korean_tagger import Morpheme

# Particles of two or more syllables, and the one-syllable ones that may
# follow them ('부터는', '까지도', '에서의'), longest tried first.
_LONG_PARTICLES = (
    "에서부터",
    "으로부터",
    "에게서",
    "한테서",
    "에서",
    "부터",
    "까지",
    "으로",
    "이랑",
    "한테",
    "에게",
    "처럼",
    "보다",
    "마다",
    "밖에",
    "조차",
    "하고",
)
# Not '이나' / '이며': 우크라이나 and 차이나 end in them.
_TRAILING = ("는", "도", "만", "의", "요", "은", "")
# 에 with what follows it ('시장에는'); 에 alone is one syllable, left to kiwi.
_AT = ("에는", "에도", "에선", "에만", "에요")
JOSA_ENDINGS: tuple[str, ...] = tuple(
    sorted({p + t for p in _LONG_PARTICLES for t in _TRAILING} | set(_AT), key=len, reverse=True)
)
"""Every glued particle ending the list cuts ('부터', '부터는', '에서부터'…)."""
_MIN_NAME = 2
_CUT_TAGS = ("J", "E", "VCP")
_PARTICLE_TAGS = ("J", "VCP")


def strip_particles(text: str) -> str:
    """``text`` without a particle glued to its end ('회백반부터' → '회백반'),
    when at least two characters of name remain; otherwise unchanged."""
    for ending in JOSA_ENDINGS:
        if text.endswith(ending) and len(text) - len(ending) >= _MIN_NAME:
            return text[: -len(ending)]
    return text


def particle_free_end(text: str, start: int, end: int, morphemes: Sequence[Morpheme]) -> int:
    """Where the name in ``text[start:end]`` ends once particles glued to
    its end are cut: before the particles and endings kiwi read at the
    span's end, else by the particle list on the last word. A particle
    kiwi reads inside an unknown name ('비에뜨반미') is no end: only the
    run of them that reaches the span's end is cut."""
    while end > start and text[end - 1] == " ":
        end -= 1
    inside = [m for m in morphemes if start <= m.start < end]
    tail: list[Morpheme] = []
    for m in reversed(inside):
        if not m.tag.startswith(_CUT_TAGS):
            break
        tail.insert(0, m)
    # An ending alone is no particle ('서면' may be read 서/VV 면/EC).
    heads = [m.start for m in tail if m.tag.startswith(_PARTICLE_TAGS)]
    if heads and inside[-1].end >= end and heads[0] - start >= _MIN_NAME:
        end = heads[0]
    while end > start and text[end - 1] == " ":
        end -= 1
    word_start = text.rfind(" ", start, end) + 1
    word_start = max(word_start, start)
    word = text[word_start:end]
    return word_start + len(strip_particles(word)) if word else end
