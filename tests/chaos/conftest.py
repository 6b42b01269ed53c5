"""Chaos scenarios: the fast ones run in ``make test``; the long ones (marked
``outage``: PostgreSQL or Kafka stopped for ``PIND_CHAOS_OUTAGE_S`` seconds,
``kill -9`` of every service, a slow, stalling or rate-limited geocoder and
Gemini) only with ``PIND_CHAOS=all`` (``make chaos``), which also prints a
table of scenario → outcome at the end."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

_results: list[tuple[str, str, float]] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "outage: a long chaos scenario, run by `make chaos` (PIND_CHAOS=all) only"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PIND_CHAOS") == "all":
        return
    keep = [i for i in items if i.get_closest_marker("outage") is None]
    dropped = [i for i in items if i.get_closest_marker("outage") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if "tests/chaos" in item.nodeid and (report.when == "call" or report.outcome != "passed"):
        _results.append((item.name, report.outcome, report.duration))
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _results:
        return
    terminalreporter.section("chaos scenarios")
    width = max(len(name) for name, _, _ in _results)
    for name, outcome, duration in _results:
        terminalreporter.write_line(f"{name:<{width}}  {outcome:<7}  {duration:6.1f} s")
    terminalreporter.write_line(f"({time.strftime('%Y-%m-%d %H:%M:%S')})")
