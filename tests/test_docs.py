"""The README is the contract with a newcomer: its first commands and every setting."""

from __future__ import annotations

import importlib.util
import re

from pind_kit.testing import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _settings_table() -> object:
    spec = importlib.util.spec_from_file_location(
        "settings_table", REPO_ROOT / "scripts" / "settings_table.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_first_commands_are_demo_then_test() -> None:
    commands = re.findall(r"^make (\w+)", README, flags=re.MULTILINE)
    assert commands[:2] == ["demo", "test"]


def test_every_setting_is_in_the_readme() -> None:
    table = _settings_table()
    names = {row[0] for row in table.rows()}  # type: ignore[attr-defined]
    missing = sorted(name for name in names if f"`{name}`" not in README)
    assert not missing, f"run `make readme-settings`; missing: {missing}"


def test_ci_runs_make_test() -> None:
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text()
