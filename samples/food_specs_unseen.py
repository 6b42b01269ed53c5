"""Two more food sample vlogs, written after the held-out pair and before any
figure was looked at on them: a second held-out check (``held_out_round``
2), reported apart by make eval. Each gold venue is a row of the venue index
(data/poi/kr). Plain data, read by make_vlogs.py like food_specs."""

from __future__ import annotations

from datetime import UTC, datetime

from vlog_specs import GoldPlace, GoldVenue, NotAVisit, Scene, Segment, Sign, Track, Vlog

from pind_fakes.gazetteer import PlaceCategory


def _rows(*rows: tuple[float, float, str]) -> tuple[Segment, ...]:
    return tuple(Segment(start, round(end - start, 3), text) for start, end, text in rows)


HAEUNDAE = Vlog(
    video_id="pindHaeund1",
    title="해운대 구남로 먹방 🌊 밀면 한 그릇부터 곰장어 골목, 달맞이길 대구탕까지",
    description=(
        "해운대역에서 내려서 구남로 따라 바다까지, 시장 골목이랑 달맞이길까지 걸었어요.\n\n"
        "📍 부산 해운대구 달맞이길62번길 31 (대구탕 먹은 집)\n\n"
        "00:00 해운대역\n"
        "00:06 고메밀면\n"
        "00:12 곰장어 골목\n"
        "00:18 디저트 카페\n"
        "00:24 달맞이길 대구탕\n\n"
        "#해운대맛집 #구남로 #부산여행"
    ),
    tags=("해운대맛집", "부산여행", "구남로"),
    language="ko",
    uploaded=datetime(2025, 10, 11, 9, 0, tzinfo=UTC),
    view_count=15302,
    like_count=604,
    location="해운대",
    scenes=(
        Scene(
            6,
            "station",
            Sign(
                "station",
                (("해운대역", "ko", 58), ("Haeundae", "en", 28)),
                badge=("2", (129, 191, 72)),
            ),
            subtitle=("해운대역 출발", "ko"),
            chapter="해운대역",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("고메밀면 직영점", "ko", 40), ("물밀면 8,000원", "ko", 30))),
            subtitle=("밀면은 여기", "ko"),
            chapter="고메밀면",
        ),
        Scene(
            6,
            "market",
            Sign("gate", (("기장곰장어", "ko", 56), ("산곰장어 소금구이", "ko", 30))),
            subtitle=("곰장어 골목", "ko"),
            chapter="곰장어 골목",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("THE SWEDISH", "en", 40), ("더스웨디시", "ko", 36))),
            subtitle=("시나몬롤 맛집", "ko"),
            chapter="디저트 카페",
        ),
        Scene(
            6,
            "night",
            Sign("menu", (("대구탕 12,000원", "ko", 34), ("달맞이길", "ko", 30))),
            subtitle=("해장은 대구탕", "ko"),
            chapter="달맞이길 대구탕",
        ),
    ),
    tracks=(
        Track(
            "ko",
            "manual",
            _rows(
                (0.5, 3.0, "해운대역 3번 출구로 나왔어요."),
                (3.2, 5.8, "역 바로 앞 초량밀면에서 물밀면부터 한 그릇 먹고요."),
                (6.3, 9.0, "고메밀면 직영점도 바로 옆이라 비빔으로 하나 더."),
                (9.2, 11.8, "더벤티에서 음료 하나 사서 걸어갑니다."),
                (12.3, 15.0, "시장 골목 기장곰장어 왔어요, 소금구이 최고."),
                (15.2, 17.8, "다음엔 전주비빔밥 먹으러 전주도 가고 싶네요."),
                (18.3, 21.0, "여기가 더스웨디시인데요, 시나몬롤이 유명해요."),
                (21.2, 23.8, "이제 달맞이길 올라가요."),
                (24.3, 27.0, "마지막은 대구탕으로 해장! 주소는 더보기에 있어요."),
            ),
        ),
    ),
    places=(
        GoldPlace(
            "해운대역",
            PlaceCategory.STATION,
            ("caption", "ocr", "description"),
            0.0,
            detail="부산도시철도 2호선",
        ),
    ),
    venues=(
        GoldVenue(
            "초량밀면",
            "해운대구",
            "우1동",
            ("caption",),
            3.0,
            road="구남로 20",
            how="speech only; ×3 in Busan, two in 해운대구 1.5 km apart: 'right by the station'",
        ),
        GoldVenue(
            "고메밀면직영점",
            "해운대구",
            "우1동",
            ("ocr", "caption", "chapter"),
            6.0,
            aliases=("고메밀면",),
            how="직영점 on a sign and in speech, the chapter without it",
        ),
        GoldVenue(
            "기장곰장어",
            "해운대구",
            "중1동",
            ("ocr", "caption"),
            12.0,
            how="×7 in Busan (one in 기장군, named after it): the walk says which",
        ),
        GoldVenue(
            "더스웨디시",
            "해운대구",
            "우1동",
            ("ocr", "caption"),
            18.0,
            aliases=("THE SWEDISH",),
            how="speech '여기가 ○○인데요' and a sign",
        ),
        GoldVenue(
            "소문난대구탕",
            "해운대구",
            "중1동",
            ("description",),
            24.0,
            how="only its address (달맞이길62번길 31), never its name",
        ),
    ),
    not_visits=(
        NotAVisit("더벤티", "a chain (31 in Busan) without its branch"),
        NotAVisit("전주비빔밥", "a dish named after 전주"),
        NotAVisit("전주", "a city the vlogger wishes to visit, not one the vlog goes to"),
    ),
    thumbnail_text=("해운대 구남로 먹방", "Haeundae food walk"),
    channel="부산먹보 Busan Eats",
    channel_id="UCpindBusanEats000000001",
    channel_handle="@busaneats-pind",
    held_out=True,
    held_out_round=2,
)

