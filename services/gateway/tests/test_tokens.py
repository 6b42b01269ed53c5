"""Local access-token checks: keys by kid from the JWKS, refetched on an
unknown kid (key rotation) but at most once per interval."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pind_gateway.auth.tokens import TokenVerifier
from pind_gateway.errors import AuthUnavailable, InvalidToken


class Keys:
    """A JWKS that rotates, counting fetches."""

    def __init__(self) -> None:
        self.private: dict[str, Ed25519PrivateKey] = {}
        self.fetches = 0
        self.down = False

    def add(self, kid: str) -> None:
        self.private[kid] = Ed25519PrivateKey.generate()

    async def jwks(self) -> list[dict[str, Any]]:
        self.fetches += 1
        if self.down:
            raise AuthUnavailable()
        return [
            {**jwt.algorithms.OKPAlgorithm.to_jwk(k.public_key(), as_dict=True), "kid": kid}
            for kid, k in self.private.items()
        ]

    def token(self, kid: str, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": "pind-auth",
            "aud": "pind",
            "sub": str(uuid.uuid4()),
            "iat": now,
            "nbf": now,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(
            body, self.private[kid], algorithm="EdDSA", headers={"kid": kid, "typ": "at+jwt"}
        )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def verifier(keys: Keys, clock: Clock) -> TokenVerifier:
    return TokenVerifier(
        keys.jwks, issuer="pind-auth", audience="pind", refetch_min_s=30, clock=clock
    )


async def test_rotation_refetches_once_per_interval() -> None:
    keys, clock = Keys(), Clock()
    keys.add("k1")
    check = verifier(keys, clock)
    token = keys.token("k1")
    user = uuid.UUID(jwt.decode(token, options={"verify_signature": False})["sub"])
    assert await check.verify(token) == user
    assert await check.verify(keys.token("k1")) is not None
    assert keys.fetches == 1  # cached

    keys.add("k2")  # auth rotated its key
    clock.now += 31
    assert await check.verify(keys.token("k2"))
    assert keys.fetches == 2

    with pytest.raises(InvalidToken):  # forged kids do not make us fetch again
        await check.verify(_unknown_kid_token())
    assert keys.fetches == 2


def _unknown_kid_token() -> str:
    other = Keys()
    other.add("nobody")
    return other.token("nobody")


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "someone-else"},
        {"aud": "another-api"},
        {"exp": int(time.time()) - 3600},
        {"nbf": int(time.time()) + 3600},
        {"sub": "not-a-uuid"},
    ],
)
async def test_claims_are_strict(claims: dict[str, Any]) -> None:
    keys, clock = Keys(), Clock()
    keys.add("k1")
    with pytest.raises(InvalidToken):
        await verifier(keys, clock).verify(keys.token("k1", **claims))


async def test_auth_down_is_503_and_retried_soon() -> None:
    keys, clock = Keys(), Clock()
    keys.add("k1")
    keys.down = True
    check = verifier(keys, clock)
    with pytest.raises(AuthUnavailable):
        await check.verify(keys.token("k1"))
    keys.down = False
    clock.now += 1.5
    assert await check.verify(keys.token("k1"))
