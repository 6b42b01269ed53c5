"""With the database away, auth answers 503 with Retry-After, not a bare 500."""

from __future__ import annotations

import httpx

from pind_auth.app import create_app
from pind_auth.settings import AuthSettings
from pind_kit.testing import database_away


async def test_a_login_while_the_database_is_away_is_answered_503(
    base_settings: AuthSettings,
) -> None:
    app = create_app(database_away(base_settings))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://auth") as http:
            answer = await http.post(
                "/api/v1/auth/login", json={"email": "a@example.com", "password": "x" * 12}
            )
    finally:
        await app.state.worker.engine.dispose()
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["code"] == "unavailable"
