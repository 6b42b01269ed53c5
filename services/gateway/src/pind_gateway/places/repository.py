"""The SQL of places across videos."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from pind_gateway.core.models import Place, VideoPlace


async def places_in_box(
    session: AsyncSession,
    min_lon: float,
    min_lat: float,
    max_lon: float,
    max_lat: float,
    limit: int,
) -> Sequence[VideoPlace]:
    """Video places whose place lies in the box (west may exceed east: the box
    crosses the antimeridian), most confident first, with place and video loaded."""
    lon = (
        Place.lon.between(min_lon, max_lon)
        if min_lon <= max_lon
        else (Place.lon >= min_lon) | (Place.lon <= max_lon)
    )
    return (
        await session.scalars(
            select(VideoPlace)
            .join(VideoPlace.place)
            .where(Place.lat.between(min_lat, max_lat), lon)
            .options(joinedload(VideoPlace.place), joinedload(VideoPlace.video))
            .order_by(VideoPlace.confidence.desc(), Place.id, VideoPlace.video_id)
            .limit(limit)
        )
    ).all()
