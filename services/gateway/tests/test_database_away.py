"""With the database away, the gateway answers 503 with Retry-After, not 500."""

from __future__ import annotations

import uuid

import httpx
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from benchmarks.gateway_processes import free_port
from pind_gateway.app import create_app
from pind_gateway.settings import GatewaySettings


async def test_a_status_query_while_the_database_is_away_is_answered_503(
    settings: GatewaySettings,
) -> None:
    url = make_url(settings.database_url.get_secret_value()).set(port=free_port())
    away = settings.model_copy(
        update={"database_url": SecretStr(url.render_as_string(hide_password=False))}
    )
    app = create_app(away)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            answer = await http.get(f"/api/v1/jobs/{uuid.uuid4()}")
    finally:
        engine = app.state.gateway.sessionmaker.kw["bind"]
        await engine.dispose()
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["code"] == "unavailable"
