"""The map page with a finished analysis, in headless Chromium (Debian's,
driven by Playwright), on a desktop and a phone (390×844), in Korean and
English, with the offline base layer and with tiles (a tile server the test
itself answers for, through Playwright's routing). Each of the eight views is
checked (language, the base layer's paths or the loaded tiles, the places in
the order the video reaches them, their links, the share link, no sideways
scrolling on the phone) and written to test-artifacts/screenshots/."""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.async_api import Browser, Page, Route, async_playwright

from benchmarks.gateway_processes import running
from pind_contracts import (
    JOB_STAGE,
    PLACES_EXTRACTED,
    VIDEO_INGESTED,
    Evidence,
    Place,
    PlacesExtracted,
    UnresolvedPlace,
)
from pind_gateway.settings import GatewaySettings
from pind_gateway.web.endpoints import STATIC_DIR
from pind_gateway.web.i18n import load_messages

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Never resolved: every request to it is answered by the test's route.
TILE_HOST = "http://tiles.pind.test"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LOCALES = {"ko": "ko-KR", "en": "en-US"}
MESSAGES: dict[str, dict[str, str]] = {
    language: table for language, table in load_messages(STATIC_DIR / "i18n").items()
}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
)


def tile_png() -> bytes:
    """A 256×256 light tile with a darker edge, so tiles show as a grid."""
    edge, fill = b"\x9f\xb4\xc7", b"\xe6\xee\xe9"
    rows = []
    for y in range(256):
        line = edge * 256 if y in (0, 255) else edge + fill * 254 + edge
        rows.append(b"\x00" + line)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


# Given to the gateway out of the video's order; the page lists them by their
# first moment, the one only in the title last.
GWANGJANG = ("광장시장", 37.5701, 126.9996)
NAMSAN = ("남산서울타워", 37.5512, 126.9882)
GYEONGBOKGUNG = ("경복궁", 37.5796, 126.9770)
HAEUNDAE = ("해운대해수욕장", 35.1587, 129.1604)
IN_VIDEO_ORDER = [GWANGJANG[0], NAMSAN[0], GYEONGBOKGUNG[0], HAEUNDAE[0]]


def vlog_places(job_id: uuid.UUID, video_id: str) -> PlacesExtracted:
    def place(
        key: str, spot: tuple[str, float, float], category: str, *evidence: Evidence
    ) -> Place:
        name, lat, lon = spot
        return Place(
            key=key,
            name=name,
            category=category,
            lat=lat,
            lon=lon,
            confidence=0.9,
            geocoder="gazetteer",
            evidence=list(evidence),
        )

    return PlacesExtracted(
        job_id=job_id,
        video_id=video_id,
        places=[
            place(
                "gazetteer:palace:gyeongbokgung",
                GYEONGBOKGUNG,
                "palace",
                Evidence(source="ocr", text="경복궁", start_s=301.0),
            ),
            place(
                "gazetteer:beach:haeundae",
                HAEUNDAE,
                "beach",
                Evidence(source="title", text="서울에서 부산 해운대까지"),
            ),
            place(
                "gazetteer:landmark:namsan-tower",
                NAMSAN,
                "landmark",
                Evidence(source="transcript", text="남산서울타워 올라가요", start_s=190.2),
                Evidence(source="ocr", text="N서울타워", start_s=150.0),
            ),
            place(
                "gazetteer:market:gwangjang",
                GWANGJANG,
                "market",
                Evidence(source="transcript", text="오늘은 광장시장에 왔어요", start_s=83.4),
            ),
        ],
        unresolved=[
            UnresolvedPlace(
                name="할머니집",
                category="restaurant",
                confidence=0.4,
                evidence=[Evidence(source="transcript", text="할머니집 빈대떡", start_s=95.0)],
                reason="no geocoder knows this name",
            )
        ],
        inputs_used=["metadata", "transcript", "vision"],
        extractor="offline",
    )


