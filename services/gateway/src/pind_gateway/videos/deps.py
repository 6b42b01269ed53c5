"""The process's submission batcher as a dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from pind_gateway.videos.batcher import SubmissionBatcher


async def get_batcher(request: Request) -> SubmissionBatcher:
    """The batcher the app started (``app.state.submissions``)."""
    batcher: SubmissionBatcher = request.app.state.submissions
    return batcher


BatcherDep = Annotated[SubmissionBatcher, Depends(get_batcher)]
