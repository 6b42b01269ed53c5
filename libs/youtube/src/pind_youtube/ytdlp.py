"""yt-dlp's output as structured logs, and the causes behind its errors."""

from __future__ import annotations

from collections.abc import Iterator

import structlog

log = structlog.get_logger("yt_dlp")


class YtDlpLogger:
    """Routes yt-dlp's output into structured logs instead of stdout."""

    def debug(self, message: str) -> None:
        if not message.startswith("[debug] "):
            log.debug("yt-dlp", message=message)

    def info(self, message: str) -> None:
        log.debug("yt-dlp", message=message)

    def warning(self, message: str) -> None:
        log.info("yt-dlp warning", message=message)

    def error(self, message: str) -> None:
        log.info("yt-dlp error", message=message)


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it wraps: yt-dlp keeps causes in ``exc_info``
    and ``cause`` as well as in Python's own ``__cause__``/``__context__``."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        exc_info = getattr(current, "exc_info", None)
        if isinstance(exc_info, tuple) and len(exc_info) == 3:
            pending.append(exc_info[1])
        cause = getattr(current, "cause", None)
        if isinstance(cause, BaseException):
            pending.append(cause)
        pending.extend((current.__cause__, current.__context__))
