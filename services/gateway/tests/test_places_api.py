"""A video's places with evidence and moment links; GeoJSON and KML exports;
places inside a bounding box across videos."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse
from xml.etree import ElementTree as ET

import httpx
import pytest

KML = "{http://www.opengis.net/kml/2.2}"


async def analysed(
    client: httpx.AsyncClient, events: Any, play: Callable[..., Any]
) -> tuple[str, uuid.UUID]:
    video_id = events.video_id()
    response = await client.post("/api/v1/videos", json={"url": f"https://youtu.be/{video_id}"})
    job_id = uuid.UUID(response.json()["job_id"])
    await play(job_id, video_id, events.full_analysis(job_id, video_id))
    return video_id, job_id


async def test_a_video_shows_its_places_evidence_and_links(
    client: httpx.AsyncClient, events: Any, play: Callable[..., Any]
) -> None:
    video_id, _ = await analysed(client, events, play)
    video = (await client.get(f"/api/v1/videos/{video_id}")).json()
    assert video["video"]["title"] == "광장시장 먹방 브이로그"
    market = video["places"][0]
    assert market["evidence"][0]["video_url_at"] == (
        f"https://www.youtube.com/watch?v={video_id}&t=83s"
    )
    maps = urlparse(market["google_maps_url"])
    assert (maps.netloc, maps.path) == ("www.google.com", "/maps/search/")
    assert parse_qs(maps.query) == {"api": ["1"], "query": ["37.570100,126.999600"]}
    assert video["unresolved"][0]["name"] == "할머니집"
    missing = await client.get("/api/v1/videos/AAAAAAAAAAA")
    assert missing.status_code == 404


async def test_geojson_export_of_a_job(
    client: httpx.AsyncClient, events: Any, play: Callable[..., Any]
) -> None:
    video_id, job_id = await analysed(client, events, play)
    response = await client.get(f"/api/v1/jobs/{job_id}/places.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert f'filename="pind-{video_id}.geojson"' in response.headers["content-disposition"]
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    market, palace = collection["features"]
    assert market["geometry"] == {"type": "Point", "coordinates": [126.9996, 37.5701]}
    assert market["properties"]["name"] == "광장시장"
    assert market["properties"]["evidence"][0]["video_url_at"].endswith("&t=83s")
    assert palace["properties"]["confidence"] == 0.81


async def test_kml_export_of_a_video_opens_as_kml_2_2(
    client: httpx.AsyncClient, events: Any, play: Callable[..., Any]
) -> None:
    video_id, _ = await analysed(client, events, play)
    response = await client.get(f"/api/v1/videos/{video_id}/places.kml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.google-earth.kml+xml"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(response.content)  # noqa: S314  (our own answer)
    assert root.tag == f"{KML}kml"
    document = root.find(f"{KML}Document")
    assert document is not None
    assert document.findtext(f"{KML}name") == "pind: 광장시장 먹방 브이로그"
    marks = document.findall(f"{KML}Placemark")
    assert [m.findtext(f"{KML}name") for m in marks] == ["광장시장", "경복궁"]
    assert marks[0].findtext(f"{KML}Point/{KML}coordinates") == "126.9996,37.5701,0"
    description = marks[0].findtext(f"{KML}description") or ""
    assert "[transcript] 오늘은 광장시장에 왔어요" in description
    assert f"watch?v={video_id}&t=83s" in description


async def test_places_in_a_box_across_videos(
    client: httpx.AsyncClient, events: Any, play: Callable[..., Any]
) -> None:
    first, _ = await analysed(client, events, play)
    second, _ = await analysed(client, events, play)
    # Around Gwangjang Market only (Gyeongbokgung lies further north-west).
    box = "126.995,37.565,127.005,37.575"
    found = (await client.get("/api/v1/places", params={"bbox": box, "limit": 1000})).json()
    # Equally confident places come from the videos analysed last first, so
    # these two are found however many earlier runs left in the shared
    # database, the later one ahead.
    here = [p for p in found["places"] if p["video_id"] in (first, second)]
    assert [p["video_id"] for p in here] == [second, first]
    assert {p["name"] for p in here} == {"광장시장"}
    assert all(
        126.995 <= p["lon"] <= 127.005 and 37.565 <= p["lat"] <= 37.575 for p in found["places"]
    )
    one = (await client.get("/api/v1/places", params={"bbox": box, "limit": 1})).json()
    assert len(one["places"]) == 1 and one["truncated"] is True


@pytest.mark.parametrize(
    ("bbox", "why"),
    [
        ("1,2,3", "expected 4"),
        ("a,b,c,d", "number"),
        ("0,50,10,40", "minLat is greater"),
        ("0,0,200,10", "longitudes"),
        ("nan,0,1,1", "finite"),
    ],
)
async def test_a_bad_box_says_what_is_wrong(client: httpx.AsyncClient, bbox: str, why: str) -> None:
    response = await client.get("/api/v1/places", params={"bbox": bbox})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_bbox"
    assert why in response.json()["detail"]
