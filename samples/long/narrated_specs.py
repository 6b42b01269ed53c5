"""What the narrated sample vlogs show and say (read by samples/make_long_vlog.py).

Plain data. Signs, subtitles and places follow vlog_specs.py's conventions;
``narration`` holds, per scene, the English lines espeak-ng reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from vlog_specs import GoldPlace, Scene, Sign, Vlog

from pind_fakes.gazetteer import PlaceCategory

M, S, A, P = (
    PlaceCategory.MARKET,
    PlaceCategory.STATION,
    PlaceCategory.ATTRACTION,
    PlaceCategory.PARK,
)


@dataclass(frozen=True)
class NarratedVlog:
    vlog: Vlog  # tracks are filled in from the narration's timing
    narration: tuple[tuple[str, ...], ...]  # per scene
    captions: bool  # whether YouTube has the narration as a manual track
    caption_lang: str = "en"
    crf: int = 30


SPEAK = NarratedVlog(
    vlog=Vlog(
        video_id="pindSpeak01",
        title="Seoul in one evening | market food and the tower",
        description=(
            "A quick evening walk in Seoul.\n\n"
            "📍 서울역 (Seoul Station) → 광장시장 (Gwangjang Market) → 남산 N서울타워\n"
        ),
        tags=("seoul", "korea travel", "vlog"),
        language="en",
        uploaded=datetime(2025, 11, 2, 10, 0, tzinfo=UTC),
        view_count=3210,
        like_count=154,
        location=None,
        scenes=(
            Scene(
                7,
                "station",
                Sign("station", (("서울역", "ko", 64), ("Seoul Station", "en", 30))),
                chapter="Seoul Station",
                chord=(196.0, 246.9, 293.7),
            ),
            Scene(
                9,
                "market",
                Sign("gate", (("광장시장", "ko", 68), ("Gwangjang Market", "en", 30))),
                subtitle=("빈대떡 맛집", "ko"),
                chapter="Gwangjang Market",
                chord=(220.0, 277.2, 329.6),
            ),
            Scene(
                8,
                "night",
                Sign("tower", (("N서울타워", "ko", 60), ("N Seoul Tower", "en", 30))),
                chapter="N Seoul Tower",
                chord=(164.8, 207.7, 246.9),
            ),
        ),
        tracks=(),
        places=(
            GoldPlace(
                "서울역",
                S,
                ("speech", "ocr"),
                0.0,
                aliases=("Seoul Station",),
                detail="서울 도시철도 1호선",
            ),
            GoldPlace("광장시장", M, ("speech", "ocr"), 7.0, aliases=("Gwangjang Market",)),
            GoldPlace(
                "남산&N서울타워",
                A,
                ("speech", "ocr"),
                16.0,
                aliases=("N Seoul Tower", "Namsan Tower"),
                name_en="N Seoul Tower",
            ),
        ),
        thumbnail_text=("광장시장", "Gwangjang Market"),
    ),
    narration=(
        ("Good evening! We start at Seoul Station.",),
        ("This is Gwangjang Market.", "The mung bean pancakes are amazing."),
        ("Finally, the night view from Namsan Tower.",),
    ),
    captions=False,
)


def _scene(
    backdrop: str,
    style: str,
    korean: str,
    english: str,
    subtitle: tuple[str, str],
    chord: tuple[float, float, float],
    chapter: str | None = None,
) -> Scene:
    """A 20 s scene; its chapter is the English name on the sign unless given."""
    return Scene(
        20,
        backdrop,
        Sign(style, ((korean, "ko", 60), (english, "en", 28))),
        subtitle=subtitle,
        chapter=chapter or english,
        chord=chord,
    )


_C1, _C2, _C3 = (196.0, 246.9, 293.7), (220.0, 277.2, 329.6), (174.6, 220.0, 261.6)

LONG_SCENES = (
    _scene("station", "station", "서울역", "Seoul Station", ("서울역 출발!", "ko"), _C1),
    _scene("market", "gate", "남대문시장", "Namdaemun Market", ("남대문시장 구경", "ko"), _C2),
    _scene("station", "station", "명동역", "Myeong-dong Station", ("Exit 6, go!", "en"), _C3),
    _scene("market", "gate", "광장시장", "Gwangjang Market", ("광장시장 빈대떡", "ko"), _C1),
    _scene("menu", "menu", "빈대떡 5,000원", "Mung Bean Pancake", ("Only 5,000 won!", "en"), _C2),
    _scene("station", "station", "동대문역", "Dongdaemun Station", ("동대문 도착", "ko"), _C3),
    _scene("market", "gate", "통인시장", "Tongin Market", ("엽전 도시락", "ko"), _C1),
    _scene("park", "park", "효창공원", "Hyochang Park", ("Quiet walk in the park", "en"), _C2),
    _scene("market", "gate", "망원시장", "Mangwon Market", ("망원시장 고로케", "ko"), _C3),
    _scene("night", "tower", "N서울타워", "N Seoul Tower", ("서울 야경 최고", "ko"), _C1),
    _scene("station", "station", "부산역", "Busan Station", ("Busan by KTX!", "en"), _C2),
    _scene("market", "gate", "자갈치시장", "Jagalchi Market", ("자갈치 회 한 접시", "ko"), _C3),
    _scene("market", "gate", "국제시장", "Gukje Market", ("국제시장 골목", "ko"), _C1),
    _scene("market", "gate", "부평깡통시장", "Kkangtong Market", ("Night snacks", "en"), _C2),
    _scene("beach", "beach", "해운대해수욕장", "Haeundae Beach", ("해운대 바다!", "ko"), _C3),
    _scene("night", "tower", "감천문화마을", "Gamcheon Village", ("See you next time!", "en"), _C1),
)

LONG_NARRATION = (
    ("Hi everyone, today is a long one.", "We start our trip at Seoul Station."),
    ("First stop is Namdaemun Market.", "It is the oldest market in Seoul."),
    ("Now we walk to Myeongdong Station.", "The streets are full of food stalls."),
    ("Here we are at Gwangjang Market.", "Everyone comes here for the pancakes."),
    ("This mung bean pancake costs five thousand won.", "It is crispy and hot."),
    ("Next, Dongdaemun Station.", "We take the subway to the west."),
    ("This is Tongin Market.", "You buy your lunch with old coins here."),
    ("Time for a break in Hyochang Park.", "It is very quiet this morning."),
    ("Mangwon Market is where the locals shop.", "The croquettes are one thousand won."),
    ("At night we go up to Namsan Tower.", "The view over Seoul is beautiful."),
    ("Next morning, we arrive at Busan Station.", "The fast train took under three hours."),
    ("Jagalchi Market is the biggest fish market.", "We had raw fish for lunch."),
    ("Right next door is Gukje Market.", "It is famous from the movie."),
    ("Kkangtong Market has a night market.", "Try the fish cake skewers."),
    ("Haeundae Beach in the afternoon.", "The water is still warm in October."),
    ("We end the day in Gamcheon Culture Village.", "Thank you for watching, see you soon."),
)


def _long_places() -> tuple[GoldPlace, ...]:
    rows: tuple[tuple[str | None, PlaceCategory, str | None], ...] = (
        ("서울역", S, "서울 도시철도 1호선"),
        ("남대문시장", M, None),
        ("명동역", S, None),
        ("광장시장", M, None),
        (None, M, None),  # the menu scene names no place
        ("동대문역", S, "서울 도시철도 1호선"),
        ("통인시장", M, None),
        ("효창공원", P, None),
        ("망원시장", M, None),
        ("남산&N서울타워", A, None),
        ("부산역", S, None),
        ("자갈치시장", M, None),
        ("국제시장", M, None),
        ("부평깡통시장", M, None),
        ("해운대해수욕장", A, None),
        ("감천문화마을", A, None),
    )
    places = []
    for index, (name, category, detail) in enumerate(rows):
        if name is None:
            continue
        english = LONG_SCENES[index].sign.lines[1][0]
        places.append(
            GoldPlace(
                name,
                category,
                ("caption", "ocr"),
                20.0 * index,
                aliases=(english,),
                detail=detail,
                name_en=english if name == "남산&N서울타워" else None,
            )
        )
    return tuple(places)


LONG = NarratedVlog(
    vlog=Vlog(
        video_id="pindLongVl1",
        title="Seoul to Busan in 2 days: 16 stops, markets, beach | Korea travel vlog",
        description=(
            "Two days, sixteen stops: Seoul's markets and stations, then Busan by KTX.\n\n"
            "📍 Places\n"
            + "".join(
                f"- {korean} ({english})\n"
                for korean, english in (
                    ("서울역", "Seoul Station"),
                    ("남대문시장", "Namdaemun Market"),
                    ("명동역", "Myeong-dong Station"),
                    ("광장시장", "Gwangjang Market"),
                    ("동대문역", "Dongdaemun Station"),
                    ("통인시장", "Tongin Market"),
                    ("효창공원", "Hyochang Park"),
                    ("망원시장", "Mangwon Market"),
                    ("남산 N서울타워", "N Seoul Tower"),
                    ("부산역", "Busan Station"),
                    ("자갈치시장", "Jagalchi Market"),
                    ("국제시장", "Gukje Market"),
                    ("부평깡통시장", "Bupyeong Kkangtong Market"),
                    ("해운대해수욕장", "Haeundae Beach"),
                    ("감천문화마을", "Gamcheon Culture Village"),
                )
            )
            + "\n#seoul #busan #koreatravel #market"
        ),
        tags=("seoul", "busan", "korea travel", "market", "광장시장", "자갈치시장"),
        language="en",
        uploaded=datetime(2025, 10, 20, 8, 0, tzinfo=UTC),
        view_count=88123,
        like_count=2301,
        location="South Korea",
        scenes=LONG_SCENES,
        tracks=(),
        places=_long_places(),
        thumbnail_text=("서울 부산 여행", "Seoul to Busan"),
    ),
    narration=LONG_NARRATION,
    captions=True,
    crf=33,
)
