"""Exit codes a script can rely on, and the one error type that carries them."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What ``pind`` exits with (README's table lists the same)."""

    OK = 0  # done; for `analyse`, the job succeeded
    API_ERROR = 1  # the API answered something unexpected (5xx, unknown job, bad answer)
    USAGE = 2  # bad arguments, or the API refused the input (e.g. not a YouTube link)
    JOB_FAILED = 3  # the analysis ended `failed`
    AUTH = 4  # not signed in, sign-in refused, or the stored token no longer accepted
    UNREACHABLE = 5  # no answer from the API (refused, timed out, name unknown)
    PARTIAL = 6  # the analysis ended `partial`: places shown, some stage failed
    RATE_LIMITED = 7  # too many requests; the message says when to retry
    TIMED_OUT = 8  # --timeout passed while the analysis was still running
    INTERRUPTED = 130  # Ctrl-C (the analysis itself goes on on the server)


class CliError(Exception):
    """A failure to report in one line and exit with ``code``."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
