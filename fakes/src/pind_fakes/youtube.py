"""Fake YouTube (port 8900): recorded yt-dlp info, media, captions, the caption API.

Routes
- GET  /recorded/{video_id}   recorded yt-dlp info dict, or {"error": {message, expected}}
- GET  /videoplayback?id=&itag=   media with Range support (HEAD too)
- GET  /vi/{video_id}/{maxresdefault|hqdefault}.jpg   thumbnails
- GET  /api/timedtext?v=&lang=[&kind=asr][&fmt=][&tlang=]   captions
- GET  /watch?v=   watch page carrying INNERTUBE_API_KEY (youtube-transcript-api)
- POST /youtubei/v1/player?key=   innertube player response with caption tracks
- GET  /_fake/catalog   which ids exist (samples and error scenarios)
"""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from pind_fakes import captions
from pind_fakes.serving import new_app
from pind_fakes.settings import FakesSettings
from pind_fakes.vlogs import CaptionTrack, Vlog, VlogStore

# Not a real key: youtube-transcript-api only needs something matching [a-zA-Z0-9_-]+.
INNERTUBE_API_KEY = "AIzaSyPindFakeInnertubeKey-0000000000"
TRANSLATION_LANGUAGES = {
    "en": "English",
    "ja": "Japanese",
    "zh-Hans": "Chinese (Simplified)",
    "ko": "Korean",
}
UNAVAILABLE_MESSAGE = "Video unavailable. This video is not available"

STORE = web.AppKey("store", VlogStore)


def create_app(settings: FakesSettings) -> web.Application:
    app = new_app()
    app[STORE] = VlogStore(settings.samples_dir, settings.scenarios_path)
    app.router.add_get("/recorded/{video_id}", recorded_info)
    app.router.add_get("/videoplayback", media)  # HEAD is added with GET
    app.router.add_get("/vi/{video_id}/{name}", thumbnail)
    app.router.add_get("/api/timedtext", timedtext)
    app.router.add_get("/watch", watch_page)
    app.router.add_post("/youtubei/v1/player", innertube_player)
    app.router.add_get("/_fake/catalog", catalog)
    return app


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


# ------------------------------------------------------------------ yt-dlp side


async def recorded_info(request: web.Request) -> web.Response:
    store = request.app[STORE]
    video_id = request.match_info["video_id"]
    scenario = store.scenario(video_id)
    if scenario and scenario.recorded_error:
        return web.json_response(
            {"error": {"message": scenario.recorded_error, "expected": True, "kind": scenario.kind}}
        )
    vlog = store.get(video_id)
    if vlog is None:
        return web.json_response(
            {"error": {"message": UNAVAILABLE_MESSAGE, "expected": True, "kind": "unknown"}},
            status=404,
        )
    return web.json_response(vlog.info(_base_url(request)), dumps=_dumps)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


async def media(request: web.Request) -> web.StreamResponse:
    vlog = request.app[STORE].get(request.query.get("id", ""))
    found = vlog.media(request.query.get("itag", "")) if vlog else None
    if found is None:
        raise web.HTTPNotFound(text="no such media")
    path, content_type = found
    # FileResponse answers Range requests (206 + Content-Range) and sends Content-Length.
    return web.FileResponse(path, headers={"Content-Type": content_type, "Accept-Ranges": "bytes"})


async def thumbnail(request: web.Request) -> web.StreamResponse:
    vlog = request.app[STORE].get(request.match_info["video_id"])
    path = vlog.thumbnail(request.match_info["name"]) if vlog else None
    if path is None:
        raise web.HTTPNotFound(text="no such thumbnail")
    return web.FileResponse(path, headers={"Content-Type": "image/jpeg"})


async def timedtext(request: web.Request) -> web.Response:
    query = request.query
    vlog = request.app[STORE].get(query.get("v", ""))
    track = (
        vlog.track(query.get("lang", ""), generated=query.get("kind") == "asr") if vlog else None
    )
    if track is None:
        # YouTube answers an unknown track with an empty 200.
        return web.Response(body=b"", content_type="text/html", charset="UTF-8")
    segments = list(track.segments)
    target = query.get("tlang")
    if target and target != track.lang:
        if target not in TRANSLATION_LANGUAGES:
            return web.Response(body=b"", content_type="text/html", charset="UTF-8")
        segments = captions.translate(segments, track.lang, target)
    body, content_type = captions.render(segments, query.get("fmt"), target or track.lang)
    return web.Response(body=body.encode("utf-8"), headers={"Content-Type": content_type})


# ------------------------------------------------------ youtube-transcript-api side


_RECAPTCHA_PAGE = """<!DOCTYPE html><html><head><title>https://www.youtube.com/watch</title>
</head><body><div id="infoDiv">Our systems have detected unusual traffic from your computer
network.</div><form id="captcha-form" action="index" method="post">
<div id="recaptcha" class="g-recaptcha" data-sitekey="6LfwuyUTAAAAAOAmoS0fdqijC2PbbdH4kjq62Y1b">
</div></form></body></html>"""


