"""The chain of transcript steps, with stand-ins for our own step port."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from pind_contracts import AnalysisOptions, TranscriptSegment, VideoIngested, VideoMetadata
from pind_transcript.domain.transcript import StepContext, Transcript, YoutubeRefused, segments_from
from pind_transcript.service import (
    NO_CAPTIONS_REASON,
    NO_TRANSCRIPT_REASON,
    TranscriptService,
    preferred_languages,
)

VIDEO = VideoIngested(
    job_id=uuid.uuid4(),
    video_id="pindSeoul01",
    metadata=VideoMetadata(title="t", webpage_url="https://www.youtube.com/watch?v=pindSeoul01"),
)
TEXT = Transcript("ko", "manual", (TranscriptSegment(start_s=1, duration_s=2, text="광장시장"),))


@dataclass
class Step:
    name: str
    outcome: Transcript | Exception | None
    is_speech: bool = False
    calls: list[Sequence[str]] = field(default_factory=list)
    contexts: list[StepContext] = field(default_factory=list)

    async def transcribe(
        self, video_id: str, languages: Sequence[str], context: StepContext
    ) -> Transcript | None:
        self.calls.append(list(languages))
        self.contexts.append(context)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


async def test_the_first_step_with_text_wins_and_later_steps_are_not_asked() -> None:
    first, second = Step("captions", TEXT), Step("subtitles", None)
    service = TranscriptService([first, second], ["ko", "en"])

    assert await service.transcribe(VIDEO) == TEXT
    assert first.calls == [["ko", "en"]] and second.calls == []


async def test_empty_transcripts_fall_through_to_the_next_step() -> None:
    empty = Transcript("ko", "manual", ())
    service = TranscriptService([Step("captions", empty), Step("subtitles", TEXT)], ["ko"])
    assert await service.transcribe(VIDEO) == TEXT


async def test_a_blocked_step_does_not_stop_the_fallback() -> None:
    blocked = Step("captions", YoutubeRefused("IpBlocked"))
    service = TranscriptService([blocked, Step("subtitles", TEXT)], ["ko"])
    assert await service.transcribe(VIDEO) == TEXT


async def test_blocked_with_nothing_else_is_raised_not_reported_as_no_captions() -> None:
    service = TranscriptService(
        [Step("captions", YoutubeRefused("IpBlocked")), Step("subtitles", None)], ["ko"]
    )
    with pytest.raises(YoutubeRefused, match="IpBlocked"):
        await service.transcribe(VIDEO)


async def test_nothing_anywhere_is_no_transcript_with_a_reason_for_people() -> None:
    captions_only = TranscriptService([Step("captions", None), Step("subtitles", None)], ["ko"])
    assert await captions_only.transcribe(VIDEO) is None
    assert captions_only.no_transcript_reason == NO_CAPTIONS_REASON

    assert captions_only.no_transcript_code == "no_captions"

    with_speech = TranscriptService([Step("captions", None), Step("speech", None, True)], ["ko"])
    assert with_speech.no_transcript_reason == NO_TRANSCRIPT_REASON
    assert with_speech.no_transcript_code == "no_speech"


async def test_steps_learn_the_declared_language_and_length_and_report_progress() -> None:
    video = VIDEO.model_copy(
        update={"metadata": VIDEO.metadata.model_copy(update={"language": "en", "duration_s": 40})}
    )
    reported: list[float] = []

    async def report(fraction: float) -> None:
        reported.append(fraction)

    step = Step("speech", TEXT, True)
    await TranscriptService([step], ["ko"]).transcribe(video, report)

    (context,) = step.contexts
    assert (context.spoken_language, context.duration_s) == ("en", 40)
    await context.progress(0.5)
    await context.progress(1.7)  # clamped
    assert reported == [0.5, 1.0]


def test_segments_are_cleaned_and_empty_ones_dropped() -> None:
    segments = segments_from([(0.0, 1.5, " 성수동\n카페  "), (1.5, 1.0, " \n "), (-0.0, -1.0, "x")])
    assert [(s.start_s, s.duration_s, s.text) for s in segments] == [
        (0.0, 1.5, "성수동 카페"),
        (0.0, 0.0, "x"),
    ]


def test_requested_languages_come_before_configured_ones() -> None:
    asked = VIDEO.model_copy(update={"options": AnalysisOptions(languages=["ja", "ko"])})
    assert preferred_languages(asked, ["ko", "en"]) == ["ja", "ko", "en"]
    assert preferred_languages(VIDEO, ["ko", "en"]) == ["ko", "en"]
