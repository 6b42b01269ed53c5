"""Food words: dishes, and the words for kinds of food and of places to eat.

A name made of a place and a dish ('춘천닭갈비', '부산어묵') is a dish
first (``DISH_WORDS``); a venue called by one of these words alone ('떡볶이',
'해장국', '디저트': the business lists hold such shops) is the word first
(``COMMON_WORDS``), a venue only where the text points at it ('여기가 …', a
sign, a listed line)."""

from __future__ import annotations

from collections.abc import Callable

# Food words: a name made of a place and one of these is a dish first.
DISH_WORDS: tuple[str, ...] = (
    "부대찌개",
    "닭갈비",
    "비빔밥",
    "어묵",
    "오뎅",
    "돼지국밥",
    "국밥",
    "밀면",
    "냉면",
    "막국수",
    "떡갈비",
    "순대",
    "족발",
    "갈비",
    "곰탕",
    "칼국수",
    "호떡",
    "만두",
    "짬뽕",
    "물회",
    "회",
    "빵",
    "한우",
    "김밥",
    "떡볶이",
    "찐빵",
)
COMMON_WORDS = frozenset(
    {
        *DISH_WORDS,
        *("해장국", "국수", "치킨", "피자", "커피", "분식", "라멘", "초밥", "곱창", "삼겹살"),
        *("파스타", "디저트", "케이크", "빙수", "백반", "보쌈", "짜장면", "짬뽕", "우동", "돈까스"),
        *("맛집", "노포", "포장마차", "한식", "양식", "중식", "일식", "술집", "맥주", "소주"),
        *("브런치", "베이커리", "빵집", "카페", "식당", "커피숍", "호프", "고깃집", "국밥집"),
    }
)


def is_place_dish(key: str, place_words: Callable[[str], bool]) -> bool:
    """A name that is a place word then a dish word ('춘천닭갈비', '부산어묵')."""
    for word in DISH_WORDS:
        if key.endswith(word) and len(key) > len(word):
            head = key[: -len(word)]
            if place_words(head):
                return True
    return False
