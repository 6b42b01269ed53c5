"""Mentions in running text: a place written after the areas it is in is one
mention. Pure: no I/O.

News and descriptions write a place with the areas that locate it: '일본
나리타공항', '서울 송파구 롯데월드타워', '수원 팔달산', '중국 광둥성 푸저우'.
The names are found one by one; as mentions of places they are one phrase
(the convention of KLUE-NER and ACE: the span runs from the first area to
the place), placed at its most specific part. Two names join when only a
space lies between them, the first is placed, and the second is narrower:
a point of interest, an unplaced name, or a finer administrative level —
never two areas of one level ('서울 부산' stays two)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Mention(Generic[T]):
    start: int
    end: int
    level: int | None
    """0 a point of interest, 1-3 an administrative area, None unplaced."""
    payload: T


def join_area_chains(text: str, mentions: Sequence[Mention[T]]) -> list[Mention[T]]:
    """``mentions`` (any order) with each chain of areas and the place after
    them made one mention: the span of the chain, the payload and level of
    its most specific placed part (the first area's when the last is unplaced)."""
    joined: list[Mention[T]] = []
    for mention in sorted(mentions, key=lambda m: (m.start, m.end)):
        previous = joined[-1] if joined else None
        if previous is not None and _joins(text, previous, mention):
            if mention.level is None:
                joined[-1] = replace(previous, end=mention.end)
            else:
                joined[-1] = replace(mention, start=previous.start)
            continue
        joined.append(mention)
    return joined


def _joins(text: str, first: Mention[T], second: Mention[T]) -> bool:
    if first.level is None or (first.level == 0 and second.level not in (0, None)):
        return False  # an unplaced name, or a building before an area
    if second.start != first.end + 1 or text[first.end] != " ":
        return False
    if second.level is None or second.level == 0:
        return True
    return first.level > 0 and second.level > first.level
