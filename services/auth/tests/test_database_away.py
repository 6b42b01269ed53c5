"""With the database away, auth answers 503 with Retry-After, not a bare 500."""

from __future__ import annotations

import httpx
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from benchmarks.gateway_processes import free_port
from pind_auth.app import create_app
from pind_auth.settings import AuthSettings


async def test_a_login_while_the_database_is_away_is_answered_503(
    base_settings: AuthSettings,
) -> None:
    url = make_url(base_settings.database_url.get_secret_value()).set(port=free_port())
    settings = base_settings.model_copy(
        update={"database_url": SecretStr(url.render_as_string(hide_password=False))}
    )
    app = create_app(settings)
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
