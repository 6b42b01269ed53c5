"""What the sample vlogs show and say, what their gold answers are, and the error fixtures.

Plain data, read by make_vlogs.py (which renders and writes everything).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from pind_fakes.gazetteer import PlaceCategory

WIDTH, HEIGHT, FPS = 640, 360, 25
SAMPLE_RATE = 44_100

# yt-dlp appends this to every YouTube error that mentions signing in
# (YoutubeBaseInfoExtractor._youtube_login_hint); a test checks it still matches.
YTDLP_LOGIN_HINT = (
    "Use --cookies-from-browser or --cookies for the authentication. "
    "See  https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  "
    "for how to manually pass cookies. Also see  "
    "https://github.com/yt-dlp/yt-dlp/wiki/Extractors#exporting-youtube-cookies  "
    "for tips on effectively exporting YouTube cookies"
)


@dataclass(frozen=True)
class Sign:
    """A board in the scene. lines: (text, lang, size in px)."""

    style: str  # gate | station | menu | park | beach | tower
    lines: tuple[tuple[str, str, int], ...]
    badge: tuple[str, tuple[int, int, int]] | None = None  # subway line number + colour


@dataclass(frozen=True)
class Scene:
    duration: float
    backdrop: str  # station | market | menu | park | beach | night
    sign: Sign
    subtitle: tuple[str, str] | None = None  # burned-in (text, lang)
    chapter: str | None = None
    chord: tuple[float, ...] = (220.0, 277.2, 329.6)


@dataclass(frozen=True)
class Segment:
    start: float
    dur: float
    text: str


@dataclass(frozen=True)
class Track:
    lang: str
    kind: str  # manual | asr
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class GoldPlace:
    name: str
    category: PlaceCategory
    evidence: tuple[str, ...]  # caption | ocr | title | description
    first_seen_s: float | None
    aliases: tuple[str, ...] = ()
    detail: str | None = None  # pick the gazetteer row (e.g. the subway line)
    name_en: str | None = None  # else the gazetteer's English name


@dataclass(frozen=True)
class GoldVenue:
    """A restaurant, cafe or bar the vlog visits: one row of the venue index
    (data/poi/kr), picked by name, branch, district and 행정동 (and the road
    address where the 행정동 holds several of the name)."""

    name: str
    sigungu: str
    dong: str
    evidence: tuple[str, ...]  # speech | caption | ocr | title | description | chapter | hashtag
    first_seen_s: float | None
    branch: str = ""
    road: str | None = None
    aliases: tuple[str, ...] = ()
    how: str = ""  # what the case tests: same name ×9, branch, sign only, address only…


@dataclass(frozen=True)
class NotAVisit:
    """A name the vlog says that must not become a place: a dish named after a
    city (춘천닭갈비 eaten in Seoul), a chain without its branch, a foreign
    place; ``ambiguous`` names (several venues of the name in the same
    neighbourhood) should be reported as ambiguous instead."""

    text: str
    why: str
    ambiguous: bool = False


@dataclass(frozen=True)
class Vlog:
    video_id: str
    title: str
    description: str
    tags: tuple[str, ...]
    language: str
    uploaded: datetime
    view_count: int
    like_count: int
    location: str | None
    scenes: tuple[Scene, ...]
    tracks: tuple[Track, ...]
    places: tuple[GoldPlace, ...]
    thumbnail_text: tuple[str, str]  # (big Korean line, English line)
    not_resolvable: tuple[str, ...] = ()
    channel: str = "산책하는 먹보 Strolling Foodie"
    channel_id: str = "UCpindStrollingFoodie01"
    channel_handle: str = "@strollingfoodie-pind"
    extra: dict[str, object] = field(default_factory=dict)
    venues: tuple[GoldVenue, ...] = ()
    not_visits: tuple[NotAVisit, ...] = ()
    speech: tuple[Segment, ...] = ()
    """What is said, when the vlog has no captions (eval's stand-in for speech-to-text)."""
    held_out: bool = False
    """Written before tuning and kept out of it: make eval reports it apart."""
    held_out_round: int = 1
    """Which held-out group (2: written later, before its figures were seen)."""

    @property
    def duration(self) -> float:
        return sum(scene.duration for scene in self.scenes)


def _segments(*rows: tuple[float, float, str]) -> tuple[Segment, ...]:
    return tuple(Segment(start, round(end - start, 3), text) for start, end, text in rows)


SEOUL = Vlog(
    video_id="pindSeoul01",
    title="서울 전통시장 먹방 투어 🍜 광장시장 빈대떡부터 통인시장 엽전도시락까지",
    description=(
        "광장시장에서 빈대떡과 마약김밥 먹고, 통인시장에서 엽전도시락까지! "
        "서울역에서 출발하는 전통시장 먹방 투어예요.\n\n"
        "📍 장소\n"
        "- 광장시장: 서울 종로구 창경궁로 88\n"
        "- 통인시장: 서울 종로구 자하문로15길 18\n"
        "- 남산 N서울타워\n\n"
        "00:00 서울역 출발\n"
        "00:07 광장시장\n"
        "00:22 통인시장 엽전도시락\n"
        "00:31 남산 N서울타워\n\n"
        "#서울여행 #광장시장 #통인시장 #먹방 #Seoul"
    ),
    tags=("서울여행", "광장시장", "통인시장", "빈대떡", "먹방", "Seoul", "Korea travel"),
    language="ko",
    uploaded=datetime(2025, 10, 3, 9, 0, tzinfo=UTC),
    view_count=48213,
    like_count=1532,
    location=None,
    scenes=(
        Scene(
            7,
            "station",
            Sign(
                "station",
                (("서울역", "ko", 64), ("Seoul Station", "en", 30)),
                badge=("1", (0, 82, 164)),
            ),
            subtitle=("오늘의 출발지는 서울역!", "ko"),
            chapter="서울역 출발",
            chord=(196.0, 246.9, 293.7),
        ),
        Scene(
            8,
            "market",
            Sign("gate", (("광장시장", "ko", 68), ("Gwangjang Market", "en", 30))),
            subtitle=("광장시장 도착!", "ko"),
            chapter="광장시장",
            chord=(220.0, 277.2, 329.6),
        ),
        Scene(
            7,
            "menu",
            Sign(
                "menu",
                (
                    ("메뉴 MENU", "ko", 30),
                    ("빈대떡 5,000원", "ko", 34),
                    ("마약김밥 4,000원", "ko", 34),
                    ("Mung Bean Pancake", "en", 26),
                ),
            ),
            subtitle=("빈대떡 하나 주세요", "ko"),
            chord=(246.9, 311.1, 370.0),
        ),
        Scene(
            9,
            "market",
            Sign(
                "gate",
                (
                    ("통인시장", "ko", 68),
                    ("Tongin Market", "en", 30),
                    ("엽전도시락 Coin Lunchbox", "ko", 22),
                ),
            ),
            subtitle=("통인시장 엽전 도시락", "ko"),
            chapter="통인시장 엽전도시락",
            chord=(174.6, 220.0, 261.6),
        ),
        Scene(
            9,
            "night",
            Sign("tower", (("N서울타워", "ko", 60), ("N Seoul Tower", "en", 30))),
            subtitle=("마무리는 남산타워 야경", "ko"),
            chapter="남산 N서울타워",
            chord=(164.8, 207.7, 246.9),
        ),
    ),
    tracks=(
        Track(
            "ko",
            "manual",
            _segments(
                (0.5, 3.5, "안녕하세요 여러분! 오늘은 서울역에서 시작합니다."),
                (3.8, 6.8, "지하철 타고 종로 쪽으로 가볼게요."),
                (7.5, 10.5, "여기가 바로 광장시장이에요."),
                (10.8, 14.5, "백 년 넘은 시장이라 사람이 정말 많네요."),
                (15.3, 18.5, "빈대떡이랑 마약김밥을 주문했어요."),
                (18.8, 21.8, "빈대떡이 바삭바삭하고 진짜 맛있어요."),
                (22.5, 26.0, "이번에는 경복궁 근처 통인시장에 왔어요."),
                (26.3, 30.5, "엽전으로 반찬을 사서 도시락을 만드는 곳이에요."),
                (31.5, 35.0, "마지막은 남산타워에서 야경 보면서 마무리할게요."),
                (35.3, 39.0, "구독과 좋아요 부탁드려요!"),
            ),
        ),
        Track(
            "ko",
            "asr",
            _segments(
                (0.4, 2.2, "안녕하세요 여러분"),
                (2.2, 3.6, "오늘은 서울역에서 시작합니다"),
                (3.9, 6.8, "지하철 타고 종로 쪽으로 가 볼게요"),
                (7.4, 10.4, "여기가 바로 광장 시장이에요"),
                (10.9, 14.4, "백 년 넘은 시장이라 사람이 정말 많네요"),
                (15.2, 18.4, "빈대떡이랑 마약 김밥을 주문했어요"),
                (18.9, 21.7, "빈대떡이 바삭바삭하고 진짜 맛있어요"),
                (22.4, 25.9, "이번에는 경복궁 근처 통인 시장에 왔어요"),
                (26.4, 30.4, "엽전으로 반찬을 사서 도시락을 만드는 곳이에요"),
                (31.4, 34.9, "마지막은 남산 타워에서 야경 보면서 마무리 할게요"),
                (35.4, 38.8, "구독과 좋아요 부탁드려요"),
            ),
        ),
    ),
    places=(
        GoldPlace(
            "서울역",
            PlaceCategory.STATION,
            ("caption", "ocr", "description"),
            0.0,
            aliases=("Seoul Station", "서울역 1호선"),
            detail="서울 도시철도 1호선",
        ),
        GoldPlace(
            "광장시장",
            PlaceCategory.MARKET,
            ("caption", "ocr", "title", "description"),
            7.0,
            aliases=("Gwangjang Market", "광장 시장"),
        ),
        GoldPlace(
            "통인시장",
            PlaceCategory.MARKET,
            ("caption", "ocr", "title", "description"),
            22.0,
            aliases=("Tongin Market", "통인 시장"),
        ),
        GoldPlace(
            "남산&N서울타워",
            PlaceCategory.ATTRACTION,
            ("caption", "ocr", "description"),
            31.0,
            aliases=("N서울타워", "남산타워", "N Seoul Tower", "남산 N서울타워"),
            name_en="N Seoul Tower",
        ),
    ),
    thumbnail_text=("광장시장 빈대떡", "Gwangjang Market"),
    not_resolvable=("경복궁", "종로"),
)

HONGDAE = Vlog(
    video_id="pindHongdae",
    title="Seoul Food Crawl: Hongdae to Mangwon Market | Korea travel vlog",
    description=(
        "Street food crawl from Hongdae (홍대) to Mangwon Market (망원시장), then a slow "
        "walk in Hyochang Park (효창공원).\n\n"
        "00:00 Hongik Univ. Station\n"
        "00:08 Mangwon Market\n"
        "00:16 Croquettes & dakgangjeong\n"
        "00:24 Hyochang Park\n\n"
        "#seoul #koreatravel #mangwonmarket #hongdae #streetfood"
    ),
    tags=("seoul", "korea travel", "mangwon market", "hongdae", "street food", "망원시장"),
    language="en",
    uploaded=datetime(2025, 9, 14, 11, 0, tzinfo=UTC),
    view_count=12877,
    like_count=644,
    location="Seoul, South Korea",
    scenes=(
        Scene(
            8,
            "station",
            Sign(
                "station",
                (
                    ("홍대입구역", "ko", 58),
                    ("Hongik Univ. Station", "en", 28),
                    ("9번 출구 Exit 9", "ko", 24),
                ),
                badge=("2", (0, 168, 77)),
            ),
            subtitle=("Hongdae, exit 9!", "en"),
            chapter="Hongik Univ. Station",
            chord=(261.6, 329.6, 392.0),
        ),
        Scene(
            8,
            "market",
            Sign("gate", (("망원시장", "ko", 68), ("Mangwon Market", "en", 30))),
            subtitle=("Mangwon Market, so local", "en"),
            chapter="Mangwon Market",
            chord=(293.7, 370.0, 440.0),
        ),
        Scene(
            8,
            "menu",
            Sign(
                "menu",
                (
                    ("오늘의 메뉴", "ko", 30),
                    ("고로케 Croquette 1,000원", "ko", 30),
                    ("닭강정 Dakgangjeong 7,000원", "ko", 30),
                ),
            ),
            subtitle=("Croquettes for 1,000 won!", "en"),
            chapter="Croquettes & dakgangjeong",
            chord=(246.9, 311.1, 370.0),
        ),
        Scene(
            12,
            "park",
            Sign("park", (("효창공원", "ko", 64), ("Hyochang Park", "en", 30))),
            subtitle=("Walking it off at Hyochang Park", "en"),
            chapter="Hyochang Park",
            chord=(196.0, 246.9, 293.7),
        ),
    ),
    tracks=(
        Track(
            "en",
            "manual",
            _segments(
                (0.5, 3.8, "Hey guys, we just got off at Hongik University station."),
                (4.0, 7.5, "Hongdae is the best area for street food and cafes."),
                (8.5, 12.0, "This is Mangwon Market, where the locals shop."),
                (12.3, 15.8, "It's way less crowded than the markets downtown."),
                (16.5, 20.0, "First stop: croquettes, only one thousand won each."),
                (20.3, 23.5, "And the sweet and spicy fried chicken, dakgangjeong."),
                (24.5, 28.5, "After all that food we took the bus to Hyochang Park."),
                (28.8, 32.5, "It's a quiet park in Yongsan, perfect for a walk."),
                (32.8, 35.5, "Thanks for watching, see you next time!"),
            ),
        ),
    ),
    places=(
        GoldPlace(
            "홍대입구역",
            PlaceCategory.STATION,
            ("caption", "ocr", "title", "description"),
            0.0,
            aliases=(
                "홍대입구",
                "홍대",
                "Hongdae",
                "Hongik Univ. Station",
                "Hongik University station",
            ),
            detail="서울 도시철도 2호선",
        ),
        GoldPlace(
            "망원시장",
            PlaceCategory.MARKET,
            ("caption", "ocr", "title", "description"),
            8.0,
            aliases=("Mangwon Market",),
        ),
        GoldPlace(
            "효창공원",
            PlaceCategory.PARK,
            ("caption", "ocr", "description"),
            24.0,
            aliases=("Hyochang Park",),
        ),
    ),
    thumbnail_text=("망원시장", "Mangwon Market food crawl"),
    not_resolvable=("Yongsan",),
)

BUSAN = Vlog(
    video_id="pindBusan03",
    title="부산 남포동 시장 한 바퀴 🐟 자갈치시장 국제시장 부평깡통시장 그리고 해운대",
    description=(
        "부산 여행 1일차! 남포동 자갈치시장에서 꼼장어 먹고 국제시장, 부평깡통시장 "
        "야시장까지 걸어서 한 바퀴. 마지막은 해운대해수욕장 🌊\n\n"
        "00:00 자갈치시장\n"
        "00:17 국제시장\n"
        "00:26 부평깡통시장 야시장\n"
        "00:35 해운대해수욕장\n\n"
        "#부산여행 #자갈치시장 #국제시장 #깡통시장 #해운대"
    ),
    tags=("부산여행", "자갈치시장", "국제시장", "부평깡통시장", "해운대", "Busan"),
    language="ko",
    uploaded=datetime(2025, 8, 22, 10, 0, tzinfo=UTC),
    view_count=90321,
    like_count=2210,
    location="부산광역시",
    scenes=(
        Scene(
            9,
            "market",
            Sign("gate", (("자갈치시장", "ko", 64), ("Jagalchi Market", "en", 30))),
            subtitle=("부산 오면 자갈치시장은 필수", "ko"),
            chapter="자갈치시장",
            chord=(220.0, 261.6, 329.6),
        ),
        Scene(
            8,
            "menu",
            Sign(
                "menu",
                (
                    ("활어회 30,000원", "ko", 34),
                    ("꼼장어구이 15,000원", "ko", 34),
                    ("Grilled Hagfish", "en", 26),
                ),
            ),
            subtitle=("꼼장어 구이 한 접시", "ko"),
            chord=(246.9, 293.7, 370.0),
        ),
        Scene(
            9,
            "market",
            Sign("gate", (("국제시장", "ko", 68), ("Gukje Market", "en", 30))),
            subtitle=("영화에 나온 국제시장 꽃분이네", "ko"),
            chapter="국제시장",
            chord=(196.0, 246.9, 293.7),
        ),
        Scene(
            9,
            "market",
            Sign(
                "gate",
                (
                    ("부평깡통시장", "ko", 60),
                    ("Bupyeong Kkangtong Market", "en", 26),
                    ("야시장 Night Market", "ko", 22),
                ),
            ),
            subtitle=("깡통시장 야시장 어묵", "ko"),
            chapter="부평깡통시장 야시장",
            chord=(174.6, 220.0, 261.6),
        ),
        Scene(
            9,
            "beach",
            Sign("beach", (("해운대해수욕장", "ko", 54), ("Haeundae Beach", "en", 30))),
            subtitle=("마지막은 해운대 바다!", "ko"),
            chapter="해운대해수욕장",
            chord=(261.6, 329.6, 392.0),
        ),
    ),
    tracks=(),
    places=(
        GoldPlace(  # the neighbourhood the title and description are about
            "남포동",
            PlaceCategory.ADMIN_AREA,
            ("title", "description"),
            None,  # named, never shown or said
            aliases=("Nampo-dong",),
        ),
        GoldPlace(
            "자갈치시장",
            PlaceCategory.MARKET,
            ("ocr", "title", "description"),
            0.0,
            aliases=("Jagalchi Market", "자갈치"),
        ),
        GoldPlace(
            "국제시장",
            PlaceCategory.MARKET,
            ("ocr", "title", "description"),
            17.0,
            aliases=("Gukje Market",),
        ),
        GoldPlace(
            "부평깡통시장",
            PlaceCategory.MARKET,
            ("ocr", "title", "description"),
            26.0,
            aliases=("깡통시장", "Bupyeong Kkangtong Market"),
        ),
        GoldPlace(
            "해운대해수욕장",
            PlaceCategory.ATTRACTION,
            ("ocr", "title", "description"),
            35.0,
            aliases=("해운대", "Haeundae Beach"),
        ),
    ),
    thumbnail_text=("자갈치시장", "Jagalchi Market"),
    not_resolvable=("꽃분이네",),
)

VLOGS = (SEOUL, HONGDAE, BUSAN)


@dataclass(frozen=True)
class ErrorScenario:
    """A video id the fake YouTube answers with an error (no media of its own).

    recorded_error: the message yt-dlp's YouTube extractor raises for the case.
    playability: what the innertube player API answers (youtube-transcript-api).
    like: a sample whose info and media the fake serves (for partial failures).
    transcript: how caption requests fail: recaptcha | http_429 | po_token.
    """

    video_id: str
    kind: str
    description: str
    recorded_error: str | None = None
    playability: dict[str, object] | None = None
    like: str | None = None
    overrides: dict[str, object] | None = None
    transcript: str | None = None


SCENARIOS = (
    ErrorScenario(
        "pindPrivat1",
        "private",
        "A private video.",
        recorded_error=(
            "Private video. Sign in if you've been granted access to this video. "
            + YTDLP_LOGIN_HINT
        ),
        playability={"status": "LOGIN_REQUIRED", "reason": "This video is private"},
    ),
    ErrorScenario(
        "pindRemove1",
        "unavailable",
        "Removed by the uploader.",
        recorded_error="Video unavailable. This video has been removed by the uploader",
        playability={"status": "ERROR", "reason": "This video is unavailable"},
    ),
    ErrorScenario(
        "pindAgeGat1",
        "age_restricted",
        "Age-restricted; needs a signed-in adult.",
        recorded_error=(
            "Sign in to confirm your age. This video may be inappropriate for some users. "
            + YTDLP_LOGIN_HINT
        ),
        playability={
            "status": "LOGIN_REQUIRED",
            "reason": "This video may be inappropriate for some users.",
        },
    ),
    ErrorScenario(
        "pindMember1",
        "members_only",
        "For channel members only.",
        recorded_error=(
            "Join this channel to get access to members-only content like this video, "
            "and other exclusive perks."
        ),
        playability={
            "status": "LOGIN_REQUIRED",
            "reason": (
                "Join this channel to get access to members-only content like this video, "
                "and other exclusive perks."
            ),
        },
    ),
    ErrorScenario(
        "pindLiveUp1",
        "upcoming_live",
        "A live stream that has not started (is_upcoming).",
        recorded_error="This live event will begin in 3 hours.",
        playability={
            "status": "LIVE_STREAM_OFFLINE",
            "reason": "This live event will begin in 3 hours.",
        },
    ),
    ErrorScenario(
        "pindBotChk1",
        "bot_check",
        "YouTube asks to sign in to prove this is not a bot.",
        recorded_error="Sign in to confirm you’re not a bot. " + YTDLP_LOGIN_HINT,
        playability={"status": "LOGIN_REQUIRED", "reason": "Sign in to confirm you’re not a bot"},
    ),
    ErrorScenario(
        "pindTooLong",
        "too_long",
        "Plays fine but lasts 5 hours: the pipeline's own length limit must refuse it. "
        "Media are pindSeoul01's.",
        like="pindSeoul01",
        overrides={
            "duration": 18000,
            "title": "서울 시장 5시간 라이브 다시보기 (풀버전)",
            "fulltitle": "서울 시장 5시간 라이브 다시보기 (풀버전)",
            "chapters": None,
        },
    ),
    ErrorScenario(
        "pindIpBlock",
        "ip_blocked",
        "Metadata and media work (pindSeoul01's); the caption API's watch page is a "
        "reCAPTCHA page, so youtube-transcript-api raises IpBlocked.",
        like="pindSeoul01",
        transcript="recaptcha",
    ),
    ErrorScenario(
        "pindTooMany",
        "rate_limited",
        "Like pindSeoul01, but the innertube player call answers HTTP 429 (IpBlocked).",
        like="pindSeoul01",
        transcript="http_429",
    ),
    ErrorScenario(
        "pindPoToken",
        "po_token_required",
        "Like pindSeoul01, but caption URLs carry &exp=xpe (PoTokenRequired on fetch).",
        like="pindSeoul01",
        transcript="po_token",
    ),
)
