"""The load tool's client honours a 503's Retry-After, as a real client does:
auth or the database briefly away after start must not end a run."""

from __future__ import annotations

import httpx
import pytest
from aiohttp import web

from benchmarks.load.drive import SUBMIT_ATTEMPTS, Ledger, gateway_submitter
from pind_fakes.serving import serve


def gateway_unavailable_for(answers: int) -> web.Application:
    """A gateway that answers 503 with Retry-After ``answers`` times, then 202."""
    seen: list[int] = []

    async def submit(_: web.Request) -> web.Response:
        seen.append(1)
        if len(seen) <= answers:
            return web.json_response(
                {"detail": "sign-in is unavailable right now", "code": "auth_unavailable"},
                status=503,
                headers={"Retry-After": "0"},
            )
        return web.json_response({"job_id": "job-1"}, status=202)

    app = web.Application()
    app.router.add_post("/api/v1/videos", submit)
    return app


async def test_a_503_with_retry_after_is_sent_again() -> None:
    ledger = Ledger()
    async with (
        serve(gateway_unavailable_for(1)) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        assert await gateway_submitter(http, {}, ledger)("pindSeoul01") == "job-1"
    assert (ledger.retried, ledger.rejected) == (1, 0)


async def test_a_gateway_that_stays_away_ends_the_submission_with_its_answer() -> None:
    ledger = Ledger()
    async with (
        serve(gateway_unavailable_for(SUBMIT_ATTEMPTS)) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        with pytest.raises(RuntimeError, match=r"503 .*auth_unavailable"):
            await gateway_submitter(http, {}, ledger)("pindSeoul01")
    assert (ledger.retried, ledger.rejected) == (SUBMIT_ATTEMPTS - 1, 1)
