"""The map page at ``/``: rendered in Korean or English (see :mod:`.i18n`) with
its settings (tile server) inlined, static files shipped in the package
(Leaflet and topojson-client from npm, the offline base layer built by
tools/map-data), and the settings as JSON at ``/config.json``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from pind_gateway.settings import GatewaySettings
from pind_gateway.web.i18n import COOKIE, LANGUAGES, choose_language, load_messages, render_page

STATIC_DIR = Path(__file__).resolve().parent / "static"


class PageConfig(BaseModel):
    tile_url: str = Field(
        description="Tile URL template; empty: the page draws its offline base layer."
    )
    tile_attribution: str


def mount_web(app: FastAPI, settings: GatewaySettings) -> None:
    config = PageConfig(
        tile_url=settings.map_tile_url, tile_attribution=settings.map_tile_attribution
    )
    messages = load_messages(STATIC_DIR / "i18n")
    template = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    # Rendered once per language: a missing message fails at start, not on a request.
    pages = {
        language: render_page(template, language, messages, config.model_dump())
        for language in LANGUAGES
    }

    @app.get("/", include_in_schema=False)
    async def page(request: Request) -> HTMLResponse:
        language = choose_language(
            request.headers.get("accept-language"), request.cookies.get(COOKIE)
        )
        headers = {
            "Cache-Control": "no-cache",
            "Content-Language": language,
            "Vary": "Accept-Language, Cookie",
        }
        return HTMLResponse(pages[language], headers=headers)

    @app.get("/config.json", include_in_schema=False)
    async def page_config() -> PageConfig:
        return config

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