async def finished_job(client: httpx.AsyncClient, play: Callable[..., Any], events: Any) -> Any:
    video_id = events.video_id()
    submitted = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    assert submitted.status_code == 202, submitted.text
    job_id = uuid.UUID(submitted.json()["job_id"])
    analysis = [
        (topic, vlog_places(job_id, video_id) if topic == PLACES_EXTRACTED else payload)
        for topic, payload in events.full_analysis(job_id, video_id)
    ]
    assert {topic for topic, _ in analysis} == {JOB_STAGE, VIDEO_INGESTED, PLACES_EXTRACTED}
    await play(job_id, video_id, analysis)
    job = (await client.get(f"/api/v1/jobs/{job_id}")).json()
    assert job["state"] == "succeeded"
    return job_id, video_id


async def open_page(
    browser: Browser, url: str, device: str, lang: str, tiles_served: list[str]
) -> tuple[Page, list[str]]:
    """A fresh browser context (no storage) at ``url``, and the page's script errors."""
    context = await browser.new_context(
        viewport=VIEWPORTS[device],  # type: ignore[arg-type]
        locale=LOCALES[lang],
        is_mobile=device == "phone",
        has_touch=device == "phone",
    )
    await context.grant_permissions(["clipboard-read", "clipboard-write"])

    async def serve_tile(route: Route) -> None:
        tiles_served.append(route.request.url)
        await route.fulfill(status=200, content_type="image/png", body=tile_png())

    await context.route(f"{TILE_HOST}/**", serve_tile)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(url)
    return page, errors


async def check_places(page: Page, video_id: str, lang: str) -> None:
    names = await page.locator("#places .place-name").all_text_contents()
    assert names == IN_VIDEO_ORDER
    assert await page.locator(".leaflet-marker-icon").all_text_contents() == ["1", "2", "3", "4"]
    first = page.locator("#places > li").first
    name = quote(GWANGJANG[0], safe="")
    assert await first.locator("a.kakao").get_attribute("href") == (
        f"https://map.kakao.com/link/map/{name},37.5701,126.9996"
    )
    naver = await first.locator("a.naver").get_attribute("href") or ""
    assert naver.startswith(f"https://map.naver.com/p/search/{name}?c=14137")
    assert await first.locator("a.google").get_attribute("href") == (
        "https://www.google.com/maps/search/?api=1&query=37.570100%2C126.999600"
    )
    assert await first.locator("a.kakao").text_content() == MESSAGES[lang]["place.kakao"]
    assert await first.locator("a.moment").get_attribute("href") == (
        f"https://www.youtube.com/watch?v={video_id}&t=83s"
    )
    # Namsan's first moment is its on-screen text at 2:30, not the speech at 3:10.
    second = page.locator("#places > li").nth(1)
    assert await second.locator("a.moment").text_content() == "▶ 2:30"
    last = page.locator("#places > li").last
    assert await last.locator("a.moment").count() == 0
    assert MESSAGES[lang]["place.untimed"] in (await last.text_content() or "")
    category = MESSAGES[lang]["category.market"]
    assert (await first.locator(".meta").text_content() or "").startswith(category)


