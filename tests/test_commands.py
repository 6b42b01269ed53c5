"""README.md's "Commands" table, `make help` and `make smoke` name the same
commands: a target added to one and not the others fails here."""

from __future__ import annotations

import re
import subprocess

from pind_kit.testing import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    """Every `make TARGET` in the first column of the "Commands" table."""
    section = README.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `make")]
    assert rows, "README.md's Commands section has no table of `make` commands"
    targets = []
    for row in rows:
        first_column = row.split("|")[1]
        targets += re.findall(r"`make ([a-z][a-z0-9_-]*)", first_column)
    return targets


def help_sections() -> dict[str, list[str]]:
    """`make help`'s sections: heading → the targets listed under it."""
    done = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sections: dict[str, list[str]] = {}
    current = None
    for line in done.stdout.splitlines():
        if line.endswith(":") and not line.startswith(" "):
            current = line.rstrip(":")
            sections[current] = []
        elif line.startswith("  ") and current is not None:
            sections[current].append(line.split()[0])
    return sections


def test_readme_table_and_make_help_list_the_same_commands() -> None:
    sections = help_sections()
    assert "commands (README.md)" in sections, f"make help printed {list(sections)}"
    in_help = sections["commands (README.md)"]
    in_readme = readme_commands()
    assert len(in_readme) == len(set(in_readme)), f"a command is listed twice: {in_readme}"
    assert sorted(in_help) == sorted(in_readme), (
        f"only in README.md: {sorted(set(in_readme) - set(in_help))}; "
        f"only in make help: {sorted(set(in_help) - set(in_readme))} "
        "(make help lists the Makefile's COMMANDS; README.md the table under ## Commands)"
    )


def test_building_blocks_are_not_commands_twice() -> None:
    sections = help_sections()
    blocks = sections.get("building blocks", [])
    assert blocks, "make help lists no building blocks (setup, infra-up, ...)"
    assert not set(blocks) & set(sections["commands (README.md)"])


def test_smoke_runs_every_command_or_says_why_not() -> None:
    smoke = (REPO_ROOT / "scripts" / "smoke.sh").read_text(encoding="utf-8")
    steps = re.search(r"^steps=\((.*)\)$", smoke, flags=re.MULTILINE)
    assert steps, "scripts/smoke.sh has no steps=(...) line"
    # Run elsewhere: test by CI before smoke; up and down by demo and the exit
    # trap; compose-up needs a Docker engine; smoke is the runner itself.
    elsewhere = {"test", "up", "down", "compose-up", "smoke"}
    missing = set(readme_commands()) - set(steps.group(1).split()) - elsewhere
    assert not missing, f"make smoke does not run {sorted(missing)}"
