"""google-genai's async client against the fake Gemini."""

from __future__ import annotations

from typing import Literal

import httpx
import pytest
from google import genai
from google.genai import errors, types
from pydantic import BaseModel

PROMPT = """Find the places in this video.
Title: 부산 남포동 시장 한 바퀴 자갈치시장 국제시장
## Transcript
[00:12] 오늘은 서울역에서 출발해요
[22.5s] 이번에는 통인시장에 왔어요
## On-screen text (OCR)
[31.0s] Mangwon Market
"""


class Evidence(BaseModel):
    source: Literal["caption", "ocr", "title", "description"]
    text: str
    start_s: float | None = None


class Place(BaseModel):
    name: str
    category: Literal[
        "restaurant", "cafe", "market", "landmark", "station", "park", "area", "other"
    ]
    evidence: list[Evidence]
    confidence: float


class PlaceList(BaseModel):
    places: list[Place]
    unresolved: list[str] = []


def _client(
    url: str, key: str = "test-key", api_version: str | None = None, timeout_ms: int = 10_000
):
    options = types.HttpOptions(base_url=url, timeout=timeout_ms, api_version=api_version)
    return genai.Client(api_key=key, http_options=options)


JSON_CONFIG = types.GenerateContentConfig(
    response_mime_type="application/json", response_schema=PlaceList
)


@pytest.mark.parametrize("api_version", [None, "v1beta"])
async def test_structured_output_parses_into_the_schema(
    gemini_url: str, api_version: str | None
) -> None:
    response = await _client(gemini_url, api_version=api_version).aio.models.generate_content(
        model="gemini-2.5-flash", contents=PROMPT, config=JSON_CONFIG
    )
    parsed = response.parsed
    assert isinstance(parsed, PlaceList)
    by_name = {p.name: p for p in parsed.places}
    assert list(by_name) == ["자갈치시장", "국제시장", "서울역", "통인시장", "망원시장"]
    assert by_name["국제시장"].category == "market"
    assert by_name["서울역"].category == "station"
    assert by_name["서울역"].evidence[0].source == "caption"
    assert by_name["서울역"].evidence[0].start_s == 12.0
    assert by_name["통인시장"].evidence[0].start_s == 22.5
    assert by_name["망원시장"].evidence == [
        Evidence(source="ocr", text="[31.0s] Mangwon Market", start_s=31.0)
    ]
    assert by_name["자갈치시장"].evidence[0].source == "title"
    assert response.usage_metadata is not None and response.usage_metadata.total_token_count > 0
    assert response.model_version == "gemini-2.5-flash"


async def test_json_schema_variant_and_plain_text(gemini_url: str) -> None:
    client = _client(gemini_url)
    config = types.GenerateContentConfig(
        response_mime_type="application/json", response_json_schema=PlaceList.model_json_schema()
    )
    response = await client.aio.models.generate_content(
        model="gemini-2.5-flash", contents=PROMPT, config=config
    )
    assert [p.name for p in PlaceList.model_validate_json(response.text or "").places][:2] == [
        "자갈치시장",
        "국제시장",
    ]
    text = await client.aio.models.generate_content(
        model="gemini-2.5-flash", contents="서울역 근처"
    )
    assert text.text == "Places mentioned:\n- 서울역 (station)"


async def test_rate_limit_is_a_client_error(gemini_url: str) -> None:
    with pytest.raises(errors.ClientError) as caught:
        await _client(gemini_url, key="fake-rate_limited").aio.models.generate_content(
            model="gemini-2.5-flash", contents=PROMPT
        )
    assert caught.value.code == 429
    assert caught.value.status == "RESOURCE_EXHAUSTED"
    details = caught.value.details["error"]["details"]
    assert details[-1] == {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"}


async def test_overload_is_a_server_error(gemini_url: str) -> None:
    with pytest.raises(errors.ServerError) as caught:
        await _client(gemini_url, key="fake-unavailable").aio.models.generate_content(
            model="gemini-2.5-flash", contents=PROMPT
        )
    assert caught.value.code == 503


async def test_malformed_json_leaves_parsed_empty(gemini_url: str) -> None:
    response = await _client(gemini_url, key="fake-malformed").aio.models.generate_content(
        model="gemini-2.5-flash", contents=PROMPT, config=JSON_CONFIG
    )
    assert response.parsed is None
    assert response.text and response.text.startswith('{"places": [')
    assert (
        response.candidates
        and response.candidates[0].finish_reason == types.FinishReason.MAX_TOKENS
    )
    with pytest.raises(ValueError):
        PlaceList.model_validate_json(response.text)


async def test_safety_block_has_no_text(gemini_url: str) -> None:
    response = await _client(gemini_url, key="fake-safety").aio.models.generate_content(
        model="gemini-2.5-flash", contents=PROMPT, config=JSON_CONFIG
    )
    assert response.text is None and response.parsed is None
    assert response.candidates and response.candidates[0].finish_reason == types.FinishReason.SAFETY


async def test_slow_model_hits_the_client_timeout(gemini_url: str) -> None:
    with pytest.raises((TimeoutError, httpx.TimeoutException)):
        await _client(gemini_url, key="fake-slow", timeout_ms=300).aio.models.generate_content(
            model="gemini-2.5-flash", contents=PROMPT
        )


async def test_server_wide_scenario_switch(gemini_url: str) -> None:
    async with httpx.AsyncClient(base_url=gemini_url) as http:
        assert (
            await http.post("/_fake/scenario", json={"scenario": "rate_limited"})
        ).status_code == 200
        try:
            with pytest.raises(errors.ClientError):
                await _client(gemini_url).aio.models.generate_content(
                    model="gemini-2.5-flash", contents="x"
                )
        finally:
            await http.post("/_fake/scenario", json={"scenario": "normal"})
        assert (await http.post("/_fake/scenario", json={"scenario": "nope"})).status_code == 400


async def test_key_and_model_are_checked(gemini_url: str) -> None:
    async with httpx.AsyncClient(base_url=gemini_url) as http:
        body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
        missing = await http.post("/v1beta/models/gemini-2.5-flash:generateContent", json=body)
        assert missing.status_code == 403
        assert missing.json()["error"]["status"] == "PERMISSION_DENIED"
    with pytest.raises(errors.ClientError) as caught:
        await _client(gemini_url).aio.models.generate_content(model="gpt-4o", contents="hi")
    assert caught.value.code == 404