async def watch_page(request: web.Request) -> web.Response:
    store = request.app[STORE]
    video_id = request.query.get("v", "")
    scenario = store.scenario(video_id)
    if scenario and scenario.transcript == "recaptcha":
        return web.Response(text=_RECAPTCHA_PAGE, content_type="text/html", charset="utf-8")
    vlog = store.get(video_id)
    title = vlog.info_template["title"] if vlog else "YouTube"
    ytcfg = {
        "INNERTUBE_API_KEY": INNERTUBE_API_KEY,
        "INNERTUBE_CLIENT_NAME": "WEB",
        "INNERTUBE_CLIENT_VERSION": "2.20251120.01.00",
        "INNERTUBE_CONTEXT_HL": "en",
        "VISITOR_DATA": "CgtwaW5kRmFrZVZpcw%3D%3D",
    }
    player = _player_response(request, video_id)
    page = (
        '<!DOCTYPE html><html lang="en" dir="ltr"><head>'
        f"<title>{html.escape(title)} - YouTube</title>"
        f'<meta property="og:title" content="{html.escape(title)}">'
        f'<link rel="canonical" href="https://www.youtube.com/watch?v={html.escape(video_id)}">'
        "</head><body>"
        f'<script nonce="pind">ytcfg.set({json.dumps(ytcfg)});</script>'
        f'<script nonce="pind">var ytInitialPlayerResponse = {json.dumps(player)};</script>'
        "</body></html>"
    )
    return web.Response(text=page, content_type="text/html", charset="utf-8")


async def innertube_player(request: web.Request) -> web.Response:
    if request.query.get("key") != INNERTUBE_API_KEY:
        return web.json_response(
            {
                "error": {
                    "code": 400,
                    "message": "API key not valid. Please pass a valid API key.",
                    "status": "INVALID_ARGUMENT",
                }
            },
            status=400,
        )
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise web.HTTPBadRequest(text="invalid JSON body") from None
    video_id = str(body.get("videoId", ""))
    scenario = request.app[STORE].scenario(video_id)
    if scenario and scenario.transcript == "http_429":
        return web.Response(status=429, text="Too Many Requests")
    return web.json_response(_player_response(request, video_id), dumps=_dumps)


def _player_response(request: web.Request, video_id: str) -> dict[str, Any]:
    store = request.app[STORE]
    scenario = store.scenario(video_id)
    vlog = store.get(video_id)
    response: dict[str, Any] = {
        "responseContext": {"visitorData": "CgtwaW5kRmFrZVZpcw%3D%3D"},
    }
    if scenario and scenario.playability:
        response["playabilityStatus"] = dict(scenario.playability)
        return response
    if vlog is None:
        response["playabilityStatus"] = {"status": "ERROR", "reason": "This video is unavailable"}
        return response
    info = vlog.info_template
    response["playabilityStatus"] = {"status": "OK", "playableInEmbed": True}
    response["videoDetails"] = {
        "videoId": video_id,
        "title": info["title"],
        "lengthSeconds": str(int(info["duration"])),
        "keywords": info.get("tags", []),
        "channelId": info.get("channel_id"),
        "shortDescription": info.get("description", ""),
        "author": info.get("channel"),
        "isLiveContent": False,
        "viewCount": str(info.get("view_count", 0)),
    }
    if vlog.tracks:  # no "captions" key at all is what YouTube sends without captions
        response["captions"] = {"playerCaptionsTracklistRenderer": _caption_tracklist(vlog)}
    return response


def _caption_tracklist(vlog: Vlog) -> dict[str, Any]:
    po_token = vlog.scenario is not None and vlog.scenario.transcript == "po_token"
    tracks = []
    for track in vlog.tracks:
        entry: dict[str, Any] = {
            "baseUrl": _caption_base_url(vlog.video_id, track, po_token=po_token),
            "name": {"runs": [{"text": track.name}]},
            "vssId": f"{'a.' if track.is_generated else '.'}{track.lang}",
            "languageCode": track.lang,
            "isTranslatable": True,
            "trackName": "",
        }
        if track.is_generated:
            entry["kind"] = "asr"
        tracks.append(entry)
    return {
        "captionTracks": tracks,
        "audioTracks": [{"captionTrackIndices": list(range(len(tracks))), "audioTrackId": ""}],
        "translationLanguages": [
            {"languageCode": code, "languageName": {"runs": [{"text": name}]}}
            for code, name in TRANSLATION_LANGUAGES.items()
        ],
        "defaultAudioTrackIndex": 0,
    }


def _caption_base_url(video_id: str, track: CaptionTrack, *, po_token: bool) -> str:
    # Absolute www.youtube.com URLs, as YouTube sends them; the client's rewriting
    # session sends them to this server. "&fmt=srv3" is what the library strips.
    params = {"v": video_id, "ei": "pindFakeEi", "opi": "112496729"}
    if track.is_generated:
        params["caps"] = "asr"
    if po_token:
        params["exp"] = "xpe"
    params |= {
        "xoaf": "5",
        "hl": "en",
        "ip": "0.0.0.0",
        "ipbits": "0",
        "expire": "1893456000",
        "sparams": "ip,ipbits,expire,v,ei,caps,opi,xoaf",
        "signature": "PINDFAKESIGNATURE",
        "key": "yt8",
    }
    if track.is_generated:
        params["kind"] = "asr"
    params["lang"] = track.lang
    return f"https://www.youtube.com/api/timedtext?{urlencode(params, safe=',')}&fmt=srv3"


async def catalog(request: web.Request) -> web.Response:
    store = request.app[STORE]
    return web.json_response(
        {
            "videos": store.video_ids,
            "scenarios": {
                video_id: scenario.kind
                for video_id in store.scenario_ids
                if (scenario := store.scenario(video_id))
            },
        }
    )
