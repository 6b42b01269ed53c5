"""Places inside a map box, and a video's or a job's places as GeoJSON/KML."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from pind_gateway.core.deps import ReaderDep
from pind_gateway.core.errors import InvalidBoundingBox
from pind_gateway.core.models import Video, VideoPlace
from pind_gateway.core.schemas import error_responses
from pind_gateway.domain.exports import InvalidBox, parse_bbox, to_geojson, to_kml
from pind_gateway.jobs import service as jobs
from pind_gateway.places import repository as repo
from pind_gateway.places.schemas import PlacesInBox, export_places, export_title, map_place_out
from pind_gateway.videos import service as videos

router = APIRouter(prefix="/api/v1", tags=["places"])

GEOJSON = "application/geo+json"
KML = "application/vnd.google-earth.kml+xml"
Format = Literal["geojson", "kml"]

_EXPORT_RESPONSES = {
    200: {
        "description": "GeoJSON FeatureCollection (`geojson`) or KML 2.2 document (`kml`), "
        "importable into Google My Maps",
        "content": {
            GEOJSON: {"schema": {"type": "object"}},
            KML: {"schema": {"type": "string"}},
        },
    },
    **error_responses(404, 422),
}


def _export(video: Video, places: list[VideoPlace], fmt: Format) -> Response:
    exported = export_places(video, places)
    title = export_title(video)
    filename = f"pind-{video.video_id}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "kml":
        return Response(to_kml(exported, title=title), media_type=KML, headers=headers)
    body = json.dumps(to_geojson(exported, title=title), ensure_ascii=False)
    return Response(body, media_type=GEOJSON, headers=headers)


@router.get(
    "/videos/{video_id}/places.{fmt}",
    summary="Export a video's places",
    response_class=Response,
    responses=_EXPORT_RESPONSES,
)
async def export_video_places(video_id: str, fmt: Format, session: ReaderDep) -> Response:
    video, places = await videos.get_video(session, video_id)
    return _export(video, list(places), fmt)


@router.get(
    "/jobs/{job_id}/places.{fmt}",
    summary="Export a job's places",
    response_class=Response,
    responses=_EXPORT_RESPONSES,
    tags=["jobs"],
)
async def export_job_places(job_id: uuid.UUID, fmt: Format, session: ReaderDep) -> Response:
    view = await jobs.get_job(session, job_id)
    return _export(view.video, list(view.places), fmt)


@router.get(
    "/places",
    summary="Places inside a map bounding box, across every video",
    responses=error_responses(422),
)
async def places_in_box(
    session: ReaderDep,
    bbox: Annotated[
        str,
        Query(
            max_length=200,
            description="minLon,minLat,maxLon,maxLat in degrees (WGS 84)",
            examples=["126.9,37.5,127.1,37.6"],
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> PlacesInBox:
    try:
        box = parse_bbox(bbox)
    except InvalidBox as exc:
        raise InvalidBoundingBox(str(exc)) from exc
    rows = await repo.places_in_box(
        session, box.min_lon, box.min_lat, box.max_lon, box.max_lat, limit + 1
    )
    return PlacesInBox(
        places=[map_place_out(vp) for vp in rows[:limit]], truncated=len(rows) > limit
    )
