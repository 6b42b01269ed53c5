from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pind_transcript.domain.choice import AvailableTrack, TrackChoice, base_language, choose_track

KO_EN = ("ko", "en")
ALL = frozenset({"ko", "en", "ja", "fr"})


def manual(lang: str, translations: frozenset[str] = frozenset()) -> AvailableTrack:
    return AvailableTrack(lang, "manual", translations)


def generated(lang: str, translations: frozenset[str] = frozenset()) -> AvailableTrack:
    return AvailableTrack(lang, "generated", translations)


def test_no_tracks_no_choice() -> None:
    assert choose_track([], KO_EN) is None


def test_manual_beats_generated_in_any_preferred_language() -> None:
    tracks = [generated("ko"), manual("en")]
    assert choose_track(tracks, KO_EN) == TrackChoice(manual("en"))


def test_earlier_language_wins_within_a_kind() -> None:
    tracks = [manual("en"), manual("ko"), generated("ko")]
    assert choose_track(tracks, KO_EN) == TrackChoice(manual("ko"))
    assert choose_track(tracks, ("en", "ko")) == TrackChoice(manual("en"))


def test_generated_in_preferred_language_beats_translation() -> None:
    tracks = [manual("ja", ALL), generated("en")]
    assert choose_track(tracks, KO_EN) == TrackChoice(generated("en"))


def test_regional_variant_counts_as_the_language_but_exact_code_wins() -> None:
    assert choose_track([manual("en-US")], KO_EN) == TrackChoice(manual("en-US"))
    tracks = [manual("en-GB"), manual("en")]
    assert choose_track(tracks, ("en",)) == TrackChoice(manual("en"))


def test_only_another_language_is_translated_into_the_first_preferred() -> None:
    choice = choose_track([generated("ja", ALL)], KO_EN)
    assert choice == TrackChoice(generated("ja", ALL), translate_to="ko")
    assert choice is not None and choice.language == "ko"


def test_translation_falls_to_the_next_preferred_language_it_offers() -> None:
    track = manual("ja", frozenset({"en", "fr"}))
    assert choose_track([track], KO_EN) == TrackChoice(track, translate_to="en")


def test_untranslatable_other_language_is_read_as_it_is() -> None:
    choice = choose_track([generated("ja"), generated("fr")], KO_EN)
    assert choice == TrackChoice(generated("ja"))
    assert choice is not None and choice.language == "ja"


def test_translatable_track_is_preferred_over_untranslatable_manual_one() -> None:
    tracks = [manual("fr"), manual("ja", ALL)]
    assert choose_track(tracks, KO_EN) == TrackChoice(manual("ja", ALL), translate_to="ko")


def test_base_language() -> None:
    assert [base_language(c) for c in ("ko", "en-US", "zh_Hant", "PT-br")] == [
        "ko",
        "en",
        "zh",
        "pt",
    ]


_langs = st.sampled_from(["ko", "en", "en-US", "ja", "fr", "zh-Hans"])
_tracks = st.lists(
    st.builds(
        AvailableTrack,
        lang=_langs,
        kind=st.sampled_from(["manual", "generated"]),
        translation_languages=st.frozensets(_langs, max_size=3),
    ),
    max_size=6,
)


@given(_tracks, st.lists(_langs, min_size=1, max_size=3, unique=True))
def test_choice_is_one_of_the_tracks_and_never_skips_a_manual_match(
    tracks: list[AvailableTrack], preferred: list[str]
) -> None:
    choice = choose_track(tracks, preferred)
    if not tracks:
        assert choice is None
        return
    assert choice is not None and choice.track in tracks
    wanted = {base_language(code) for code in preferred}
    manual_match = any(t.kind == "manual" and base_language(t.lang) in wanted for t in tracks)
    if manual_match:
        assert choice.track.kind == "manual" and choice.translate_to is None
    if choice.translate_to is not None:
        assert choice.translate_to in choice.track.translation_languages
        assert not any(base_language(t.lang) in wanted for t in tracks)
