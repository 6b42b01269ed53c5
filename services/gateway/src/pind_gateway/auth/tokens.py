"""Access tokens verified locally against the auth service's published keys.

The checks are the kit's (:mod:`pind_kit.tokens`, the same auth runs): only
``EdDSA`` (Ed25519) is accepted, with the key named by ``kid``; issuer,
audience, expiry and the other registered claims are required and checked
strictly. What is the gateway's own is where the keys come from: an unknown
``kid`` refetches the key set (at most once per ``refetch_min_s``, so a flood
of forged kids cannot hammer auth).

The key set is kept as long as auth's ``Cache-Control: max-age`` says (at most
``max_age_cap_s``), then fetched again: a key auth stops publishing stops
verifying within that time, tokens already verified with it included. While
auth cannot be reached the keys last fetched stay in use (only auth can
retire a key) and the fetch is retried every second.

With a deny list (:mod:`pind_gateway.auth.denials`) every token, the ones
already verified included, is also checked against it: a revoked session's
or deleted account's token answers 401 ``token_revoked``.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, Protocol

import jwt
import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pind_gateway.adapters.auth_service import PublishedKeys
from pind_gateway.core.errors import AuthUnavailable, InvalidToken
from pind_kit.tokens import (
    ALGORITHM,
    DEFAULT_LEEWAY_S,
    TOKEN_TYPE,
    AccessTokenDecoder,
    InvalidAccessToken,
    key_id,
)

__all__ = [
    "ALGORITHM",
    "TOKEN_TYPE",
    "Denials",
    "InvalidToken",
    "PublishedKeys",
    "TokenVerifier",
    "Verified",
    "ed25519_keys",
]

log = structlog.get_logger(__name__)

FAILED_FETCH_RETRY_S = 1.0


KeySource = Callable[[], Awaitable[PublishedKeys]]


class Denials(Protocol):
    """Revoked tokens (``pind_gateway.auth.denials.DenyList``)."""

    async def check(self, user_id: uuid.UUID, session_id: uuid.UUID | None, issued_at: int) -> None:
        """Raise :class:`InvalidToken` (``token_revoked``) if the token is revoked."""
        ...


class Verified(NamedTuple):
    """What a verified token says (and which key verified it)."""

    user_id: uuid.UUID
    expires_at: float
    kid: str
    session_id: uuid.UUID | None
    issued_at: int


def ed25519_keys(jwks: list[dict[str, Any]]) -> dict[str, Ed25519PublicKey]:
    """The usable Ed25519 verification keys of a JWKS, by kid."""
    keys: dict[str, Ed25519PublicKey] = {}
    for jwk in jwks:
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "kid" not in jwk:
            continue
        if jwk.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(jwk, algorithm=ALGORITHM).key
        except jwt.PyJWKError:
            log.warning("unusable key in JWKS skipped", kid=jwk.get("kid"))
            continue
        if isinstance(key, Ed25519PublicKey):
            keys[str(jwk["kid"])] = key
    return keys


class TokenVerifier:
    def __init__(
        self,
        source: KeySource,
        *,
        issuer: str,
        audience: str,
        refetch_min_s: float,
        max_age_cap_s: float = 3600.0,
        default_max_age_s: float = 300.0,
        leeway_s: float = DEFAULT_LEEWAY_S,
        clock: Callable[[], float] = time.monotonic,
        verified_cache_size: int = 10_000,
        denials: Denials | None = None,
    ) -> None:
        self._source = source
        self._denials = denials
        self._decoder = AccessTokenDecoder(issuer=issuer, audience=audience, leeway_s=leeway_s)
        self._refetch_min_s = refetch_min_s
        self._max_age_cap_s = max_age_cap_s
        self._default_max_age_s = default_max_age_s
        self._expires_at: float | None = None  # on ``clock``; None: never fetched
        self._retry_at = 0.0
        self._leeway_s = leeway_s
        self._clock = clock
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        # Tokens already verified, by digest: a client sends the same token on
        # every request until it expires, and a signature check costs far more
        # than a hash. A hit re-checks only the expiry.
        self._verified: OrderedDict[bytes, Verified] = OrderedDict()
        self._verified_max = verified_cache_size

    async def verify(self, token: str) -> uuid.UUID:
        """The user id of a valid access token; :class:`InvalidToken` otherwise."""
        if self._expires_at is not None and self._clock() >= self._expires_at:
            await self._refresh_expired()
        digest = hashlib.blake2b(token.encode(), digest_size=16).digest()
        verified = self._verified.get(digest)
        if verified is not None:
            if time.time() < verified.expires_at + self._leeway_s and verified.kid in self._keys:
                self._verified.move_to_end(digest)
            else:
                del self._verified[digest]
                verified = None
        if verified is None:
            verified = await self._verify_signed(token)
            if self._verified_max:
                self._verified[digest] = verified
                if len(self._verified) > self._verified_max:
                    self._verified.popitem(last=False)
        if self._denials is not None:
            await self._denials.check(verified.user_id, verified.session_id, verified.issued_at)
        return verified.user_id

    async def _verify_signed(self, token: str) -> Verified:
        try:
            kid = key_id(token)  # the header, strictly: chooses the key, trusts nothing
            key = await self._key(kid)
            if key is None:
                log.info("token signed with an unknown key refused", kid=kid)
                raise InvalidToken()
            claims = self._decoder.decode(token, kid, key)
        except InvalidAccessToken as exc:
            log.info("access token refused", reason=str(exc)[:200])
            raise InvalidToken() from exc
        return Verified(
            claims.user_id, float(claims.expires_at), kid, claims.session_id, claims.issued_at
        )

    async def _key(self, kid: str) -> Ed25519PublicKey | None:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid in self._keys:
                return self._keys[kid]
            now = self._clock()
            if self._fetched_at is not None and now - self._fetched_at < self._refetch_min_s:
                return None
            await self._fetch(now)
            return self._keys.get(kid)

    async def _refresh_expired(self) -> None:
        """Fetch the key set again once its max-age passed; if auth cannot be
        reached, keep the keys (retrying each second) rather than refuse everyone."""
        async with self._lock:
            now = self._clock()
            if self._expires_at is None or now < self._expires_at or now < self._retry_at:
                return
            try:
                await self._fetch(now)
            except AuthUnavailable:
                log.warning("JWKS refresh failed; keeping the keys fetched before")
                self._retry_at = now + FAILED_FETCH_RETRY_S

    async def _fetch(self, now: float) -> None:
        try:
            published = await self._source()
        except AuthUnavailable:
            # Try again after a second rather than after the whole interval.
            self._fetched_at = now - self._refetch_min_s + FAILED_FETCH_RETRY_S
            raise
        self._fetched_at = now
        max_age = self._default_max_age_s if published.max_age_s is None else published.max_age_s
        self._expires_at = now + min(max(max_age, 0.0), self._max_age_cap_s)
        keys = ed25519_keys(published.keys)
        retired = sorted(set(self._keys) - set(keys))
        self._keys = keys
        log.info("JWKS fetched", kids=sorted(keys), retired=retired, max_age_s=max_age)
