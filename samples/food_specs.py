"""The food sample vlogs: restaurants and cafes, each gold venue a row of the
venue index (data/poi/kr). Plain data, read by make_vlogs.py like vlog_specs.

Cases they hold (``GoldVenue.how``): a name many venues share placed by the
vlog's other places, a branch name (○○점, 본점), a venue named only in speech,
only on a sign, only by its address, a name tied to its branch by the address
next to it; and names that are not visits (``NotAVisit``): dishes named after
cities, chains without a branch, foreign places in English, a name several
venues of one neighbourhood share (to be reported as ambiguous).

``pindNarrBs1`` was written with the others, before any tuning, and
``pindGwangan`` after the first round of it, before anything was run on it;
both are held out of tuning: make eval reports them apart."""

from __future__ import annotations

from datetime import UTC, datetime

from food_specs_unseen import UNSEEN_FOOD_VLOGS
from vlog_specs import GoldPlace, GoldVenue, NotAVisit, Scene, Segment, Sign, Track, Vlog

from pind_fakes.gazetteer import PlaceCategory


def _rows(*rows: tuple[float, float, str]) -> tuple[Segment, ...]:
    return tuple(Segment(start, round(end - start, 3), text) for start, end, text in rows)


CHANNEL = {
    "channel": "부산먹보 Busan Eats",
    "channel_id": "UCpindBusanEats000000001",
    "channel_handle": "@busaneats-pind",
}

