"""Place names from Gemini (google-genai, async, structured output).

The model is asked for names, category, a verbatim quote and the time it was
said or shown; never for coordinates (a geocoder gives those). Long inputs
are sent in chunks. Every answer's token use and cost is logged. Any failure
(quota, timeout, 5xx, an answer that does not parse) raises
``LanguageModelError``: the caller falls back to the offline extractor."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import structlog
from google import genai
from google.genai import errors, types
from pydantic import BaseModel, Field, ValidationError

from pind_geo.adapters.metrics import GEMINI_COST, GEMINI_REQUESTS, GEMINI_TOKENS
from pind_geo.domain.extraction.venues import ADDRESS, ADDRESS_HINT
from pind_geo.domain.model import PlaceCandidate, TextUnit
from pind_geo.domain.text import collapse_spaced_syllables, has_hangul, match_key
from pind_geo.errors import LanguageModelError

log = structlog.get_logger(__name__)

LlmCategory = Literal[
    "restaurant", "cafe", "bar", "market", "shop", "landmark", "palace", "museum", "park",
    "beach", "station", "neighbourhood", "city", "region", "lodging", "other",
]  # fmt: skip
LlmSource = Literal["title", "description", "chapter", "tag", "location", "transcript", "ocr"]

INSTRUCTION = (
    "You read the text of a travel or food video (title, description, chapters, "
    "transcript lines, text seen on screen). List every real place the video visits or "
    "recommends: restaurants, cafes, bars, markets, stations, sights, neighbourhoods. For "
    "each, give its name exactly as written in the text, its branch (○○점, 본점) and its "
    "address only where the text writes them, its category, a short verbatim quote from "
    "the text that mentions it, which part of the text the quote is from, and the time in "
    "seconds shown before that line, if any. Do not give coordinates. Leave out people, "
    "dishes (춘천닭갈비 eaten in Seoul is not a visit to 춘천), chains named without a "
    "branch, and places only mentioned in passing."
)


class LlmPlace(BaseModel):
    name: str = Field(description="The place's name as written in the text.")
    branch: str | None = Field(
        default=None, description="The branch (○○점, 본점) as written in the text, if any."
    )
    address: str | None = Field(
        default=None, description="Its road or lot address as written in the text, if any."
    )
    category: LlmCategory = "other"
    evidence: str = Field(description="A short verbatim quote of the text naming the place.")
    source: LlmSource | None = None
    start_s: float | None = Field(default=None, description="Seconds, from the line's time.")


class LlmAnswer(BaseModel):
    places: list[LlmPlace]


@dataclass(frozen=True, slots=True)
class GeminiConfig:
    api_key: str
    model: str = "gemini-2.5-flash"
    base_url: str | None = None
    timeout_s: float = 30.0
    chunk_chars: int = 12_000
    concurrency: int = 2
    usd_per_million_input: float = 0.30
    usd_per_million_output: float = 2.50


class GeminiPlaceNames:
    """Candidates from Gemini; one request per chunk of the video's text."""

    name = "gemini"

    def __init__(self, config: GeminiConfig, client: genai.Client | None = None) -> None:
        self._config = config
        self._client = client or genai.Client(
            api_key=config.api_key,
            http_options=types.HttpOptions(
                base_url=config.base_url,
                timeout=int(config.timeout_s * 1000),
                # One try: a failure falls back to offline at once.
                retry_options=types.HttpRetryOptions(attempts=1),
            ),
        )

    async def candidates(self, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
        chunks = chunk_units(units, self._config.chunk_chars)
        gate = asyncio.Semaphore(self._config.concurrency)

        async def ask(chunk: list[TextUnit]) -> list[PlaceCandidate]:
            async with gate:
                answer = await self._ask(render(chunk))
            return to_candidates(answer, chunk)

        try:
            async with asyncio.timeout(self._config.timeout_s * 1.5):
                found = await asyncio.gather(*(ask(c) for c in chunks))
        except TimeoutError as exc:
            raise LanguageModelError(f"gemini: no answer in {self._config.timeout_s} s") from exc
        return [c for group in found for c in group]

    async def _ask(self, prompt: str) -> LlmAnswer:
        started = time.perf_counter()
        try:
            response = await self._client.aio.models.generate_content(
                model=self._config.model,
                contents=prompt,
                config=types.GenerateContentConfig(
                    system_instruction=INSTRUCTION,
                    response_mime_type="application/json",
                    response_schema=LlmAnswer,
                    temperature=0.0,
                ),
            )
        except errors.APIError as exc:
            GEMINI_REQUESTS.labels(self._config.model, "failed").inc()
            raise LanguageModelError(f"gemini: HTTP {exc.code} {exc.status}") from exc
        except Exception as exc:  # httpx timeouts and connection errors
            GEMINI_REQUESTS.labels(self._config.model, "failed").inc()
            raise LanguageModelError(f"gemini: {type(exc).__name__}: {exc}") from exc
        self._log_usage(response, time.perf_counter() - started)
        parsed = response.parsed
        if isinstance(parsed, LlmAnswer):
            GEMINI_REQUESTS.labels(self._config.model, "answered").inc()
            return parsed
        try:
            answer = LlmAnswer.model_validate_json(response.text or "")
        except ValidationError as exc:
            GEMINI_REQUESTS.labels(self._config.model, "unreadable").inc()
            finish = response.candidates[0].finish_reason if response.candidates else None
            raise LanguageModelError(f"gemini: unreadable answer (finish {finish})") from exc
        GEMINI_REQUESTS.labels(self._config.model, "answered").inc()
        return answer

    def _log_usage(self, response: Any, seconds: float) -> None:
        usage = response.usage_metadata
        prompt = (usage.prompt_token_count or 0) if usage else 0
        output = (usage.candidates_token_count or 0) if usage else 0
        cost = (
            prompt * self._config.usd_per_million_input
            + output * self._config.usd_per_million_output
        ) / 1e6
        GEMINI_TOKENS.labels(self._config.model, "prompt").inc(prompt)
        GEMINI_TOKENS.labels(self._config.model, "output").inc(output)
        GEMINI_COST.labels(self._config.model).inc(cost)
        log.info(
            "gemini answered",
            model=self._config.model,
            prompt_tokens=prompt,
            output_tokens=output,
            cost_usd=round(cost, 6),
            seconds=round(seconds, 2),
        )


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def render(units: Sequence[TextUnit]) -> str:
    """One line per unit: '[transcript 0:01:02] …'."""
    lines = []
    for unit in units:
        stamp = f" {_clock(unit.start_s)}" if unit.start_s is not None else ""
        text = " ".join(unit.text.split())
        lines.append(f"[{unit.source}{stamp}] {text}")
    return "\n".join(lines)


def chunk_units(units: Sequence[TextUnit], max_chars: int) -> list[list[TextUnit]]:
    """Consecutive units in chunks of at most ``max_chars`` rendered characters
    (metadata first, so each chunk of a long transcript stands alone)."""
    chunks: list[list[TextUnit]] = []
    current: list[TextUnit] = []
    size = 0
    for unit in units:
        length = len(unit.text) + 24
        if current and size + length > max_chars:
            chunks.append(current)
            current, size = [], 0
        current.append(unit)
        size += length
    if current:
        chunks.append(current)
    return chunks


def to_candidates(answer: LlmAnswer, units: Sequence[TextUnit]) -> list[PlaceCandidate]:
    """Each named place as a candidate in the unit that holds it (the quote's
    unit, else any unit naming it); a place the text does not hold is dropped:
    the model must not invent what the video never said."""
    found: list[PlaceCandidate] = []
    for place in answer.places:
        name = place.name.strip()
        if not name:
            continue
        hit = _locate(name, place, units)
        if hit is None:
            log.info("gemini place not in the text", name=name)
            continue
        unit, start, end = hit
        end = _with_branch(place, unit, end)
        address = _address_in(place, units)
        if address is not None:
            found.append(address)
        found.append(
            PlaceCandidate(
                text=unit.text[start:end],
                unit=unit,
                start=start,
                end=end,
                script="ko" if has_hangul(name) else "en",
                category_hint=None if place.category == "other" else place.category,
                place_cue=True,
                proper_noun=True,
            )
        )
    return found


def _with_branch(place: LlmPlace, unit: TextUnit, end: int) -> int:
    """The end of the name with its branch when the text writes the branch
    right after it ('스타벅스 동숭로아트점'); a branch the text does not write
    is the model's guess and is dropped."""
    branch = (place.branch or "").strip()
    if not branch:
        return end
    after = unit.text[end:]
    gap = len(after) - len(after.lstrip(" "))
    if after[gap:].startswith(branch):
        return end + gap + len(branch)
    log.info("gemini branch not in the text", name=place.name, branch=branch)
    return end


def _address_in(place: LlmPlace, units: Sequence[TextUnit]) -> PlaceCandidate | None:
    """The address the model read, as a candidate where the text writes it
    (resolution ties the name beside it to the venue there)."""
    address = " ".join((place.address or "").split())
    if not ADDRESS.fullmatch(address):
        return None
    for unit in units:
        at = " ".join(unit.text.split()).find(address)
        if at != -1 and unit.text.find(address) == at:
            return PlaceCandidate(
                text=address,
                unit=unit,
                start=at,
                end=at + len(address),
                script="ko",
                category_hint=ADDRESS_HINT,
                place_cue=True,
            )
    return None


def _locate(
    name: str, place: LlmPlace, units: Sequence[TextUnit]
) -> tuple[TextUnit, int, int] | None:
    quote = match_key(place.evidence)
    ordered = sorted(
        units,
        key=lambda u: (
            not (quote and quote in match_key(u.text)),
            place.source is not None and u.source != place.source,
        ),
    )
    for unit in ordered:
        at = unit.text.find(name)
        if at == -1:
            at = unit.text.casefold().find(name.casefold())
        if at != -1:
            return unit, at, at + len(name)
        # OCR spaces syllables ('광 장 시 장'): look in the collapsed text.
        collapsed, offsets = collapse_spaced_syllables(unit.text)
        at = collapsed.find(name)
        if at != -1:
            return unit, offsets[at], offsets[at + len(name) - 1] + 1
    return None