async def test_the_map_page_screenshots(
    settings: GatewaySettings,
    migrated: None,
    topics: None,
    client: httpx.AsyncClient,
    play: Callable[..., Any],
    events: Any,
    tmp_path: Path,
) -> None:
    job_id, video_id = await finished_job(client, play, events)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    common = {"PIND_RUN_PROJECTION": "false", "PIND_CONSUMER_GROUP": f"page-{uuid.uuid4().hex}"}
    tile_url = {"PIND_MAP_TILE_URL": f"{TILE_HOST}/{{z}}/{{x}}/{{y}}.png"}
    written: list[Path] = []
    async with (
        running(settings, tmp_path, offline=common, tiles={**common, **tile_url}) as gateways,
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for layer in ("offline", "tiles"):
            base = gateways[layer].url
            for device in VIEWPORTS:
                for lang in LOCALES:
                    tiles_served: list[str] = []
                    page, errors = await open_page(
                        browser, f"{base}/?job={job_id}", device, lang, tiles_served
                    )
                    await page.wait_for_function(
                        "document.getElementById('status').dataset.state === 'succeeded'"
                    )
                    assert await page.get_attribute("html", "lang") == lang
                    assert await page.title() == MESSAGES[lang]["page.title"]
                    assert (
                        await page.text_content("#places-title") == MESSAGES[lang]["places.title"]
                    )
                    if layer == "offline":
                        await page.wait_for_selector("#map[data-basemap=ready]")
                        paths = page.locator("#map .leaflet-basemap-pane svg path")
                        assert await paths.count() == 239 + 18  # countries, provinces
                        assert tiles_served == []
                    else:
                        await page.wait_for_function(
                            "document.querySelectorAll('#map img.leaflet-tile-loaded').length > 3"
                        )
                        assert await page.locator(".leaflet-basemap-pane").count() == 0
                        assert tiles_served and all(u.endswith(".png") for u in tiles_served)
                    await check_places(page, video_id, lang)
                    share = await page.input_value("#share-link")
                    assert share == f"{base}/?job={job_id}"
                    if device == "phone":
                        width = await page.evaluate("document.documentElement.scrollWidth")
                        assert width <= 390, "the phone layout scrolls sideways"
                        box = await page.locator("#map").bounding_box()
                        assert box is not None and box["width"] == 390 and box["height"] > 250
                    path = SCREENSHOTS / f"map-{device}-{lang}-{layer}.png"
                    await page.screenshot(path=str(path), full_page=device == "phone")
                    written.append(path)
                    assert errors == []
                    await page.context.close()
        await browser.close()
    assert len(written) == 8
    for path in written:
        assert path.stat().st_size > 20_000, path


async def test_the_language_switch_the_share_link_and_a_localised_error(
    settings: GatewaySettings,
    migrated: None,
    topics: None,
    client: httpx.AsyncClient,
    play: Callable[..., Any],
    events: Any,
    tmp_path: Path,
) -> None:
    job_id, _ = await finished_job(client, play, events)
    common = {
        "PIND_RUN_PROJECTION": "false",
        "PIND_CONSUMER_GROUP": f"page-{uuid.uuid4().hex}",
        "PIND_GUEST_SUBMISSIONS_PER_WINDOW": "100000",
    }
    async with (
        running(settings, tmp_path, page=common) as gateways,
        async_playwright() as playwright,
    ):
        base = gateways["page"].url
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page, errors = await open_page(browser, f"{base}/?job={job_id}", "desktop", "en", [])
        await page.wait_for_function(
            "document.getElementById('status').dataset.state === 'succeeded'"
        )
        assert await page.text_content("#lang-switch") == "한국어"

        # The share link, copied.
        await page.click("#share-copy")
        await page.wait_for_selector("#share-message:not(:empty)")
        assert await page.text_content("#share-message") == MESSAGES["en"]["share.copied"]
        copied = await page.evaluate("navigator.clipboard.readText()")
        assert copied == f"{base}/?job={job_id}"

        # Switching re-renders in place and is remembered for the next visit.
        await page.click("#lang-switch")
        assert await page.get_attribute("html", "lang") == "ko"
        assert await page.title() == MESSAGES["ko"]["page.title"]
        assert await page.text_content("#places-title") == MESSAGES["ko"]["places.title"]
        assert await page.text_content("#share-message") == MESSAGES["ko"]["share.copied"]
        first = page.locator("#places > li").first
        assert await first.locator("a.naver").text_content() == MESSAGES["ko"]["place.naver"]
        assert MESSAGES["ko"]["state.succeeded"] in (await page.text_content("#step") or "")
        assert await page.evaluate("localStorage.getItem('pind.lang')") == "ko"
        await page.reload()  # the browser still says en-US; the cookie says ko
        assert await page.get_attribute("html", "lang") == "ko"
        assert await page.text_content("#lang-switch") == "English"

        # An error code from the API, in the reader's language.
        await page.goto(f"{base}/?job={uuid.uuid4()}")
        await page.wait_for_selector("#step.error")
        assert await page.text_content("#step") == MESSAGES["ko"]["error.job_not_found"]
        await page.fill("#link", "https://example.com/watch?v=1")
        await page.click("#submit button[type=submit]")
        await page.wait_for_function(
            f"document.getElementById('step').textContent === {MESSAGES['ko']['error.invalid_url']!r}"
        )
        assert errors == []
        await browser.close()