BUSAN_NAMPO = Vlog(
    video_id="pindBsnEat1",
    title="부산 남포동 먹방 투어 🍜 자갈치시장 회백반부터 깡통시장 비빔당면까지",
    description=(
        "남포동 골목 맛집 하루 코스! 남포역에서 내려서 자갈치시장, 부평깡통시장까지 "
        "걸어 다니면서 먹었어요.\n\n"
        "📍 진주식당: 부산 중구 자갈치로 26\n"
        "상호: 삼진커피\n"
        "위치: 부평깡통시장 안\n\n"
        "00:00 남포역\n"
        "00:06 18번완당집\n"
        "00:12 자갈치시장 회백반\n"
        "00:18 구포국수 한 그릇\n"
        "00:24 깡통시장 비빔당면\n"
        "00:30 커피 한 잔\n\n"
        "#부산여행 #남포동맛집 #소문난칼국수 #자갈치시장 #부산먹방"
    ),
    tags=("부산여행", "남포동", "자갈치시장", "부산맛집", "먹방"),
    language="ko",
    uploaded=datetime(2025, 11, 2, 8, 0, tzinfo=UTC),
    view_count=30412,
    like_count=988,
    location="부산 중구",
    scenes=(
        Scene(
            6,
            "station",
            Sign(
                "station",
                (("남포역", "ko", 60), ("Nampo Station", "en", 28)),
                badge=("1", (240, 106, 0)),
            ),
            subtitle=("남포역 도착!", "ko"),
            chapter="남포역",
        ),
        Scene(
            6,
            "market",
            Sign("gate", (("18번 완당집", "ko", 54), ("since 1948", "en", 24))),
            subtitle=("완당 한 그릇 시작", "ko"),
            chapter="18번완당집",
        ),
        Scene(
            6,
            "market",
            Sign("gate", (("자갈치시장", "ko", 60), ("Jagalchi Market", "en", 28))),
            subtitle=("회백반 먹으러 왔어요", "ko"),
            chapter="자갈치시장 회백반",
        ),
        Scene(
            6,
            "menu",
            Sign(
                "menu",
                (("메뉴", "ko", 30), ("물국수 5,000원", "ko", 32), ("비빔국수 6,000원", "ko", 32)),
            ),
            chapter="구포국수 한 그릇",
        ),
        Scene(
            6,
            "market",
            Sign("gate", (("깡통골목 원조비빔당면", "ko", 40), ("부평깡통시장", "ko", 30))),
            subtitle=("비빔당면 맛있다", "ko"),
            chapter="깡통시장 비빔당면",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("COFFEE", "en", 40), ("아메리카노 3,500원", "ko", 30))),
            subtitle=("마무리는 커피", "ko"),
            chapter="커피 한 잔",
        ),
    ),
    tracks=(
        Track(
            "ko",
            "manual",
            _rows(
                (0.5, 3.0, "안녕하세요! 오늘은 남포역에서 시작하는 부산 먹방이에요."),
                (3.2, 5.8, "배가 고파서 바로 첫 번째 집으로 갑니다."),
                (6.3, 9.0, "여기가 18번완당집인데요, 완당이 정말 얇아요."),
                (9.2, 11.8, "개미집 낙곱새도 유명하다는데 오늘은 패스할게요."),
                (12.3, 15.0, "자갈치시장 안쪽에 있는 진주식당에서 회백반 먹어요."),
                (15.2, 17.8, "이디야커피 말고 옛날 다방 같은 곳에 가볼 거예요."),
                (18.3, 21.0, "구포국수에서 물국수 한 그릇 했어요."),
                (21.2, 23.8, "소문난칼국수 본점도 바로 옆이에요."),
                (24.3, 27.0, "부평깡통시장 비빔당면은 꼭 드셔 보세요."),
                (30.3, 33.0, "삼진커피에서 커피 한 잔으로 마무리합니다."),
                (33.2, 35.8, "구독과 좋아요 부탁드려요!"),
            ),
        ),
    ),
    places=(
        GoldPlace("남포역", PlaceCategory.STATION, ("caption", "ocr", "description"), 0.0),
        GoldPlace(
            "자갈치시장",
            PlaceCategory.MARKET,
            ("caption", "ocr", "title", "description"),
            12.0,
            aliases=("Jagalchi Market",),
        ),
        GoldPlace(
            "부평깡통시장",
            PlaceCategory.MARKET,
            ("caption", "ocr", "description"),
            24.0,
            aliases=("깡통시장",),
        ),
    ),
    venues=(
        GoldVenue(
            "18번완당집",
            "중구",
            "남포동",
            ("caption", "ocr", "chapter"),
            6.0,
            how="same name ×3 in Busan; the others in 수영구, placed by the walk",
        ),
        GoldVenue(
            "진주식당",
            "중구",
            "남포동",
            ("caption", "description"),
            12.0,
            road="자갈치로 26",
            how="same name ×23, two in 남포동: the address beside it says which",
        ),
        GoldVenue(
            "구포국수",
            "중구",
            "남포동",
            ("caption", "chapter"),
            18.0,
            how="same name ×9 in Busan",
        ),
        GoldVenue(
            "소문난칼국수",
            "중구",
            "광복동",
            ("caption", "hashtag"),
            21.0,
            how="본점 said, the data has no branch; ×11 in Busan",
        ),
        GoldVenue(
            "깡통골목원조비빔당면",
            "중구",
            "부평동",
            ("ocr",),
            24.0,
            how="only on a sign (spaced '깡통골목 원조비빔당면')",
        ),
        GoldVenue(
            "삼진커피",
            "중구",
            "광복동",
            ("caption", "description"),
            30.0,
            how="'상호:' line of the description",
        ),
    ),
    not_visits=(
        NotAVisit("개미집", "three 개미집 in 광복동 alone: ambiguous", ambiguous=True),
        NotAVisit("이디야커피", "a chain without a branch (1,037 in the data)"),
    ),
    thumbnail_text=("남포동 먹방", "Busan Nampo food crawl"),
    **CHANNEL,
)

