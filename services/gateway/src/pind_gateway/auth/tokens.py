"""Access tokens verified locally against the auth service's published keys.

Only ``EdDSA`` (Ed25519) is accepted, with the key named by ``kid``; an unknown
``kid`` refetches the key set (at most once per ``refetch_min_s``, so a flood of
forged kids cannot hammer auth). Issuer, audience, expiry and the other
registered claims are required and checked strictly.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pind_gateway.errors import AuthUnavailable, InvalidToken

log = structlog.get_logger(__name__)

ALGORITHM = "EdDSA"
TOKEN_TYPE = "at+jwt"  # noqa: S105  (RFC 9068 access-token `typ`, not a secret)
REQUIRED_CLAIMS = ["iss", "aud", "sub", "iat", "exp", "jti"]
FAILED_FETCH_RETRY_S = 1.0

KeySource = Callable[[], Awaitable[list[dict[str, Any]]]]


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


def key_id(token: str) -> str | None:
    """The ``kid`` named by a token's header, unchecked (None if unreadable)."""
    segment = token.partition(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError):  # binascii.Error is a ValueError
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


class TokenVerifier:
    def __init__(
        self,
        source: KeySource,
        *,
        issuer: str,
        audience: str,
        refetch_min_s: float,
        leeway_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        verified_cache_size: int = 10_000,
    ) -> None:
        self._source = source
        self._issuer = issuer
        self._audience = audience
        self._refetch_min_s = refetch_min_s
        self._leeway_s = leeway_s
        self._clock = clock
        self._keys: dict[str, Ed25519PublicKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self._jwt = jwt.PyJWT()
        # Tokens already verified, by digest: a client sends the same token on
        # every request until it expires, and a signature check costs far more
        # than a hash. A hit re-checks only the expiry.
        self._verified: OrderedDict[bytes, tuple[uuid.UUID, float]] = OrderedDict()
        self._verified_max = verified_cache_size

    async def verify(self, token: str) -> uuid.UUID:
        """The user id of a valid access token; :class:`InvalidToken` otherwise."""
        digest = hashlib.blake2b(token.encode(), digest_size=16).digest()
        cached = self._verified.get(digest)
        if cached is not None:
            user_id, expires_at = cached
            if time.time() < expires_at + self._leeway_s:
                self._verified.move_to_end(digest)
                return user_id
            del self._verified[digest]
        user_id, expires_at = await self._verify_signed(token)
        if self._verified_max:
            self._verified[digest] = (user_id, expires_at)
            if len(self._verified) > self._verified_max:
                self._verified.popitem(last=False)
        return user_id

    async def _verify_signed(self, token: str) -> tuple[uuid.UUID, float]:
        # PyJWT reads and checks the whole token, header included, in one pass;
        # the kid is peeked at first only to choose the key it is checked with.
        # (Reading the header with PyJWT too would decode and check it twice.)
        kid = key_id(token)
        key = await self._key(kid) if kid is not None else None
        if key is None:
            log.info("token signed with an unknown key refused", kid=kid)
            raise InvalidToken()
        try:
            decoded = self._jwt.decode_complete(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway_s,
                options={"require": REQUIRED_CLAIMS, "strict_aud": True},
            )
            header, claims = decoded["header"], decoded["payload"]
            if header.get("typ") != TOKEN_TYPE or header.get("kid") != kid:
                raise jwt.InvalidTokenError("not an access token of this key")
            return uuid.UUID(str(claims["sub"])), float(claims["exp"])
        except (jwt.InvalidTokenError, ValueError) as exc:
            log.info("access token refused", reason=type(exc).__name__)
            raise InvalidToken() from exc

    async def _key(self, kid: str) -> Ed25519PublicKey | None:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid in self._keys:
                return self._keys[kid]
            now = self._clock()
            if self._fetched_at is not None and now - self._fetched_at < self._refetch_min_s:
                return None
            try:
                jwks = await self._source()
            except AuthUnavailable:
                # Try again after a second rather than after the whole interval.
                self._fetched_at = now - self._refetch_min_s + FAILED_FETCH_RETRY_S
                raise
            self._fetched_at = now
            self._keys = ed25519_keys(jwks)
            log.info("JWKS fetched", kids=sorted(self._keys))
            return self._keys.get(kid)
