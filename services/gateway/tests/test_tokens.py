"""Local access-token checks: keys by kid from the JWKS, refetched on an
unknown kid (key rotation) but at most once per interval, and again when the
key set's max-age passes, so a key auth retires stops verifying (issue 13,
finding 5)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pind_gateway.adapters.auth_service import max_age
from pind_gateway.auth.tokens import PublishedKeys, TokenVerifier
from pind_gateway.core.errors import AuthUnavailable, InvalidToken


class Keys:
    """A JWKS that rotates, counting fetches."""

    def __init__(self) -> None:
        self.private: dict[str, Ed25519PrivateKey] = {}
        self.fetches = 0
        self.down = False
        self.max_age_s: float | None = None

    def add(self, kid: str) -> None:
        self.private[kid] = Ed25519PrivateKey.generate()

    async def jwks(self) -> PublishedKeys:
        self.fetches += 1
        if self.down:
            raise AuthUnavailable()
        keys = [
            {**jwt.algorithms.OKPAlgorithm.to_jwk(k.public_key(), as_dict=True), "kid": kid}
            for kid, k in self.private.items()
        ]
        return PublishedKeys(keys, self.max_age_s)

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


async def test_a_retired_key_stops_verifying_once_the_max_age_passes() -> None:
    keys, clock = Keys(), Clock()
    keys.add("old")
    keys.max_age_s = 60
    check = verifier(keys, clock)
    token = keys.token("old")
    assert await check.verify(token)  # verified, and kept in the verified-token cache

    keys.add("new")
    del keys.private["old"]  # auth retired the key (e.g. it leaked)
    clock.now += 59
    assert await check.verify(token)  # within the max-age: still trusted
    assert keys.fetches == 1

    clock.now += 2
    with pytest.raises(InvalidToken):
        await check.verify(token)
    assert keys.fetches == 2
    assert await check.verify(keys.token("new"))


async def test_the_max_age_is_capped_and_no_answer_means_the_default() -> None:
    keys, clock = Keys(), Clock()
    keys.add("k1")
    keys.max_age_s = 10**9  # auth says "forever"
    check = TokenVerifier(
        keys.jwks,
        issuer="pind-auth",
        audience="pind",
        refetch_min_s=30,
        max_age_cap_s=300,
        clock=clock,
    )
    assert await check.verify(keys.token("k1"))
    clock.now += 301
    assert await check.verify(keys.token("k1"))
    assert keys.fetches == 2


async def test_auth_unreachable_at_refresh_keeps_the_last_keys() -> None:
    keys, clock = Keys(), Clock()
    keys.add("k1")
    keys.max_age_s = 60
    check = verifier(keys, clock)
    assert await check.verify(keys.token("k1"))
    keys.down = True
    clock.now += 61
    assert await check.verify(keys.token("k1"))  # only auth can retire a key
    assert await check.verify(keys.token("k1"))
    assert keys.fetches == 2  # retried after a second, not on every request
    clock.now += 1.5
    keys.down = False
    assert await check.verify(keys.token("k1"))
    assert keys.fetches == 3


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("public, max-age=300", 300.0),
        ('max-age="60", must-revalidate', 60.0),
        ("no-store", 0.0),
        ("no-cache, max-age=600", 0.0),
        ("public", None),
        (None, None),
        ("s-maxage=100", None),
    ],
)
def test_max_age_is_read_from_cache_control(header: str | None, seconds: float | None) -> None:
    assert max_age(header) == seconds