SEOUL_CAFES = Vlog(
    video_id="pindCafeSs1",
    title="성수동 카페 투어 ☕ 블루보틀부터 대림창고, 대학로까지 하루 코스",
    description=(
        "성수역에서 시작해서 성수동 카페들 돌고 대학로까지 간 하루.\n\n"
        "📍 블루보틀 성수1호점\n"
        "📍 스타벅스 동숭로아트점 (대학로)\n\n"
        "00:00 성수역\n"
        "00:06 블루보틀\n"
        "00:12 카페 포제\n"
        "00:18 이월로스터스\n"
        "00:24 대학로\n\n"
        "#성수동카페 #카페투어 #서울카페 #대림창고"
    ),
    tags=("성수동", "카페투어", "서울카페", "cafe tour", "Seoul"),
    language="ko",
    uploaded=datetime(2025, 10, 19, 3, 0, tzinfo=UTC),
    view_count=15230,
    like_count=701,
    location=None,
    scenes=(
        Scene(
            6,
            "station",
            Sign(
                "station",
                (("성수역", "ko", 60), ("Seongsu Station", "en", 28)),
                badge=("2", (0, 168, 77)),
            ),
            subtitle=("성수역 3번 출구", "ko"),
            chapter="성수역",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("BLUE BOTTLE", "en", 44), ("COFFEE", "en", 30))),
            subtitle=("블루보틀 오픈런", "ko"),
            chapter="블루보틀",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("카페포제", "ko", 50), ("CAFE POZE", "en", 28))),
            subtitle=("크로와상이 맛있는 곳", "ko"),
            chapter="카페 포제",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("오늘의 원두", "ko", 30), ("에티오피아 6,000원", "ko", 30))),
            subtitle=("핸드드립 한 잔", "ko"),
            chapter="이월로스터스",
        ),
        Scene(
            6,
            "night",
            Sign("gate", (("홈스테드 대학로점", "ko", 44), ("HOMESTEAD COFFEE", "en", 26))),
            subtitle=("대학로까지 왔어요", "ko"),
            chapter="대학로",
        ),
    ),
    tracks=(
        Track(
            "ko",
            "manual",
            _rows(
                (0.5, 3.0, "오늘은 성수역에서 카페 투어 시작합니다."),
                (3.2, 5.8, "스타벅스는 어디에나 있으니까 오늘은 패스!"),
                (6.3, 9.0, "첫 번째는 블루보틀 성수점이에요."),
                (9.2, 11.8, "여기가 대림창고인데요, 창고를 개조한 카페예요."),
                (12.3, 15.0, "크로와상 맛집이라고 해서 왔어요."),
                (15.2, 17.8, "점심은 근처에서 전주비빔밥 먹었어요."),
                (18.3, 21.0, "이월로스터스에서 핸드드립 마셨어요."),
                (21.2, 23.8, "크로플다일 본점 왔어요, 크로플이 유명해요."),
                (24.3, 27.0, "대학로로 넘어와서 스타벅스 동숭로아트점에 들렀어요."),
                (27.2, 29.8, "홈스테드 커피까지 마시고 오늘 투어 끝!"),
            ),
        ),
    ),
    places=(
        GoldPlace(
            "성수역",
            PlaceCategory.STATION,
            ("caption", "ocr", "description"),
            0.0,
            detail="서울 도시철도 2호선",
        ),
    ),
    venues=(
        GoldVenue(
            "블루보틀",
            "성동구",
            "성수1가2동",
            ("caption", "description"),
            6.0,
            branch="성수1호점",
            aliases=("블루보틀 성수점", "BLUE BOTTLE"),
            how="branch (성수1호점) in the description, 'BLUE BOTTLE' on the sign",
        ),
        GoldVenue(
            "대림창고",
            "성동구",
            "성수2가1동",
            ("caption", "hashtag"),
            9.0,
            how="speech '여기가 대림창고인데요'",
        ),
        GoldVenue(
            "카페포제",
            "성동구",
            "성수2가3동",
            ("ocr", "chapter"),
            12.0,
            how="sign and chapter only ('카페 포제')",
        ),
        GoldVenue(
            "이월로스터스",
            "성동구",
            "성수1가2동",
            ("caption", "chapter"),
            18.0,
            how="speech and chapter",
        ),
        GoldVenue(
            "크로플다일",
            "성동구",
            "성수1가2동",
            ("caption",),
            21.0,
            branch="본점",
            how="'○○ 본점 왔어요', the data's branch is 본점",
        ),
        GoldVenue(
            "스타벅스",
            "종로구",
            "이화동",
            ("caption", "description"),
            24.0,
            branch="동숭로아트점",
            how="a chain of 662 with its branch",
        ),
        GoldVenue(
            "홈스테드",
            "종로구",
            "이화동",
            ("ocr",),
            24.0,
            branch="대학로점",
            how="branch only on a sign",
        ),
    ),
    not_visits=(
        NotAVisit("스타벅스", "the chain without a branch, at 0:03"),
        NotAVisit("전주비빔밥", "a dish named after 전주, eaten in Seoul"),
    ),
    thumbnail_text=("성수동 카페 투어", "Seongsu cafe tour"),
    channel="카페일기 Cafe Diary",
    channel_id="UCpindCafeDiary000000001",
    channel_handle="@cafediary-pind",
)

