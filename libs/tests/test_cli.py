"""The shared worker command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pind_kit.cli import worker_main


def _never() -> object:
    raise AssertionError("must not be built for a usage error")


def test_unknown_arguments_print_usage_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    status = worker_main("pind-x", _never, _never, Path(), ["frobnicate"])  # type: ignore[arg-type]
    assert status == 2
    assert capsys.readouterr().err == "usage: pind-x [migrate]\n"
