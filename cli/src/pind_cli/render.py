"""What the command shows: a progress bar per stage while a job runs (plain
lines when the output is not a terminal), the places table, the history table."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn
from rich.table import Table
from rich.text import Text

from pind_cli.api import Job

WIDTH_OFF_TERMINAL = 160  # a table piped to a file or a script is not wrapped at 80


def console(stream: IO[str]) -> Console:
    """A console on ``stream``: colours and live bars only on a terminal."""
    terminal = stream.isatty()
    return Console(
        file=stream,
        width=None if terminal else WIDTH_OFF_TERMINAL,
        no_color=not terminal,
        highlight=False,
        soft_wrap=False,
    )


class StageProgress:
    """One bar per stage on a terminal; on anything else one line per change
    (``ingest: running 40%``), so a log shows the same story."""

    def __init__(self, stream: IO[str], *, quiet: bool = False) -> None:
        self._stream = stream
        self._quiet = quiet
        self._live = stream.isatty() and not quiet
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._seen: dict[str, tuple[str, int]] = {}

    def __enter__(self) -> StageProgress:
        if self._live:
            self._progress = Progress(
                TextColumn("{task.description:<11}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[state]}"),
                console=console(self._stream),
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, job: Job) -> None:
        stages: dict[str, Any] = job.get("stages") or {}
        for name, stage in stages.items():
            state, progress = str(stage.get("state")), int(stage.get("progress") or 0)
            if self._seen.get(name) == (state, progress):
                continue
            self._seen[name] = (state, progress)
            label = state if not stage.get("reason") else f"{state}: {stage['reason']}"
            if self._progress is not None:
                if name not in self._tasks:
                    self._tasks[name] = self._progress.add_task(name, total=100, state="")
                self._progress.update(self._tasks[name], completed=progress, state=label)
            elif not self._quiet:
                self._stream.write(f"{name}: {label} {progress}%\n")
                self._stream.flush()


def _moment(job_place: dict[str, Any]) -> float | None:
    times = [e["start_s"] for e in job_place.get("evidence", []) if e.get("start_s") is not None]
    return min(times) if times else None


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def places_in_video_order(job: Job) -> list[dict[str, Any]]:
    """The job's places in the order the video reaches them (first timed
    evidence); places known only from untimed text (title, tags) come last."""
    places: list[dict[str, Any]] = list(job.get("places") or [])
    return sorted(places, key=lambda p: (_moment(p) is None, _moment(p) or 0.0))


def places_table(job: Job) -> Table:
    video = job.get("video") or {}
    title = video.get("title") or job.get("video_id", "")
    table = Table(title=f"{title} — {job.get('state')}", title_justify="left", expand=False)
    table.add_column("#", justify="right")
    table.add_column("place")
    table.add_column("category")
    table.add_column("lat", justify="right")
    table.add_column("lon", justify="right")
    table.add_column("conf.", justify="right")
    table.add_column("at", justify="right")
    table.add_column("evidence")
    for number, place in enumerate(places_in_video_order(job), 1):
        name = Text(place["name"])
        if place.get("name_en"):
            name.append(f" ({place['name_en']})", style="dim")
        evidence = place.get("evidence") or [{}]
        first = evidence[0]
        table.add_row(
            str(number),
            name,
            place.get("category", ""),
            f"{place['lat']:.5f}",
            f"{place['lon']:.5f}",
            f"{place['confidence']:.2f}",
            _clock(_moment(place)),
            f"{first.get('source', '')}: {first.get('text', '')}"[:60],
        )
    return table


def summary_lines(job: Job, api_url: str) -> list[str]:
    """The lines under the table: counts, unresolved names, failure reason, links."""
    places = job.get("places") or []
    unresolved = job.get("unresolved") or []
    lines = [f"{len(places)} place(s) on the map"]
    if unresolved:
        names = ", ".join(u["name"] for u in unresolved[:8])
        more = f" and {len(unresolved) - 8} more" if len(unresolved) > 8 else ""
        lines.append(f"{len(unresolved)} name(s) not placed: {names}{more}")
    if job.get("error"):
        lines.append(f"{job.get('state')}: {job['error']}")
    job_id = job.get("job_id")
    lines.append(f"job {job_id}: {api_url}/api/v1/jobs/{job_id}")
    return lines


def history_table(page: dict[str, Any]) -> Table:
    table = Table(title="your history (newest first)", title_justify="left")
    table.add_column("asked at")
    table.add_column("video")
    table.add_column("title")
    table.add_column("places", justify="right")
    for item in page.get("items", []):
        asked = datetime.fromisoformat(item["requested_at"]).astimezone()
        table.add_row(
            asked.strftime("%Y-%m-%d %H:%M"),
            item["video_id"],
            item.get("title") or "-",
            str(item.get("places_count", 0)),
        )
    return table
