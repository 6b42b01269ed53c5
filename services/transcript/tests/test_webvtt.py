from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pind_transcript.domain.webvtt import (
    Cue,
    Segment,
    WebVTTError,
    clean_cue_text,
    fold_cues,
    parse_webvtt,
    webvtt_segments,
)

# A rolling auto-caption excerpt in the shape YouTube serves (timed words,
# the previous line repeated, 10 ms "settle" cues in between).
YOUTUBE_AUTO = """WEBVTT
Kind: captions
Language: ko

00:00:00.160 --> 00:00:02.869 align:start position:0%
\x20
오늘은<00:00:00.640><c> 성수동</c><00:00:01.120><c> 카페</c>

00:00:02.869 --> 00:00:02.879 align:start position:0%
오늘은 성수동 카페
\x20

00:00:02.879 --> 00:00:05.190 align:start position:0%
오늘은 성수동 카페
투어를<00:00:03.360><c> 해볼게요</c>

00:00:05.190 --> 00:00:05.200 align:start position:0%
투어를 해볼게요
\x20

00:00:05.200 --> 00:00:07.500 align:start position:0%
투어를 해볼게요
첫<00:00:05.600><c> 번째는</c><00:00:06.000><c> 광장시장</c>
"""


def test_youtube_rolling_captions_fold_to_each_line_once() -> None:
    segments = webvtt_segments(YOUTUBE_AUTO)

    assert [s.text for s in segments] == [
        "오늘은 성수동 카페",
        "투어를 해볼게요",
        "첫 번째는 광장시장",
    ]
    assert [s.start_ms for s in segments] == [160, 2879, 5200]
    # A line lasts through the 10 ms cue that only repeats it.
    assert segments[0].duration_ms == 2879 - 160
    assert segments[1].duration_ms == 5200 - 2879
    assert segments[2].duration_ms == 7500 - 5200


def test_manual_file_with_identifiers_notes_styles_and_multiline_cues() -> None:
    text = (
        "\ufeffWEBVTT - 서울 브이로그\r\n\r\n"
        "STYLE\r\n::cue { color: yellow }\r\n\r\n"
        "NOTE 이 파일은 테스트용\r\n여러 줄 노트\r\n\r\n"
        "intro\r\n"
        "01:02.500 --> 01:04.000 line:90%\r\n"
        "<v 민지>경복궁에 &amp; 광화문</v>\r\n"
        "<i>가요</i>\r\n\r\n\r\n"
        "2\r\n"
        "1:00:00.000 --> 1:00:01.250\r\n"
        "을지로 &lt;노가리&gt; 골목\r\n"
    )

    cues = parse_webvtt(text)

    assert cues == [
        Cue(62_500, 64_000, ("경복궁에 & 광화문", "가요")),
        Cue(3_600_000, 3_601_250, ("을지로 <노가리> 골목",)),
    ]
    assert fold_cues(cues) == [
        Segment(62_500, 1_500, "경복궁에 & 광화문 가요"),
        Segment(3_600_000, 1_250, "을지로 <노가리> 골목"),
    ]


def test_blocks_without_valid_timing_are_ignored() -> None:
    text = (
        "WEBVTT\n\n"
        "00:01.000 --> garbage\nlost\n\n"
        "00:05.000 --> 00:04.000\nbackwards\n\n"
        "REGION\nid:fred width:40%\n\n"
        "00:06.000 --> 00:07.000\n<c.colorE5E5E5></c>\n\n"
        "00:08.000 --> 00:09.000\nkept\n"
    )

    assert parse_webvtt(text) == [Cue(8_000, 9_000, ("kept",))]


@pytest.mark.parametrize("text", ["", "WEBVTTX\n", "1\n00:00.000 --> 00:01.000\nhi\n", "<tt/>"])
def test_text_without_the_signature_is_rejected(text: str) -> None:
    with pytest.raises(WebVTTError):
        parse_webvtt(text)


