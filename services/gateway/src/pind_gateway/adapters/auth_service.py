"""The auth service over HTTP: its public keys (with their Cache-Control
max-age), and the ``/auth/*`` and ``/api/v1/auth/*`` calls the gateway
forwards to it unchanged, naming the client in ``X-Forwarded-For``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from pind_gateway.core.errors import AuthUnavailable

log = structlog.get_logger(__name__)

# Headers of auth's answer passed back to the caller (the rest is hop-by-hop or ours).
PASSED_BACK = ("content-type", "retry-after", "www-authenticate", "cache-control")
MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def max_age(cache_control: str | None) -> float | None:
    """Seconds a response may be kept per its Cache-Control (0 for no-store or
    no-cache), None when the header says nothing about it."""
    if not cache_control:
        return None
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return 0.0
    found = MAX_AGE.search(cache_control)
    return float(found.group(1)) if found else None


@dataclass(frozen=True, slots=True)
class PublishedKeys:
    """A JWKS as fetched: its keys, and how long it may be kept (None: not said)."""

    keys: list[dict[str, Any]]
    max_age_s: float | None = None


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

    async def fetch_jwks(self) -> PublishedKeys:
        """The published JSON Web Keys and their max-age; :class:`AuthUnavailable`
        if they cannot be read."""
        try:
            response = await self._http.get(self._jwks_url)
            response.raise_for_status()
            keys = response.json()["keys"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("JWKS fetch failed", url=self._jwks_url, error=str(exc))
            raise AuthUnavailable() from exc
        if not isinstance(keys, list):
            raise AuthUnavailable()
        return PublishedKeys(
            [k for k in keys if isinstance(k, dict)],
            max_age(response.headers.get("cache-control")),
        )

    async def forward(
        self,
        path: str,
        *,
        content: bytes = b"",
        content_type: str | None = None,
        client_address: str | None,
        method: str = "POST",
        authorization: str | None = None,
    ) -> Forwarded:
        """Send ``content`` to auth's ``path`` as the caller sent it. The client's
        address goes in X-Forwarded-For: the only hop, as the gateway resolved it
        (uvicorn already took what trusted proxies before it recorded), so that
        nothing a client writes into the header reaches auth."""
        headers = {"accept": "application/json"}
        if content_type:
            headers["content-type"] = content_type
        if client_address:
            headers["x-forwarded-for"] = client_address
        if authorization:
            headers["authorization"] = authorization
        try:
            response = await self._http.request(
                method, f"{self._base_url}{path}", content=content, headers=headers
            )
        except httpx.HTTPError as exc:
            log.warning("auth service unreachable", path=path, error=str(exc))
            raise AuthUnavailable() from exc
        if response.status_code >= 500 and response.status_code != 503:
            log.warning("auth service failed", path=path, status=response.status_code)
            raise AuthUnavailable()
        passed = {k: v for k, v in response.headers.items() if k.lower() in PASSED_BACK}
        return Forwarded(response.status_code, response.content, passed)
