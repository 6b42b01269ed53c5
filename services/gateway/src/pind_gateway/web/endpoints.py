"""The map page at ``/``: static files shipped in the package (Leaflet vendored
from its npm package), and the page's settings (tile server) as JSON."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from pind_gateway.settings import GatewaySettings

STATIC_DIR = Path(__file__).resolve().parent / "static"


class PageConfig(BaseModel):
    tile_url: str = Field(description="Tile URL template; empty: the map shows no tiles.")
    tile_attribution: str


def mount_web(app: FastAPI, settings: GatewaySettings) -> None:
    config = PageConfig(
        tile_url=settings.map_tile_url, tile_attribution=settings.map_tile_attribution
    )

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/config.json", include_in_schema=False)
    async def page_config() -> PageConfig:
        return config

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
