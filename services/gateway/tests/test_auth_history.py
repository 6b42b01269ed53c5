"""Sign-in through the gateway (forwarded to the real auth service), local
token checks, and the signed-in user's history: the web client's whole call
sequence, the modern paginated history, and erasure when the account goes."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlalchemy import func, select

from pind_contracts import VIDEO_REQUESTED, VideoRequested
from pind_gateway.core.deps import GatewayContext
from pind_gateway.core.models import UserHistory
from pind_gateway.settings import GatewaySettings
from pind_kit.testing import TopicReader

MARKET = {"name": "광장시장", "lat": 37.5701, "lng": 126.9996}
PALACE = {"name": "경복궁", "lat": 37.5796, "lng": 126.9770}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_web_clients_sequence_with_login(
    app: FastAPI, events: Any, settings: GatewaySettings, play: Callable[..., Any]
) -> None:
    email, password = f"web-{uuid.uuid4().hex[:10]}@tests.example.com", "a long pass phrase 42"
    async with events.client_at(app) as web:
        registered = await web.post("/auth/register", json={"email": email, "password": password})
        assert registered.status_code == 202 and registered.json()["detail"]
        wrong = await web.post("/auth/login", data={"username": email, "password": "not it at all"})
        assert wrong.status_code == 401 and wrong.json()["detail"]
        login = await web.post("/auth/login", data={"username": email, "password": password})
        assert login.status_code == 200
        assert login.json()["token_type"] == "bearer"
        token = login.json()["access_token"]

        video_id = events.video_id()
        async with TopicReader(settings.kafka_bootstrap, VIDEO_REQUESTED.name) as requested:
            holding = asyncio.create_task(
                web.post(
                    "/api/v1/youtube/process",
                    json={"url": f"https://youtu.be/{video_id}"},
                    headers=bearer(token),
                )
            )
            records = await requested.until(lambda rs: any(r.key == video_id.encode() for r in rs))
        request = VideoRequested.model_validate_json(
            next(r for r in records if r.key == video_id.encode()).value or b""
        )
        assert request.requested_by is not None  # the analysis knows who asked
        job_id = request.job_id
        await play(job_id, video_id, events.full_analysis(job_id, video_id))
        processed = (await asyncio.wait_for(holding, timeout=30)).json()
        assert (processed["status"], processed["mode"], processed["places"]) == (
            "SUCCESS",
            "new",
            [MARKET, PALACE],
        )

        status = (await web.get(f"/api/v1/jobs/{job_id}/status")).json()
        assert (status["status"], status["progress"]) == ("SUCCESS", 100)
        result = (await web.get(f"/api/v1/jobs/{job_id}/result")).json()
        assert result["places"] == [MARKET, PALACE]

        for path in ("/api/v1/users/history", "/api/v1/youtube/history"):
            history = (await web.get(path, headers=bearer(token))).json()
            assert [(h["id"], h["title"], h["places"]) for h in history] == [
                (video_id, "광장시장 먹방 브이로그", [MARKET, PALACE])
            ]
            assert history[0]["thumbnail_url"].endswith("/hqdefault.jpg")
        places = (await web.get(f"/api/v1/youtube/places/{video_id}")).json()
        assert places["video"]["id"] == video_id and places["places"] == [MARKET, PALACE]
        video = (await web.get(f"/api/v1/youtube/video/{video_id}")).json()
        assert video["title"] == "광장시장 먹방 브이로그"

        reset = await web.post("/auth/request-password-reset", json={"email": email})
        assert reset.status_code == 202 and reset.json()["detail"]
        bad_reset = await web.post(
            "/auth/reset-password", json={"token": "nope", "new_password": "whatever 123456"}
        )
        assert bad_reset.status_code == 400 and bad_reset.json()["detail"]


async def test_history_pages_deletes_and_is_erased_with_the_account(
    app: FastAPI,
    context: GatewayContext,
    auth_client: httpx.AsyncClient,
    events: Any,
    sign_in: Callable[..., Any],
) -> None:
    token = await sign_in()
    user_id = uuid.UUID(jwt.decode(token, options={"verify_signature": False})["sub"])
    async with events.client_at(app) as http:
        videos = [events.video_id() for _ in range(3)]
        for video_id in videos:
            submitted = await http.post(
                "/api/v1/videos",
                json={"url": f"https://youtu.be/{video_id}"},
                headers=bearer(token),
            )
            assert submitted.status_code == 202

        first = (await http.get("/api/v1/me/history?limit=2", headers=bearer(token))).json()
        assert [i["video_id"] for i in first["items"]] == videos[::-1][:2]
        rest = (
            await http.get(
                "/api/v1/me/history",
                params={"limit": 2, "cursor": first["next_cursor"]},
                headers=bearer(token),
            )
        ).json()
        assert [i["video_id"] for i in rest["items"]] == [videos[0]]
        assert rest["next_cursor"] is None

        deleted = await http.delete(f"/api/v1/me/history/{videos[1]}", headers=bearer(token))
        assert deleted.status_code == 204
        again = await http.delete(f"/api/v1/me/history/{videos[1]}", headers=bearer(token))
        assert again.status_code == 404
        left = (await http.get("/api/v1/me/history", headers=bearer(token))).json()
        assert [i["video_id"] for i in left["items"]] == [videos[2], videos[0]]
        bad = await http.get("/api/v1/me/history?cursor=%%%", headers=bearer(token))
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"

        # The account is deleted at auth; pind.user.v1 `deleted` erases the history.
        with context.watch.subscribe(user_id) as erased:
            gone = await auth_client.request(
                "DELETE",
                "/api/v1/auth/me",
                json={"password": "correct horse battery 9"},
                headers={**bearer(token), "X-Forwarded-For": events.address()},
            )
            assert gone.status_code == 204, gone.text
            await asyncio.wait_for(erased.wait(), timeout=30)
        # Erased (read from the table: the token itself is refused once the deny
        # list hears of the deletion, test_revocation.py).
        async with context.reader() as session:
            left = await session.scalar(
                select(func.count()).select_from(UserHistory).where(UserHistory.user_id == user_id)
            )
        assert left == 0


async def test_history_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    guest = await client.get("/api/v1/me/history")
    assert guest.status_code == 401
    assert guest.headers["www-authenticate"] == "Bearer"
    assert guest.json()["code"] == "not_authenticated"
    legacy = await client.get("/api/v1/users/history")
    assert legacy.status_code == 401 and legacy.json()["detail"]


def forged(claims: dict[str, Any], *, kid: str, key: Ed25519PrivateKey | None = None) -> str:
    return jwt.encode(
        claims,
        key or Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": kid, "typ": "at+jwt"},
    )


async def test_tokens_are_checked_strictly(
    client: httpx.AsyncClient, sign_in: Callable[..., Any]
) -> None:
    token = await sign_in()
    header, claims_b64, _signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(claims_b64 + "=" * (-len(claims_b64) % 4)))
    kid = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    now = int(time.time())
    alg_none = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    hmac = jwt.encode(claims, "secret", algorithm="HS256", headers={"kid": kid})
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    refused = {
        "alg none": alg_none,
        "hmac": hmac,
        "other key, known kid": forged(claims, kid=kid),
        "unknown kid": forged(claims, kid="not-a-key"),
        "tampered": tampered,
        "garbage": "not.a.token",
    }
    for why, bad in refused.items():
        answer = await client.get("/api/v1/me/history", headers=bearer(bad))
        assert answer.status_code == 401, why
        assert answer.json()["code"] == "invalid_token", why
    ok = await client.get("/api/v1/me/history", headers=bearer(token))
    assert ok.status_code == 200
    assert {"iss", "aud", "exp"} <= set(claims) and claims["exp"] > now