GUNDAE_MARKET = Vlog(
    video_id="pindGndFd01",
    title="건대 맛집 골목에서 경동시장까지 🥢 서울 동쪽 먹방 산책",
    description=(
        "건대입구역에서 시작해서 건대 맛집 골목 돌고 경동시장까지!\n\n"
        "위치: 서울 광진구 능동로 111 겐로쿠우동\n"
        "📍 서울 동대문구 약령시로 28-5 (쌍화차 마신 카페)\n\n"
        "00:00 건대입구역\n"
        "00:06 피자플래넷\n"
        "00:12 함흥면옥 냉면\n"
        "00:18 경동시장\n"
        "00:24 해머커피\n\n"
        "#건대맛집 #경동시장 #서울먹방"
    ),
    tags=("건대맛집", "경동시장", "서울먹방", "food walk"),
    language="ko",
    uploaded=datetime(2025, 9, 27, 10, 0, tzinfo=UTC),
    view_count=22014,
    like_count=811,
    location=None,
    scenes=(
        Scene(
            6,
            "station",
            Sign(
                "station",
                (("건대입구역", "ko", 58), ("Konkuk Univ.", "en", 28)),
                badge=("2", (0, 168, 77)),
            ),
            subtitle=("건대입구역 출발", "ko"),
            chapter="건대입구역",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("피자플래넷 건대점", "ko", 40), ("PIZZA PLANET", "en", 26))),
            subtitle=("피자 한 조각", "ko"),
            chapter="피자플래넷",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("물냉면 10,000원", "ko", 32), ("비빔냉면 10,000원", "ko", 32))),
            subtitle=("냉면 시원하다", "ko"),
            chapter="함흥면옥 냉면",
        ),
        Scene(
            6,
            "market",
            Sign("gate", (("경동시장", "ko", 64), ("Gyeongdong Market", "en", 28))),
            subtitle=("경동시장 도착", "ko"),
            chapter="경동시장",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("해머커피로스터스", "ko", 40), ("HAMMER COFFEE", "en", 26))),
            subtitle=("로스터리 카페", "ko"),
            chapter="해머커피",
        ),
    ),
    tracks=(
        Track(
            "ko",
            "manual",
            _rows(
                (0.5, 3.0, "건대입구역 2번 출구에서 시작할게요."),
                (3.2, 5.8, "의정부부대찌개 먹을까 춘천닭갈비 먹을까 고민했어요."),
                (6.3, 9.0, "결국 피자 먹으러 왔습니다."),
                (9.2, 11.8, "여기가 비에뜨반미인데요, 반미가 진짜 커요."),
                (12.3, 15.0, "함흥면옥에서 물냉면 한 그릇 했어요."),
                (15.2, 17.8, "할머니가래떡볶이도 포장했어요. 화양식당도 유명하대요."),
                (18.3, 21.0, "이제 경동시장으로 넘어왔어요."),
                (21.2, 23.8, "시장에서 부산어묵 한 꼬치 먹고 작은 카페에서 쌍화차 마셨어요."),
                (24.3, 27.0, "마지막은 로스터리 카페에서 커피!"),
            ),
        ),
    ),
    places=(
        GoldPlace(
            "건대입구역",
            PlaceCategory.STATION,
            ("caption", "ocr", "description"),
            0.0,
            detail="서울 도시철도 2호선",
        ),
        GoldPlace(
            "경동시장",
            PlaceCategory.MARKET,
            ("caption", "ocr", "description"),
            18.0,
            aliases=("Gyeongdong Market",),
        ),
    ),
    venues=(
        GoldVenue(
            "피자플래넷",
            "광진구",
            "화양동",
            ("ocr",),
            6.0,
            branch="건대점",
            how="branch on a sign; two more 피자플래넷 in Busan",
        ),
        GoldVenue(
            "비에뜨반미",
            "광진구",
            "화양동",
            ("caption",),
            9.0,
            how="speech '여기가 ○○인데요'; ×3 (Seoul 강서구, Busan)",
        ),
        GoldVenue(
            "겐로쿠우동",
            "광진구",
            "화양동",
            ("description",),
            None,
            how="'위치:' line with its address; ×3 (two in Busan)",
        ),
        GoldVenue(
            "함흥면옥",
            "광진구",
            "화양동",
            ("caption", "chapter"),
            12.0,
            how="×3 (two in Busan)",
        ),
        GoldVenue(
            "할머니가래떡볶이",
            "광진구",
            "화양동",
            ("caption",),
            15.0,
            how="×2 in 광진구, 3 km apart: the walk says which",
        ),
        GoldVenue(
            "카페심실",
            "동대문구",
            "제기동",
            ("description",),
            21.0,
            how="only its address (약령시로 28-5), never its name",
        ),
        GoldVenue(
            "해머커피로스터스",
            "동대문구",
            "제기동",
            ("ocr", "chapter"),
            24.0,
            how="sign and chapter only",
        ),
    ),
    not_visits=(
        NotAVisit("의정부부대찌개", "a dish named after 의정부"),
        NotAVisit("춘천닭갈비", "a dish named after 춘천"),
        NotAVisit("부산어묵", "a dish (and 4 venues in Busan), eaten in Seoul"),
        NotAVisit("화양식당", "two 화양식당 in 화양동: ambiguous", ambiguous=True),
    ),
    thumbnail_text=("건대 → 경동시장", "Konkuk to Gyeongdong"),
    channel="서울산책 Seoul Walks",
    channel_id="UCpindSeoulWalks00000001",
    channel_handle="@seoulwalks-pind",
)

