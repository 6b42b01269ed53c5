"""Strict YouTube link parsing: every accepted shape, every rejection's message."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pind_gateway.domain.video_url import (
    InvalidVideoUrl,
    canonical_url,
    moment_url,
    parse_video_id,
    parse_video_url,
)

ID_ALPHABET = string.ascii_letters + string.digits + "_-"
video_ids = st.text(alphabet=ID_ALPHABET, min_size=11, max_size=11)

ID = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.youtube.com/watch?v={ID}",
        f"http://www.youtube.com/watch?v={ID}",
        f"https://youtube.com/watch?v={ID}",
        f"https://m.youtube.com/watch?v={ID}",
        f"https://music.youtube.com/watch?v={ID}&list=RDAMVM{ID}",
        f"https://www.youtube.com/watch?v={ID}&t=42s",
        f"https://www.youtube.com/watch?feature=share&v={ID}&si=abc",
        f"https://WWW.YouTube.com/watch?v={ID}",
        f"https://youtu.be/{ID}",
        f"https://youtu.be/{ID}?si=xyz&t=10",
        f"youtu.be/{ID}",
        f"www.youtube.com/watch?v={ID}",
        f"https://www.youtube.com/shorts/{ID}",
        f"https://youtube.com/shorts/{ID}?feature=share",
        f"https://www.youtube.com/embed/{ID}?start=30",
        f"https://www.youtube.com/live/{ID}?si=q",
        f"https://m.youtube.com/shorts/{ID}/",
        f"  https://youtu.be/{ID}  ",
        f"https://www.youtube.com/watch/?v={ID}",
    ],
)
def test_accepted_shapes_give_the_id(url: str) -> None:
    assert parse_video_url(url) == ID


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"https://example.com/watch?v={ID}", "not a YouTube host: example.com"),
        (f"https://youtube.com.evil.net/watch?v={ID}", "not a YouTube host: youtube.com.evil.net"),
        (f"https://notyoutube.com/watch?v={ID}", "not a YouTube host: notyoutube.com"),
        ("https://www.youtube.com/watch", "missing video id"),
        ("https://www.youtube.com/watch?v=", "missing video id"),
        ("https://www.youtube.com/watch?list=PL123", "missing video id"),
        ("https://youtu.be/", "missing video id"),
        ("https://www.youtube.com/shorts/", "missing video id"),
        ("https://www.youtube.com/", "missing video id"),
        (
            "https://www.youtube.com/watch?v=short",
            "video id must be 11 characters of A-Z a-z 0-9 _ -",
        ),
        (f"https://youtu.be/{ID}x", "video id must be 11 characters of A-Z a-z 0-9 _ -"),
        ("https://youtu.be/dQw4w9WgX!Q", "video id must be 11 characters of A-Z a-z 0-9 _ -"),
        ("https://www.youtube.com/channel/UC123", "not a video page"),
        ("https://www.youtube.com/@someone", "not a video page"),
        (f"ftp://youtube.com/watch?v={ID}", "unsupported scheme 'ftp'"),
        (f"javascript://youtube.com/watch?v={ID}", "unsupported scheme 'javascript'"),
        ("", "the URL is empty"),
        ("   ", "the URL is empty"),
        (f"https://youtu.be/{ID} https://youtu.be/{ID}", "the URL contains spaces"),
        ("https://" + "a" * 3000, "longer than 2048"),
        (f"https://youtu.be/{ID}/extra", "unexpected path"),
        (f"https://www.youtube.com:99999/watch?v={ID}", "not a valid URL"),
    ],
)
def test_rejections_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(InvalidVideoUrl) as caught:
        parse_video_url(url)
    assert message in str(caught.value)


def test_rejection_names_the_bad_id() -> None:
    with pytest.raises(InvalidVideoUrl, match=r"got 'abc'"):
        parse_video_url("https://youtu.be/abc")


@given(
    video_id=video_ids,
    scheme=st.sampled_from(["http://", "https://", ""]),
    host=st.sampled_from(["www.youtube.com", "youtube.com", "m.youtube.com", "music.youtube.com"]),
    shape=st.sampled_from(["watch", "shorts", "embed", "live"]),
    extra=st.lists(
        st.tuples(
            st.sampled_from(["t", "si", "list", "feature", "index", "pp"]),
            st.text(alphabet=ID_ALPHABET, max_size=12),
        ),
        max_size=4,
    ),
)
def test_any_youtube_shape_parses_to_its_id(
    video_id: str, scheme: str, host: str, shape: str, extra: list[tuple[str, str]]
) -> None:
    params = "&".join(f"{k}={v}" for k, v in extra)
    if shape == "watch":
        url = f"{scheme}{host}/watch?v={video_id}" + (f"&{params}" if params else "")
    else:
        url = f"{scheme}{host}/{shape}/{video_id}" + (f"?{params}" if params else "")
    assert parse_video_url(url) == video_id


@given(video_id=video_ids, query=st.text(alphabet=ID_ALPHABET + "=&", max_size=30))
def test_short_links_parse_to_their_id(video_id: str, query: str) -> None:
    assert parse_video_url(f"https://youtu.be/{video_id}?{query}") == video_id


@given(video_id=video_ids)
def test_canonical_url_round_trips(video_id: str) -> None:
    canonical = canonical_url(parse_video_id(video_id))
    assert canonical == f"https://www.youtube.com/watch?v={video_id}"
    assert parse_video_url(canonical) == video_id


@given(text=st.text(max_size=200))
def test_arbitrary_text_either_parses_or_says_why(text: str) -> None:
    try:
        video_id = parse_video_url(text)
    except InvalidVideoUrl as exc:
        assert str(exc)
    else:
        assert parse_video_id(video_id) == video_id


@given(bad=st.text(alphabet=ID_ALPHABET, max_size=30).filter(lambda s: len(s) != 11 and s))
def test_ids_of_the_wrong_length_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidVideoUrl, match="video id must be 11 characters"):
        parse_video_url(f"https://www.youtube.com/watch?v={bad}")


@given(host=st.from_regex(r"[a-z][a-z0-9-]{0,20}\.(com|net|kr|org)", fullmatch=True))
def test_other_hosts_are_named_in_the_error(host: str) -> None:
    assume(host not in {"youtube.com"})
    with pytest.raises(InvalidVideoUrl, match=f"not a YouTube host: {host}"):
        parse_video_url(f"https://{host}/watch?v={ID}")


def test_moment_url_links_to_whole_seconds() -> None:
    assert moment_url(ID, 83.7) == f"https://www.youtube.com/watch?v={ID}&t=83s"
    assert moment_url(ID, None) == f"https://www.youtube.com/watch?v={ID}"
