"""The signed-in user's history (recorded when they submit a link)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from pind_gateway.core.deps import ReaderDep, SessionDep, SignedInUser
from pind_gateway.core.schemas import error_responses
from pind_gateway.history import service
from pind_gateway.history.schemas import HistoryPage, decode_cursor, encode_cursor, history_item

router = APIRouter(prefix="/api/v1", tags=["history"])


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
    entries = await service.entries(session, user_id, limit + 1, before)
    page = entries[:limit]
    return HistoryPage(
        items=[history_item(entry) for entry in page],
        next_cursor=encode_cursor(page[-1].row) if len(entries) > limit else None,
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
        await service.forget_video(session, user_id, video_id)
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
        await service.forget_user(session, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