ENGLISH_VISITOR = Vlog(
    video_id="pindEnVisit",
    title="First time in Busan! Haeundae food tour (pufferfish soup & wheat noodles)",
    description=(
        "My first day in Busan, eating around Haeundae Beach.\n\n"
        "Places:\n"
        "- Geumsu Bokguk (금수복국), pufferfish soup\n"
        "- Choryang Milmyeon (초량밀면), Haeundae\n"
        "- 31CM Haemul Kalguksu\n\n"
        "Next week: Da Nang, then Guangdong!\n\n"
        "#busan #haeundae #koreanfood #bokguk"
    ),
    tags=("busan", "haeundae", "korean food", "travel vlog"),
    language="en",
    uploaded=datetime(2025, 8, 30, 6, 0, tzinfo=UTC),
    view_count=8821,
    like_count=402,
    location="Busan, South Korea",
    scenes=(
        Scene(
            6,
            "beach",
            Sign("beach", (("해운대해수욕장", "ko", 48), ("Haeundae Beach", "en", 28))),
            subtitle=("Haeundae Beach!", "en"),
            chapter="Haeundae Beach",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("금수복국", "ko", 56), ("복국 15,000원", "ko", 28))),
            subtitle=("Pufferfish soup", "en"),
            chapter="Geumsu Bokguk",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("밀면 8,000원", "ko", 32), ("비빔밀면 9,000원", "ko", 32))),
            subtitle=("Busan wheat noodles", "en"),
            chapter="Milmyeon",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("31CM 해물칼국수", "ko", 40), ("SEAFOOD NOODLE", "en", 24))),
            subtitle=("Noodles as long as your arm", "en"),
            chapter="Kalguksu",
        ),
    ),
    tracks=(
        Track(
            "en",
            "manual",
            _rows(
                (0.5, 3.0, "Hi everyone, I just arrived at Haeundae Beach in Busan."),
                (3.2, 5.8, "I skipped Starbucks and went straight to eat."),
                (6.3, 9.0, "This is Geumsu Bokguk, famous for pufferfish soup."),
                (9.2, 11.8, "It reminded me of the seafood soups in Da Nang."),
                (12.3, 15.0, "Then milmyeon at Choryang Milmyeon, a Busan classic."),
                (15.2, 17.8, "Some people compare it to Guangdong cold noodles, no way."),
                (18.3, 21.0, "Last stop: 31CM Haemul Kalguksu, the noodles are huge."),
                (21.2, 23.8, "Thanks for watching, see you in Seoul!"),
            ),
        ),
    ),
    places=(
        GoldPlace(
            "해운대해수욕장",
            PlaceCategory.ATTRACTION,
            ("caption", "ocr", "description"),
            0.0,
            aliases=("Haeundae Beach",),
        ),
    ),
    venues=(
        GoldVenue(
            "금수복국",
            "해운대구",
            "중1동",
            ("caption", "ocr", "description", "chapter"),
            6.0,
            aliases=("Geumsu Bokguk",),
            how="romanised in speech, Korean on the sign; ×3 in Busan (and 센텀벡스코점)",
        ),
        GoldVenue(
            "초량밀면",
            "해운대구",
            "중1동",
            ("caption", "description"),
            12.0,
            aliases=("Choryang Milmyeon",),
            how="romanised in speech, Korean in the description; ×3 in Busan",
        ),
        GoldVenue(
            "31CM해물칼국수",
            "해운대구",
            "중1동",
            ("caption", "ocr"),
            18.0,
            aliases=("31CM Haemul Kalguksu",),
            how="×4 in Busan; '31CM 해물칼국수' on the sign",
        ),
    ),
    not_visits=(
        NotAVisit("Da Nang", "Vietnam, not a Korean 동"),
        NotAVisit("Guangdong", "China, not a Korean 동"),
        NotAVisit("Starbucks", "a chain without a branch"),
    ),
    thumbnail_text=("해운대 먹방", "Busan food tour"),
    channel="Wander & Eat",
    channel_id="UCpindWanderAndEat000001",
    channel_handle="@wanderandeat-pind",
)

