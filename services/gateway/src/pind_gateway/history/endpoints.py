"""The signed-in user's history (recorded when they submit a link)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from pind_gateway import repository as repo
from pind_gateway.deps import ReaderDep, SessionDep, SignedInUser
from pind_gateway.errors import NotInHistory
from pind_gateway.history.schemas import (
    HistoryPage,
    LegacyHistoryItem,
    decode_cursor,
    encode_cursor,
    history_item,
    legacy_history_item,
)
from pind_gateway.schemas import error_responses

router = APIRouter(prefix="/api/v1", tags=["history"])
legacy_router = APIRouter(prefix="/api/v1", tags=["legacy"])

LEGACY_LIMIT = 500


@router.get(
    "/me/history",
    summary="The videos you asked for, newest first",
    responses=error_responses(401, 422),
)
async def history(
    user_id: SignedInUser,
    session: ReaderDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HistoryPage:
    before = decode_cursor(cursor) if cursor else None
    rows = await repo.history_page(session, user_id, limit + 1, before)
    page = rows[:limit]
    places = await repo.places_of_videos(session, [r.video_id for r in page])
    return HistoryPage(
        items=[history_item(r, places[r.video_id]) for r in page],
        next_cursor=encode_cursor(page[-1]) if len(rows) > limit else None,
    )


@router.delete(
    "/me/history/{video_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a video from your history",
    responses=error_responses(401, 404),
    response_class=Response,
)
async def forget_video(video_id: str, user_id: SignedInUser, session: SessionDep) -> Response:
    async with session.begin():
        removed = await repo.delete_history(session, user_id, video_id)
    if not removed:
        raise NotInHistory(video_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/me/history",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Clear your history",
    responses=error_responses(401),
    response_class=Response,
)
async def clear_history(user_id: SignedInUser, session: SessionDep) -> Response:
    async with session.begin():
        await repo.delete_history(session, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _legacy_history(user_id: SignedInUser, session: ReaderDep) -> list[LegacyHistoryItem]:
    rows = await repo.history_page(session, user_id, LEGACY_LIMIT)
    places = await repo.places_of_videos(session, [r.video_id for r in rows])
    return [legacy_history_item(r, places[r.video_id]) for r in rows]


legacy_router.add_api_route(
    "/users/history",
    _legacy_history,
    methods=["GET"],
    summary="Your history, in the first backend's shape",
    responses=error_responses(401),
    response_model=list[LegacyHistoryItem],
)
legacy_router.add_api_route(
    "/youtube/history",
    _legacy_history,
    methods=["GET"],
    summary="Your history (older name)",
    responses=error_responses(401),
    response_model=list[LegacyHistoryItem],
)
