"""The auth service over HTTP: its public keys, and the legacy ``/auth/*`` calls
the gateway forwards to it unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from pind_gateway.errors import AuthUnavailable

log = structlog.get_logger(__name__)

# Headers of auth's answer passed back to the caller (the rest is hop-by-hop or ours).
PASSED_BACK = ("content-type", "retry-after", "www-authenticate", "cache-control")


@dataclass(frozen=True, slots=True)
class Forwarded:
    status_code: int
    body: bytes
    headers: dict[str, str]


class AuthServiceClient:
    def __init__(
        self,
        base_url: str,
        jwks_url: str,
        *,
        timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._jwks_url = jwks_url
        self._http = httpx.AsyncClient(timeout=timeout_s, transport=transport)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def fetch_jwks(self) -> list[dict[str, Any]]:
        """The published JSON Web Keys; :class:`AuthUnavailable` if they cannot be read."""
        try:
            response = await self._http.get(self._jwks_url)
            response.raise_for_status()
            keys = response.json()["keys"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("JWKS fetch failed", url=self._jwks_url, error=str(exc))
            raise AuthUnavailable() from exc
        if not isinstance(keys, list):
            raise AuthUnavailable()
        return [k for k in keys if isinstance(k, dict)]

    async def forward(
        self, path: str, *, content: bytes, content_type: str, client_address: str | None
    ) -> Forwarded:
        """POST ``content`` to auth's ``path`` as the caller sent it."""
        headers = {"content-type": content_type, "accept": "application/json"}
        if client_address:
            headers["x-forwarded-for"] = client_address
        try:
            response = await self._http.post(
                f"{self._base_url}{path}", content=content, headers=headers
            )
        except httpx.HTTPError as exc:
            log.warning("auth service unreachable", path=path, error=str(exc))
            raise AuthUnavailable() from exc
        if response.status_code >= 500:
            log.warning("auth service failed", path=path, status=response.status_code)
            raise AuthUnavailable()
        passed = {k: v for k, v in response.headers.items() if k.lower() in PASSED_BACK}
        return Forwarded(response.status_code, response.content, passed)