# Held out: written before tuning, never tuned on (make eval reports it apart).
SEOMYEON_NARRATED = Vlog(
    video_id="pindNarrBs1",
    title="서면 혼밥 브이로그 | 자막 없이 그냥 먹기만 합니다",
    description="서면에서 하루 종일 먹은 것들. 자막 없어요, 소리로 들어주세요.\n\n#서면맛집 #부산",
    tags=("서면맛집", "부산", "혼밥"),
    language="ko",
    uploaded=datetime(2025, 12, 1, 11, 0, tzinfo=UTC),
    view_count=4120,
    like_count=233,
    location=None,
    scenes=(
        Scene(6, "market", Sign("gate", (("서면 먹자골목", "ko", 48),)), chapter=None),
        Scene(6, "menu", Sign("menu", (("완당 8,000원", "ko", 34), ("김밥 4,000원", "ko", 30)))),
        Scene(6, "menu", Sign("menu", (("태백관", "ko", 56), ("짜장면 7,000원", "ko", 28)))),
        Scene(
            6, "menu", Sign("menu", (("삼다진족 서면점", "ko", 40), ("족발 35,000원", "ko", 28)))
        ),
        Scene(6, "night", Sign("gate", (("고래사냥", "ko", 56), ("생맥주", "ko", 30)))),
    ),
    tracks=(),
    speech=_rows(
        (0.5, 3.0, "오늘은 서면 먹자골목에서 혼밥 해볼게요."),
        (6.3, 9.0, "18번완당에서 완당이랑 김밥 먹었어요."),
        (9.2, 11.8, "바로 앞 함흥면옥은 줄이 너무 길어서 못 갔어요."),
        (12.3, 15.0, "중국집 하나 찾았는데 짜장면이 칠천 원이에요."),
        (18.3, 21.0, "족발은 삼다진족 서면점에서 포장했어요."),
        (24.3, 27.0, "마지막은 고래사냥에서 생맥주 한 잔."),
    ),
    places=(),
    venues=(
        GoldVenue(
            "18번완당",
            "부산진구",
            "부전1동",
            ("speech",),
            6.0,
            how="speech only; ×2 (the other in 해운대구)",
        ),
        GoldVenue(
            "함흥면옥",
            "부산진구",
            "부전1동",
            ("speech",),
            9.0,
            how="speech only; ×3 (초읍동, Seoul 광진구)",
        ),
        GoldVenue("태백관", "부산진구", "부전1동", ("ocr",), 12.0, how="sign only"),
        GoldVenue(
            "삼다진족",
            "부산진구",
            "부전1동",
            ("speech", "ocr"),
            18.0,
            branch="서면점",
            how="branch",
        ),
        GoldVenue(
            "고래사냥",
            "부산진구",
            "부전1동",
            ("speech", "ocr"),
            24.0,
            how="a bar; ×2 (the other in 금정구)",
        ),
    ),
    thumbnail_text=("서면 혼밥", "Seomyeon solo eats"),
    held_out=True,
    **CHANNEL,
)

