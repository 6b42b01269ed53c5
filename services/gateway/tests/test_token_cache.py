"""The verified-token cache answers repeats without weakening the checks."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from pind_gateway.auth.tokens import (
    ALGORITHM,
    TOKEN_TYPE,
    InvalidToken,
    PublishedKeys,
    TokenVerifier,
)

KEY = Ed25519PrivateKey.generate()
JWK = OKPAlgorithm.to_jwk(KEY.public_key(), as_dict=True) | {"kid": "k1", "alg": ALGORITHM}


async def _source() -> PublishedKeys:
    return PublishedKeys([JWK])


def _token(exp_in_s: int, sub: uuid.UUID) -> str:
    now = int(time.time())
    claims = {
        "iss": "pind-auth",
        "aud": "pind",
        "sub": str(sub),
        "iat": now - 1,
        "nbf": now - 1,
        "exp": now + exp_in_s,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, KEY, algorithm=ALGORITHM, headers={"kid": "k1", "typ": TOKEN_TYPE})


def _verifier() -> TokenVerifier:
    return TokenVerifier(_source, issuer="pind-auth", audience="pind", refetch_min_s=30, leeway_s=0)


async def test_a_repeated_token_is_answered_from_the_cache() -> None:
    verifier, user = _verifier(), uuid.uuid4()
    token = _token(600, user)
    assert await verifier.verify(token) == user
    assert await verifier.verify(token) == user
    assert len(verifier._verified) == 1


async def test_a_tampered_copy_of_a_cached_token_is_refused() -> None:
    verifier = _verifier()
    token = _token(600, uuid.uuid4())
    await verifier.verify(token)
    head, payload, signature = token.split(".")
    tampered = ".".join(
        (head, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB"))
    )
    with pytest.raises(InvalidToken):
        await verifier.verify(tampered)


async def test_a_cached_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = _verifier()
    token = _token(60, uuid.uuid4())
    await verifier.verify(token)
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)

    async def full_check(_token: str) -> tuple[uuid.UUID, float]:
        raise InvalidToken()  # what the signature/claims check says of an expired token

    # Past its expiry the cache must not answer: the full check runs again.
    monkeypatch.setattr(verifier, "_verify_signed", full_check)
    with pytest.raises(InvalidToken):
        await verifier.verify(token)
    assert verifier._verified == {}