def test_clean_cue_text_removes_markup_and_decodes_entities() -> None:
    raw = "<00:00:01.000><c.colorCCCCCC>명동</c>&nbsp;&nbsp;<b>교자</b>&lrm; <ruby>漢<rt>한</rt></ruby>"
    assert clean_cue_text(raw) == "명동 교자 漢한"


def test_identical_manual_cues_merge_into_one_segment() -> None:
    cues = [
        Cue(0, 1_000, ("서울숲",)),
        Cue(1_000, 2_500, ("서울숲",)),
        Cue(3_000, 4_000, ("뚝섬",)),
    ]
    assert fold_cues(cues) == [Segment(0, 2_500, "서울숲"), Segment(3_000, 1_000, "뚝섬")]


# --- properties ------------------------------------------------------------

_words = st.text(
    alphabet=st.sampled_from(list("가나다라마바사아자차카타파하성수동카페ABCxyz0123")),
    min_size=1,
    max_size=12,
)
_line = st.lists(_words, min_size=1, max_size=4).map(" ".join)


def _stamp(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


@st.composite
def _cues(draw: st.DrawFn) -> list[Cue]:
    count = draw(st.integers(min_value=0, max_value=15))
    at = draw(st.integers(min_value=0, max_value=10_000_000))
    cues = []
    for _ in range(count):
        at += draw(st.integers(min_value=0, max_value=5_000))
        length = draw(st.integers(min_value=0, max_value=8_000))
        lines = tuple(draw(st.lists(_line, min_size=1, max_size=3)))
        cues.append(Cue(at, at + length, lines))
        at += length
    return cues


def _render(cues: list[Cue], *, with_ids: bool, with_tags: bool) -> str:
    blocks = ["WEBVTT\nKind: captions"]
    for number, cue in enumerate(cues, 1):
        lines = [f"{_stamp(cue.start_ms)} --> {_stamp(cue.end_ms)} align:start position:0%"]
        if with_ids:
            lines.insert(0, f"cue-{number}")
        for line in cue.lines:
            lines.append(f"<c.colorE5E5E5>{line}</c>" if with_tags else line)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


@given(_cues(), st.booleans(), st.booleans())
def test_rendered_cues_parse_back(cues: list[Cue], with_ids: bool, with_tags: bool) -> None:
    assert parse_webvtt(_render(cues, with_ids=with_ids, with_tags=with_tags)) == cues


@given(st.lists(_line, min_size=1, max_size=20, unique=True), st.integers(0, 3_600_000))
def test_rolling_captions_yield_every_spoken_line_once_in_order(
    spoken: list[str], start_ms: int
) -> None:
    # YouTube's pattern: [previous, new] for 2 s, then [new] alone for 10 ms.
    cues: list[Cue] = []
    at = start_ms
    previous: str | None = None
    for line in spoken:
        cues.append(Cue(at, at + 2_000, (previous, line) if previous else (line,)))
        cues.append(Cue(at + 2_000, at + 2_010, (line,)))
        previous, at = line, at + 2_010

    segments = webvtt_segments(_render(cues, with_ids=False, with_tags=True))

    assert [s.text for s in segments] == spoken
    assert [s.start_ms for s in segments] == [start_ms + 2_010 * i for i in range(len(spoken))]
    assert all(s.duration_ms == 2_010 for s in segments)


@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes_the_parser(text: str) -> None:
    cues = parse_webvtt("WEBVTT\n\n" + text)
    for cue in cues:
        assert cue.end_ms >= cue.start_ms
        assert all(line and line == line.strip() for line in cue.lines)


def test_a_timing_line_inside_a_block_starts_the_next_cue() -> None:
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n망원시장\n   \n00:02.000 --> 00:03.000\n한강공원\n"
    assert parse_webvtt(text) == [
        Cue(1_000, 2_000, ("망원시장",)),
        Cue(2_000, 3_000, ("한강공원",)),
    ]
