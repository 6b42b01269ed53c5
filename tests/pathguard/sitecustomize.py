"""Path guard for ``make test``: every Python process of a test run records each
file or folder it reads outside the places a bare clone provides.

A clone of the repository is all a user has, so nothing pind runs in tests
(the pytest process, the services and fakes it starts, the tools they call)
may read a file beside the checkout — ``../shared`` above all — or anywhere
else that a fresh machine lacks. ``scripts/test.sh`` puts this folder first on
``PYTHONPATH``, so Python imports this module at start-up in every process it
starts; the module installs an audit hook (PEP 578) that sees every ``open``,
``os.listdir`` and ``os.scandir``. What it reads where it should not, and
that exists (probes for absent user configuration are no dependency), is
appended to ``$PIND_PATH_GUARD_LOG``, one line each, naming the code of the
repository that asked; the root ``conftest.py`` fails the session when that
file is not empty.

Allowed: the checkout (``$PIND_PATH_GUARD_ROOT``), the run and cache folders
pind makes itself, the Python installation and the system's own folders
(``/usr``, ``/etc``, ``/proc``, temporary folders, ...). Never allowed:
anything beside the checkout in its parent folder. Writing is not checked.

It reads only environment variables and imports only the standard library,
and it does nothing when ``PIND_PATH_GUARD_LOG`` is unset.
"""

from __future__ import annotations

import os
import sys
import tempfile

_SYSTEM = (
    "/usr",
    "/lib",
    "/lib32",
    "/lib64",
    "/bin",
    "/sbin",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/tmp",
    "/var/tmp",
    "/var/lib/pind",  # the database cluster's home when the run dir is out of reach
)
_WATCHED = frozenset({"open", "os.listdir", "os.scandir"})


def _under(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


class _Guard:
    def __init__(self, log: str, root: str) -> None:
        self.log = log
        self.root = os.path.abspath(root)
        self.beside = os.path.dirname(self.root)
        home_cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
        own = [
            self.root,
            os.environ.get("PIND_RUN_DIR", ""),
            os.environ.get("PIND_CACHE_DIR", ""),
            os.environ.get("UV_CACHE_DIR", ""),
            home_cache,
            sys.prefix,
            sys.base_prefix,
            sys.exec_prefix,
            sys.base_exec_prefix,
        ]
        self.own = tuple(os.path.abspath(p) for p in own if p)
        self.system = (*_SYSTEM, os.path.abspath(tempfile.gettempdir()))
        self.seen: set[str] = set()
        self.busy = False

    def allowed(self, path: str) -> bool:
        if _under(path, self.own):
            return True
        if self.beside != "/" and _under(path, (self.beside,)):
            return False  # beside the checkout: what a clone alone does not have
        return _under(path, self.system)

    def __call__(self, event: str, args: tuple[object, ...]) -> None:
        if event not in _WATCHED or self.busy:
            return
        target = args[0] if args else "."
        if event == "open":
            mode, flags = args[1], args[2]
            writes = (
                isinstance(mode, str) and not ("r" in mode or "+" in mode)
                if mode is not None
                else isinstance(flags, int) and flags & os.O_ACCMODE == os.O_WRONLY
            )
            if writes:
                return
        if isinstance(target, int) or target is None:
            return  # an open file descriptor: its path was checked when opened
        try:
            path = os.path.abspath(os.fsdecode(target))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return
        if path in self.seen or self.allowed(path) or not os.path.exists(path):
            # A path that is not there cannot be depended on: libraries probe
            # for user configuration (~/.netrc, yt-dlp's plugin folders) on
            # every machine, and a bare clone fails loudly on what it lacks.
            return
        self.seen.add(path)
        self.busy = True
        try:
            self.record(event, path)
        finally:
            self.busy = False

    def record(self, event: str, path: str) -> None:
        """Append one line: pid, event, path, and the innermost frame of the
        repository's own code that led to it (else the innermost frame)."""
        frame = sys._getframe(2)
        blame = None
        venv = os.path.join(self.root, ".venv")
        first = frame
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(self.root) and not name.startswith(venv):
                blame = frame
                break
            frame = frame.f_back
        where = blame or first
        line = (
            f"{os.getpid()}\t{event}\t{path}\t{where.f_code.co_filename}:{where.f_lineno}"
            f"\t{' '.join(sys.argv)[:200]}\n"
        )
        with open(self.log, "a", encoding="utf-8") as out:
            out.write(line)


def _install() -> None:
    log = os.environ.get("PIND_PATH_GUARD_LOG")
    root = os.environ.get("PIND_PATH_GUARD_ROOT")
    if log and root:
        sys.addaudithook(_Guard(log, root))


_install()
