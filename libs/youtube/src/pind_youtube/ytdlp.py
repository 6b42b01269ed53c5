"""yt-dlp's output as structured logs, the causes behind its errors, and the
one extractor pind lets it load."""

from __future__ import annotations

from collections.abc import Iterator

import structlog

log = structlog.get_logger("yt_dlp")

ALLOWED_EXTRACTORS = ["youtube"]
"""yt-dlp's ``allowed_extractors`` for every pind use: YouTube's video extractor
only. pind hands yt-dlp nothing but canonical watch URLs; loading the ~1,750
default extractors costs ~60 ms of CPU for every ``YoutubeDL`` built (yt-dlp
resolves the default list against all names, quadratically) against ~1 ms
for this one, and no other site's extractor can ever be reached."""


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
