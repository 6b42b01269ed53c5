"""YouTube's caption tracks through youtube-transcript-api.

The library is blocking and sets no timeouts of its own: each read runs in a
worker thread under an overall timeout, on a session whose every request has
one. With ``youtube_base_url`` set, its www.youtube.com requests go to the
fake YouTube instead (see :mod:`pind_transcript.adapters.youtube_rewrite`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import requests
import structlog
from youtube_transcript_api import (
    AgeRestricted,
    CouldNotRetrieveTranscript,
    FailedToCreateConsentCookie,
    InvalidVideoId,
    NoTranscriptFound,
    NotTranslatable,
    PoTokenRequired,
    RequestBlocked,
    TranscriptList,
    TranscriptsDisabled,
    TranslationLanguageNotAvailable,
    VideoUnavailable,
    VideoUnplayable,
    YouTubeDataUnparsable,
    YouTubeRequestFailed,
    YouTubeTranscriptApi,
)
from youtube_transcript_api import (
    Transcript as ApiTranscript,
)
from youtube_transcript_api.proxies import GenericProxyConfig

from pind_contracts.events.transcript_ready import TranscriptSource
from pind_transcript.adapters import youtube_rewrite
from pind_transcript.domain.choice import AvailableTrack, TrackChoice, choose_track
from pind_transcript.domain.transcript import (
    NO_CONTEXT,
    StepContext,
    Transcript,
    YoutubeRefused,
    segments_from,
)
from pind_transcript.settings import TranscriptSettings

log = structlog.get_logger(__name__)

# The video has no usable captions here; another step may still find text.
_NO_CAPTIONS: tuple[type[CouldNotRetrieveTranscript], ...] = (
    TranscriptsDisabled,
    NoTranscriptFound,
    NotTranslatable,
    TranslationLanguageNotAvailable,
    VideoUnavailable,
    VideoUnplayable,
    AgeRestricted,
    InvalidVideoId,
    FailedToCreateConsentCookie,
    YouTubeDataUnparsable,
)


class _TimeoutSession(requests.Session):
    """A session whose requests time out unless the caller says otherwise."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self._timeout_s = timeout_s

    def request(  # same call, plus a default timeout
        self, method: str, url: Any, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout_s)
        return super().request(method, url, *args, **kwargs)


def available_tracks(listing: TranscriptList) -> list[AvailableTrack]:
    return [
        AvailableTrack(
            lang=track.language_code,
            kind="generated" if track.is_generated else "manual",
            translation_languages=frozenset(
                language.language_code for language in track.translation_languages
            ),
        )
        for track in listing
    ]


def _pick(listing: TranscriptList, choice: TrackChoice) -> ApiTranscript:
    codes = [choice.track.lang]
    track = (
        listing.find_generated_transcript(codes)
        if choice.track.kind == "generated"
        else listing.find_manually_created_transcript(codes)
    )
    return track.translate(choice.translate_to) if choice.translate_to else track


def _worth_retrying(exc: YouTubeRequestFailed) -> bool:
    """5xx, 408 and 429 may pass; any other 4xx will not."""
    http_error = exc.__context__
    response = getattr(http_error, "response", None)
    status = getattr(response, "status_code", None)
    return not isinstance(status, int) or status >= 500 or status in (408, 429)


class CaptionsClient:
    """Reads the best caption track of a video, translated if need be."""

    name = "captions"
    is_speech = False

    def __init__(self, settings: TranscriptSettings) -> None:
        self._settings = settings

    async def transcribe(
        self, video_id: str, languages: Sequence[str], context: StepContext = NO_CONTEXT
    ) -> Transcript | None:
        """The captions of ``video_id`` in the best available language, or None
        when it has none; raises :class:`YoutubeRefused` when YouTube blocks us
        or cannot be reached."""
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self._fetch_blocking, video_id, tuple(languages)),
                timeout=self._settings.captions_timeout_s,
            )
        except TimeoutError as exc:
            limit = self._settings.captions_timeout_s
            raise YoutubeRefused(f"YouTube's captions did not arrive within {limit:.0f} s") from exc

    def _api(self) -> YouTubeTranscriptApi:
        session = _TimeoutSession(self._settings.http_timeout_s)
        if self._settings.youtube_base_url:
            youtube_rewrite.mount(session, self._settings.youtube_base_url)
        proxy = self._settings.youtube_proxy
        proxy_config = None
        if proxy is not None:
            url = proxy.get_secret_value()
            proxy_config = GenericProxyConfig(http_url=url, https_url=url)
        return YouTubeTranscriptApi(proxy_config=proxy_config, http_client=session)

    def _fetch_blocking(self, video_id: str, languages: tuple[str, ...]) -> Transcript | None:
        api = self._api()
        try:
            listing = api.list(video_id)
            choice = choose_track(available_tracks(listing), languages)
            if choice is None:
                log.info("no caption tracks", video_id=video_id)
                return None
            fetched = _pick(listing, choice).fetch()
        except (RequestBlocked, PoTokenRequired) as exc:
            # IpBlocked is a RequestBlocked.
            raise YoutubeRefused(
                f"YouTube refused the captions request ({type(exc).__name__})"
            ) from exc
        except YouTubeRequestFailed as exc:
            if not _worth_retrying(exc):
                log.info("captions request rejected", video_id=video_id, reason=exc.reason)
                return None
            raise YoutubeRefused(f"YouTube's captions request failed: {exc.reason}") from exc
        except _NO_CAPTIONS as exc:
            log.info("captions not available", video_id=video_id, cause=type(exc).__name__)
            return None
        except requests.RequestException as exc:
            raise YoutubeRefused(f"YouTube could not be reached for captions: {exc}") from exc
        source: TranscriptSource = (
            "translated"
            if choice.translate_to
            else "generated"
            if choice.track.kind == "generated"
            else "manual"
        )
        log.info(
            "captions read",
            video_id=video_id,
            track=choice.track.lang,
            kind=choice.track.kind,
            translated_to=choice.translate_to,
            snippets=len(fetched),
        )
        return Transcript(
            language=choice.language,
            source=source,
            segments=segments_from((s.start, s.duration, s.text) for s in fetched.snippets),
        )