# Held out too: written after the first tuning round, before looking at any result for it.
GWANGALLI = Vlog(
    video_id="pindGwangan",
    title="광안리 바다 보면서 먹방 🌊 칼국수, 김밥, 파스타까지",
    description=(
        "광안역에서 내려서 광안리 해변까지 걸으면서 먹은 것들!\n\n"
        "상호: 셀렉토커피\n"
        "📍 부산 수영구 광안해변로 155 (바다 보이는 카페)\n\n"
        "00:00 광안역\n"
        "00:06 칼국수\n"
        "00:12 김밥 포장\n"
        "00:18 파스타\n\n"
        "#광안리 #광안리맛집 #부산여행"
    ),
    tags=("광안리", "부산여행", "광안리맛집"),
    language="ko",
    uploaded=datetime(2025, 12, 2, 9, 0, tzinfo=UTC),
    view_count=6120,
    like_count=310,
    location=None,
    scenes=(
        Scene(
            6,
            "station",
            Sign(
                "station",
                (("광안역", "ko", 60), ("Gwangan Station", "en", 28)),
                badge=("2", (0, 168, 77)),
            ),
            subtitle=("광안역 5번 출구", "ko"),
            chapter="광안역",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("해물칼국수 9,000원", "ko", 32), ("바지락칼국수 8,000원", "ko", 30))),
            subtitle=("면이 엄청 길어요", "ko"),
            chapter="칼국수",
        ),
        Scene(
            6,
            "menu",
            Sign("menu", (("고봉김밥", "ko", 56), ("김밥 3,500원", "ko", 28))),
            subtitle=("김밥 포장", "ko"),
            chapter="김밥 포장",
        ),
        Scene(
            6,
            "beach",
            Sign("beach", (("오늘의 파스타", "ko", 40), ("PASTA", "en", 28))),
            subtitle=("바다 보면서 파스타", "ko"),
            chapter="파스타",
        ),
    ),
    tracks=(
        Track(
            "ko",
            "manual",
            _rows(
                (0.5, 3.0, "광안역에서 내려서 바다 쪽으로 걸어갑니다."),
                (3.2, 5.8, "점심은 밀양돼지국밥 먹을까 하다가 칼국수로 정했어요."),
                (6.3, 9.0, "31CM해물칼국수에서 해물칼국수 먹었어요."),
                (9.2, 11.8, "백석도 맛있다고 하던데 다음에 가볼게요."),
                (12.3, 15.0, "김밥은 포장해서 바다에서 먹을 거예요."),
                (18.3, 21.0, "여기가 파스타보이즈인데요, 바다가 바로 보여요."),
                (21.2, 23.8, "마지막은 셀렉토커피에서 커피 한 잔!"),
            ),
        ),
    ),
    places=(
        GoldPlace(
            "광안역",
            PlaceCategory.STATION,
            ("caption", "ocr", "description"),
            0.0,
            detail="부산도시철도 2호선",
        ),
    ),
    venues=(
        GoldVenue(
            "31CM해물칼국수",
            "수영구",
            "광안2동",
            ("caption",),
            6.0,
            how="×4 in Busan (two in 해운대구): the walk says which",
        ),
        GoldVenue("고봉김밥", "수영구", "광안2동", ("ocr",), 12.0, how="sign only; ×5"),
        GoldVenue(
            "파스타보이즈",
            "수영구",
            "광안2동",
            ("caption",),
            18.0,
            how="speech '여기가 ○○인데요'; ×3",
        ),
        GoldVenue(
            "셀렉토커피부산",
            "수영구",
            "광안2동",
            ("caption", "description"),
            21.0,
            how="said '셀렉토커피'; the data's name is 셀렉토커피부산",
        ),
        GoldVenue(
            "빈스빈스커피",
            "수영구",
            "광안2동",
            ("description",),
            None,
            how="only its address (광안해변로 155)",
        ),
    ),
    not_visits=(
        NotAVisit("밀양돼지국밥", "a dish named after 밀양, not eaten"),
        NotAVisit("백석", "two 백석 in 광안2동: ambiguous", ambiguous=True),
    ),
    thumbnail_text=("광안리 먹방", "Gwangalli eats"),
    held_out=True,
    **CHANNEL,
)

FOOD_VLOGS = (
    BUSAN_NAMPO,
    SEOUL_CAFES,
    GUNDAE_MARKET,
    ENGLISH_VISITOR,
    SEOMYEON_NARRATED,
    GWANGALLI,
    *UNSEEN_FOOD_VLOGS,
)
