"""The map page at / in headless Chromium (Debian's, driven by Playwright), on
a phone, in English: sign up, paste a link with the keyboard, watch live
progress, see the places as a list and as numbered markers with evidence,
moment and "open in" links, the share link, and the history. Screenshots go to
test-artifacts/screenshots/ (test_map_page_screens.py takes the full set)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from playwright.async_api import Page, async_playwright

from benchmarks.gateway_processes import Instance

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


async def dataset(page: Page, key: str) -> str:
    value: str = await page.evaluate(f"document.getElementById('status').dataset.{key} || ''")
    return value


async def test_the_map_page_end_to_end(
    instances: dict[str, Instance], events: Any, producer: AIOKafkaProducer
) -> None:
    b = instances["b"]  # the instance that does not project: updates arrive via NOTIFY
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    video_id = events.video_id()
    email = f"page-{uuid.uuid4().hex[:10]}@tests.example.com"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = await browser.new_context(
            viewport={"width": 390, "height": 844},  # a phone
            locale="en-US",
            # As a reverse proxy would say; the gateway trusts loopback proxies.
            extra_http_headers={"X-Forwarded-For": events.address()},
        )
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{b.url}/")
        assert await page.title() == "pind — places in a video, on a map"

        # Create an account and sign in, by keyboard only.
        await page.focus("#email")
        await page.keyboard.type(email)
        await page.keyboard.press("Tab")
        await page.keyboard.type("a long pass phrase 42")
        await page.keyboard.press("Tab")  # "Sign in"
        await page.keyboard.press("Tab")  # "Create account"
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#signedin:not([hidden])")
        assert email in (await page.text_content("#who") or "")

        await page.focus("#link")
        await page.keyboard.type(f"https://youtu.be/{video_id}?t=10")
        await page.keyboard.press("Enter")
        await page.wait_for_function("document.getElementById('status').dataset.jobId")
        job_id = uuid.UUID(await dataset(page, "jobId"))
        assert await dataset(page, "state") == "queued"

        analysis = events.full_analysis(job_id, video_id)
        await events.publish(producer, job_id, video_id, analysis[:3])  # ingest done, metadata
        await page.wait_for_selector("#video a")  # shown live, while the analysis runs
        assert await page.text_content("#video a") == "광장시장 먹방 브이로그"
        # the metadata and the stage update may arrive as two notifications
        await page.wait_for_function(
            "document.getElementById('status').dataset.state === 'running'", timeout=30_000
        )
        # Ingest done, nothing else started: the step named is the next stage's.
        await page.wait_for_function(
            "document.getElementById('step').textContent === 'reading the transcript (15%)'",
            timeout=30_000,
        )
        await events.publish(producer, job_id, video_id, analysis[3:])
        await page.wait_for_function(
            "document.getElementById('status').dataset.state === 'succeeded'", timeout=30_000
        )
        assert await page.locator("#progress").get_attribute("value") == "100"
        names = await page.locator("#places .place-name").all_text_contents()
        assert names == ["광장시장", "경복궁"]
        assert await page.locator(".leaflet-marker-icon").all_text_contents() == ["1", "2"]
        first = page.locator("#places > li").first
        moment = first.locator(".evidence a").first
        assert await moment.get_attribute("href") == (
            f"https://www.youtube.com/watch?v={video_id}&t=83s"
        )
        assert await first.locator("a.moment").text_content() == "▶ 1:23"
        maps = first.get_by_text("Google Maps")
        assert "query=37.570100%2C126.999600" in (await maps.get_attribute("href") or "")
        assert (await first.get_by_text("Kakao Map").get_attribute("href") or "").startswith(
            "https://map.kakao.com/link/map/"
        )
        # The page's address became the share link while it followed the job.
        assert page.url == f"{b.url}/?job={job_id}"
        assert await page.input_value("#share-link") == page.url
        assert await page.locator("#kml").get_attribute("href") == (
            f"/api/v1/jobs/{job_id}/places.kml"
        )

        # The list drives the map from the keyboard.
        await first.locator("button.show").focus()
        await page.keyboard.press("Enter")
        await page.wait_for_selector(".leaflet-popup-content")
        assert "광장시장" in (await page.text_content(".leaflet-popup-content") or "")

        await page.wait_for_selector("#signin", state="hidden")
        await page.wait_for_selector("#history li")
        assert "광장시장 먹방 브이로그" in (await page.text_content("#history") or "")
        await page.screenshot(path=str(ARTIFACTS / "live-phone-en.png"), full_page=True)
        await page.set_viewport_size({"width": 1280, "height": 800})
        await page.screenshot(path=str(ARTIFACTS / "live-desktop-en.png"))
        await browser.close()
    assert errors == []
    assert (ARTIFACTS / "live-phone-en.png").stat().st_size > 10_000
