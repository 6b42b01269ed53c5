"""The fake Gemini's HTTP side: generateContent and countTokens in the wire
format google-genai parses (API key, model name and body checks, Google's error
bodies), the scenarios (see the package) and POST /_fake/scenario."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any

from aiohttp import web

from pind_fakes.gazetteer import Gazetteer
from pind_fakes.gemini.reply import compose_reply
from pind_fakes.venues import VenueDirectory

SCENARIOS = ("normal", "malformed", "rate_limited", "unavailable", "safety", "slow")

GAZETTEER = web.AppKey("gazetteer", Gazetteer)
VENUES = web.AppKey("venues", VenueDirectory)
CONFIG = web.AppKey("config", dict)

_MODEL = re.compile(r"^(?:gemini|gemma)-[\w.-]+$")


def google_error(status: int, code_name: str, message: str, **extra: Any) -> web.Response:
    """An error body in Google's format: {"error": {code, message, status, details?}}."""
    error: dict[str, Any] = {"code": status, "message": message, "status": code_name}
    error.update(extra)
    return web.json_response({"error": error}, status=status)


def _api_key(request: web.Request) -> str | None:
    return request.headers.get("x-goog-api-key") or request.query.get("key")


def _scenario(request: web.Request, key: str) -> str:
    if key.startswith("fake-") and key.removeprefix("fake-") in SCENARIOS:
        return key.removeprefix("fake-")
    return str(request.app[CONFIG]["scenario"])


async def set_scenario(request: web.Request) -> web.Response:
    body = await request.json()
    scenario = body.get("scenario")
    if scenario not in SCENARIOS:
        return web.json_response({"error": f"scenario must be one of {SCENARIOS}"}, status=400)
    request.app[CONFIG]["scenario"] = scenario
    if "slow_s" in body:
        request.app[CONFIG]["slow_s"] = float(body["slow_s"])
    return web.json_response({"scenario": scenario})


async def count_tokens(request: web.Request) -> web.Response:
    if not _api_key(request):
        return _missing_key()
    body = await request.json()
    return web.json_response({"totalTokens": _tokens(_user_text(body))})


def _missing_key() -> web.Response:
    return google_error(
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    )


async def generate_content(request: web.Request) -> web.Response:
    model = request.match_info["model"].removeprefix("models/")
    key = _api_key(request)
    if not key:
        return _missing_key()
    version = request.path.split("/")[1]
    if not _MODEL.match(model):
        return google_error(
            404,
            "NOT_FOUND",
            f"models/{model} is not found for API version {version}, or is not supported "
            "for generateContent. Call ListModels to see the list of available models "
            "and their supported methods.",
        )
    try:
        body = await request.json()
    except json.JSONDecodeError:
        return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
    if not body.get("contents"):
        return google_error(
            400,
            "INVALID_ARGUMENT",
            "* GenerateContentRequest.contents: contents is not specified\n",
        )

    scenario = _scenario(request, key)
    if scenario == "rate_limited":
        return _rate_limited(model)
    if scenario == "unavailable":
        return google_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
    if scenario == "slow":
        await asyncio.sleep(float(request.app[CONFIG]["slow_s"]))

    text = _user_text(body)
    config = body.get("generationConfig") or {}
    reply = compose_reply(request.app[GAZETTEER], text, config, request.app[VENUES])
    finish = "STOP"
    if scenario == "malformed":
        reply, finish = reply[: max(1, len(reply) * 2 // 3)].rstrip("}] \n"), "MAX_TOKENS"
        if not reply.startswith(("{", "[")):
            reply = '{"places": [{"name": "' + reply[:10]
    prompt_tokens, reply_tokens = _tokens(text), _tokens(reply)
    candidate: dict[str, Any] = {
        "content": {"parts": [{"text": reply}], "role": "model"},
        "finishReason": finish,
        "avgLogprobs": -0.0421,
        "index": 0,
    }
    if scenario == "safety":
        candidate = {
            "finishReason": "SAFETY",
            "index": 0,
            "safetyRatings": [
                {
                    "category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                    "probability": "HIGH",
                    "blocked": True,
                }
            ],
        }
        reply_tokens = 0
    response_id = hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()[:22]
    return web.json_response(
        {
            "candidates": [candidate],
            "usageMetadata": {
                "promptTokenCount": prompt_tokens,
                "candidatesTokenCount": reply_tokens,
                "totalTokenCount": prompt_tokens + reply_tokens,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
            },
            "modelVersion": model,
            "responseId": response_id,
        },
        dumps=lambda data: json.dumps(data, ensure_ascii=False),
    )


def _rate_limited(model: str) -> web.Response:
    return google_error(
        429,
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. "
        "To monitor your current usage, head to: https://ai.dev/usage?tab=rate-limit. ",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [
                    {
                        "quotaMetric": (
                            "generativelanguage.googleapis.com/generate_content_free_tier_requests"
                        ),
                        "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                        "quotaDimensions": {"location": "global", "model": model},
                        "quotaValue": "10",
                    }
                ],
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Learn more about Gemini API quotas",
                        "url": "https://ai.google.dev/gemini-api/docs/rate-limits",
                    }
                ],
            },
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"},
        ],
    )


def _user_text(body: dict[str, Any]) -> str:
    # Only the conversation, not systemInstruction: instructions often carry example
    # names that are not in the video.
    parts = [
        part.get("text", "")
        for content in body.get("contents") or []
        for part in (content.get("parts") or [])
        if isinstance(part, dict)
    ]
    return "\n".join(p for p in parts if p)


def _tokens(text: str) -> int:
    return max(1, len(text) // 4) if text else 0
