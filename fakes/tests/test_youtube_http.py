"""The fake YouTube's wire format, checked with plain HTTP (httpx)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from defusedxml import ElementTree as ET


@pytest.fixture
async def client(youtube_url: str):
    async with httpx.AsyncClient(base_url=youtube_url, timeout=10) as client:
        yield client


async def test_recorded_info_has_this_servers_urls(
    client: httpx.AsyncClient, youtube_url: str
) -> None:
    response = await client.get("/recorded/pindSeoul01")
    assert response.status_code == 200
    assert "{base}" not in response.text
    info = response.json()
    assert info["formats"][0]["url"].startswith(f"{youtube_url}/videoplayback?id=pindSeoul01")
    assert info["subtitles"]["ko"][0]["url"].startswith(f"{youtube_url}/api/timedtext?")


async def test_recorded_error_payloads(client: httpx.AsyncClient) -> None:
    private = await client.get("/recorded/pindPrivat1")
    assert private.status_code == 200
    assert private.json()["error"]["expected"] is True
    assert private.json()["error"]["kind"] == "private"
    unknown = await client.get("/recorded/pindNoSuch1")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "Video unavailable. This video is not available"


async def test_media_answers_ranges(client: httpx.AsyncClient, samples_dir: Path) -> None:
    whole = (samples_dir / "pindHongdae" / "audio.m4a").read_bytes()
    url = "/videoplayback?id=pindHongdae&itag=140"
    head = await client.head(url)
    assert head.status_code == 200
    assert int(head.headers["Content-Length"]) == len(whole)
    assert head.headers["Accept-Ranges"] == "bytes"
    assert head.headers["Content-Type"] == "audio/mp4"
    part = await client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert part.content == whole[100:200]
    tail = await client.get(url, headers={"Range": f"bytes={len(whole) - 10}-"})
    assert tail.content == whole[-10:]
    assert (await client.get("/videoplayback?id=pindHongdae&itag=22")).status_code == 404


async def test_thumbnails(client: httpx.AsyncClient, samples_dir: Path) -> None:
    maxres = await client.get("/vi/pindBusan03/maxresdefault.jpg")
    assert maxres.headers["Content-Type"] == "image/jpeg"
    assert maxres.content == (samples_dir / "pindBusan03" / "thumbnail.jpg").read_bytes()
    assert (await client.get("/vi/pindBusan03/hqdefault.jpg")).status_code == 200
    assert (await client.get("/vi/pindBusan03/sddefault.jpg")).status_code == 404


async def test_caption_formats(client: httpx.AsyncClient) -> None:
    base = "/api/timedtext?v=pindSeoul01&lang=ko"

    srv1 = ET.fromstring((await client.get(base)).text)
    assert srv1.tag == "transcript" and srv1[0].attrib == {"start": "0.5", "dur": "3"}

    srv3 = await client.get(base + "&fmt=srv3")
    paragraph = ET.fromstring(srv3.text).find("body/p")
    assert paragraph is not None and paragraph.attrib == {"t": "500", "d": "3000"}

    vtt = (await client.get(base + "&fmt=vtt")).text
    assert vtt.startswith("WEBVTT\nKind: captions\nLanguage: ko\n")
    assert "00:00:35.300 --> 00:00:39.000\n구독과 좋아요 부탁드려요!" in vtt

    srt = (await client.get(base + "&fmt=srt")).text
    assert srt.startswith("1\n00:00:00,500 --> 00:00:03,500\n")

    ttml = ET.fromstring((await client.get(base + "&fmt=ttml")).text)
    p = ttml.find(".//{http://www.w3.org/ns/ttml}p")
    assert p is not None and p.attrib["begin"] == "00:00:00.500"

    json3 = await client.get(base + "&kind=asr&fmt=json3")
    assert json3.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert json.loads(json3.text)["events"][1]["segs"][0]["utf8"] == "오늘은 서울역에서 시작합니다"


async def test_missing_caption_track_is_an_empty_200(client: httpx.AsyncClient) -> None:
    for query in (
        "v=pindBusan03&lang=ko",
        "v=pindHongdae&lang=en&kind=asr",
        "v=pindHongdae&lang=en&tlang=xx",
    ):
        response = await client.get(f"/api/timedtext?{query}")
        assert (response.status_code, response.content) == (200, b"")


async def test_innertube_checks_its_key(client: httpx.AsyncClient) -> None:
    response = await client.post("/youtubei/v1/player?key=wrong", json={"videoId": "pindSeoul01"})
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"


async def test_catalog_lists_samples_and_scenarios(client: httpx.AsyncClient) -> None:
    catalog = (await client.get("/_fake/catalog")).json()
    assert {"pindBusan03", "pindHongdae", "pindSeoul01"} <= set(catalog["videos"])
    assert catalog["videos"] == sorted(catalog["videos"])
    assert catalog["scenarios"]["pindTooLong"] == "too_long"
    assert (await client.get("/healthz")).json() == {"status": "ok"}
