"""The SQL of places across videos."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from pind_gateway.core.models import Place, Video, VideoPlace


async def places_in_box(
    session: AsyncSession,
    min_lon: float,
    min_lat: float,
    max_lon: float,
    max_lat: float,
    limit: int,
) -> Sequence[VideoPlace]:
    """Video places whose place lies in the box (west may exceed east: the box
    crosses the antimeridian), most confident first and, among equals, from
    the videos analysed most recently, with place and video loaded."""
    lon = (
        Place.lon.between(min_lon, max_lon)
        if min_lon <= max_lon
        else (Place.lon >= min_lon) | (Place.lon <= max_lon)
    )
    return (
        await session.scalars(
            select(VideoPlace)
            .join(VideoPlace.place)
            .join(VideoPlace.video)
            .where(Place.lat.between(min_lat, max_lat), lon)
            .options(contains_eager(VideoPlace.place), contains_eager(VideoPlace.video))
            .order_by(
                VideoPlace.confidence.desc(),
                Video.places_at.desc().nulls_last(),
                Place.id,
                VideoPlace.video_id,
            )
            .limit(limit)
        )
    ).all()