HOEGI_CAFES = Vlog(
    video_id="pindHoegi01",
    title="회기 경희대 카페 투어 ☕ 회기역에서 걸어서 다섯 곳",
    description=(
        "회기역 1번 출구에서 경희대 정문까지 카페만 돌았어요.\n\n"
        "상호: 레프트커피\n"
        "📍 서울 동대문구 회기로25길 22 (빵 사 온 곳)\n\n"
        "00:00 회기역\n"
        "00:06 레프트커피\n"
        "00:12 이디야 경희대점\n"
        "00:18 유유에스프레소\n"
        "00:24 빵집\n\n"
        "#회기카페 #경희대카페 #카페투어"
    ),
    tags=("회기카페", "경희대", "카페투어"),
    language="ko",
    uploaded=datetime(2025, 11, 2, 6, 0, tzinfo=UTC),
    view_count=8240,
    like_count=377,
    location=None,
    scenes=(
        Scene(
            6,
            "station",
            Sign(
                "station",
                (("회기역", "ko", 58), ("Hoegi", "en", 28)),
                badge=("1", (0, 50, 160)),
            ),
            subtitle=("회기역 도착", "ko"),
            chapter="회기역",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("LEFT COFFEE", "en", 40), ("아메리카노 4,000", "ko", 30))),
            subtitle=("첫 번째 카페", "ko"),
            chapter="레프트커피",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("이디야커피 경희대점", "ko", 38), ("EDIYA COFFEE", "en", 26))),
            subtitle=("체인도 하나", "ko"),
            chapter="이디야 경희대점",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("유유에스프레소", "ko", 40), ("ESPRESSO BAR", "en", 26))),
            subtitle=("에스프레소 바", "ko"),
            chapter="유유에스프레소",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("소금빵 3,500", "ko", 34), ("크루아상 4,200", "ko", 30))),
            subtitle=("빵 포장", "ko"),
            chapter="빵집",
        ),
    ),
    tracks=(
        Track(
            "ko",
            "manual",
            _rows(
                (0.5, 3.0, "회기역에서 시작해요, 오늘은 카페만 갑니다."),
                (3.2, 5.8, "커피에반하다도 있고 놀숲도 보이는데 오늘은 패스."),
                (6.3, 9.0, "레프트커피 들렀어요, 원두가 산미 있어요."),
                (9.2, 11.8, "춘천닭갈비 냄새가 나서 배고프네요."),
                (12.3, 15.0, "이디야커피 경희대점에서 잠깐 쉬었다가"),
                (15.2, 17.8, "유유에스프레소에서 에스프레소 한 잔."),
                (18.3, 21.0, "에스프레소 바는 처음인데 좋네요."),
                (24.3, 27.0, "마지막으로 골목 빵집에서 소금빵 사 왔어요."),
            ),
        ),
    ),
    places=(
        GoldPlace(
            "회기역",
            PlaceCategory.STATION,
            ("caption", "ocr", "description"),
            0.0,
            detail="경원선",
        ),
    ),
    venues=(
        GoldVenue(
            "레프트커피",
            "동대문구",
            "회기동",
            ("caption", "description", "chapter"),
            6.0,
            aliases=("LEFT COFFEE",),
            how="'상호:' line, speech '○○ 들렀어요'",
        ),
        GoldVenue(
            "이디야커피경희대점",
            "동대문구",
            "회기동",
            ("ocr", "caption"),
            12.0,
            how="a chain's branch on a sign and in speech ('이디야커피 경희대점')",
        ),
        GoldVenue(
            "유유에스프레소",
            "동대문구",
            "회기동",
            ("ocr", "caption", "chapter"),
            15.0,
            how="sign, chapter and speech '○○에서'",
        ),
        GoldVenue(
            "무드베이킹",
            "동대문구",
            "회기동",
            ("description",),
            24.0,
            how="only its address (회기로25길 22), never its name",
        ),
    ),
    not_visits=(
        NotAVisit("커피에반하다", "a chain (344 cafes) without its branch, passed by"),
        NotAVisit("놀숲", "a chain (28) without its branch, passed by"),
        NotAVisit("춘천닭갈비", "a dish named after 춘천"),
    ),
    thumbnail_text=("회기 카페 투어", "Hoegi cafe tour"),
    channel="서울산책 Seoul Walks",
    channel_id="UCpindSeoulWalks00000001",
    channel_handle="@seoulwalks-pind",
    held_out=True,
    held_out_round=2,
)

UNSEEN_FOOD_VLOGS = (HAEUNDAE, HOEGI_CAFES)
