"""Access tokens verified per second on one core (Ed25519 signature checks,
and the verifier's cache of tokens already verified)."""

from __future__ import annotations

import uuid


async def bench_token_verification(count: int) -> tuple[float, float]:
    """Access tokens verified per second on this one core: every token new
    (an Ed25519 signature check each) and the same token again (cache hit)."""
    import time as _time

    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from jwt.algorithms import OKPAlgorithm

    from pind_gateway.adapters.auth_service import PublishedKeys
    from pind_gateway.auth.tokens import ALGORITHM, TOKEN_TYPE, TokenVerifier

    key = Ed25519PrivateKey.generate()
    jwk = OKPAlgorithm.to_jwk(key.public_key(), as_dict=True) | {"kid": "bench", "alg": ALGORITHM}

    async def source() -> PublishedKeys:
        return PublishedKeys([jwk])

    now = int(_time.time())
    tokens = [
        jwt.encode(
            {
                "iss": "pind-auth",
                "aud": "pind",
                "sub": str(uuid.uuid4()),
                "iat": now,
                "nbf": now,
                "exp": now + 600,
                "jti": uuid.uuid4().hex,
            },
            key,
            algorithm=ALGORITHM,
            headers={"kid": "bench", "typ": TOKEN_TYPE},
        )
        for _ in range(count)
    ]
    rates = []
    for cache in (0, 10_000):
        verifier = TokenVerifier(
            source, issuer="pind-auth", audience="pind", refetch_min_s=30, verified_cache_size=cache
        )
        await verifier.verify(tokens[0])  # keys fetched once
        batch = tokens if cache == 0 else [tokens[0]] * count
        started = _time.process_time()
        for token in batch:
            await verifier.verify(token)
        rates.append(count / (_time.process_time() - started))
    return rates[0], rates[1]
