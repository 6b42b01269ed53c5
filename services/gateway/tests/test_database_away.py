"""With the database away, the gateway answers 503 with Retry-After, not 500."""

from __future__ import annotations

import uuid

import httpx

from pind_gateway.app import create_app
from pind_gateway.settings import GatewaySettings
from pind_kit.testing import database_away


async def test_a_status_query_while_the_database_is_away_is_answered_503(
    settings: GatewaySettings,
) -> None:
    app = create_app(database_away(settings))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            answer = await http.get(f"/api/v1/jobs/{uuid.uuid4()}")
    finally:
        await app.state.gateway.sessionmaker.kw["bind"].dispose()
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["code"] == "unavailable"
