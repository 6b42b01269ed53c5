"""A clone of the repository is all a user has: nothing pind reads at run time
or in its tests may live beside the checkout (``../shared``) or anywhere else
a fresh machine lacks. ``make test`` enforces it for every process through the
path guard (``tests/pathguard``); these tests check the guard itself and the
defaults that would send a process outside."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

from pydantic_settings import BaseSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
GUARD_DIR = REPO_ROOT / "tests" / "pathguard"
SETTINGS_MODULES = (
    "pind_kit.settings",
    "pind_youtube.settings",
    "pind_fakes.settings",
    "pind_auth.settings",
    "pind_gateway.settings",
    "pind_ingest.settings",
    "pind_transcript.settings",
    "pind_vision.settings",
    "pind_geo.settings",
)
GAZETTEER_FILES = {
    "kma_forecast_grid_admin_points.csv",
    "tourist_attractions_standard.csv",
    "traditional_markets_standard.csv",
    "urban_parks_standard.csv",
    "urban_rail_stations_standard.csv",
}


def guarded_python(code: str, root: Path, log: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(GUARD_DIR),
        "PIND_PATH_GUARD_ROOT": str(root),
        "PIND_PATH_GUARD_LOG": str(log),
    }
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)


def test_the_guard_records_a_read_beside_the_checkout_and_names_the_reader(
    tmp_path: Path,
) -> None:
    checkout, shared = tmp_path / "pind", tmp_path / "shared"
    checkout.mkdir()
    shared.mkdir()
    (checkout / "inside.txt").write_text("ours")
    (shared / "beside.txt").write_text("not in a clone")
    log = tmp_path / "guard.log"
    reader = checkout / "reader.py"
    reader.write_text(
        "from pathlib import Path\n"
        "def read(p):\n"
        "    return Path(p).read_text()\n"
        "def probe(p):  # absent: no dependency, not recorded\n"
        "    try:\n"
        "        return Path(p).read_text()\n"
        "    except FileNotFoundError:\n"
        "        return None\n"
    )
    guarded_python(
        f"import sys, os; sys.path.insert(0, {str(checkout)!r}); import reader; "
        f"reader.read({str(checkout / 'inside.txt')!r}); "
        f"reader.read({str(shared / 'beside.txt')!r}); "
        f"os.listdir({str(shared)!r}); "
        f"reader.probe({str(shared / 'absent.txt')!r}); "
        f"open({str(shared / 'written.txt')!r}, 'w').close()",
        checkout,
        log,
    )
    lines = [line.split("\t") for line in log.read_text().splitlines()]
    # (The real checkout's own source folders show up too: for this process the
    # checkout is the one in tmp_path.)
    recorded = {(f[1], f[2]) for f in lines if Path(f[2]).is_relative_to(tmp_path)}
    assert recorded == {("open", str(shared / "beside.txt")), ("os.listdir", str(shared))}
    blamed = next(fields[3] for fields in lines if fields[2].endswith("beside.txt"))
    assert blamed == f"{reader}:3"  # the repository's own frame, not pathlib's


def path_defaults() -> list[tuple[str, str, Path]]:
    for name in SETTINGS_MODULES:
        importlib.import_module(name)
    found: list[tuple[str, str, Path]] = []
    pending: list[type[BaseSettings]] = [BaseSettings]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("pind_"):
            continue
        for field, info in cls.model_fields.items():
            if isinstance(info.default, Path):
                found.append((f"{cls.__module__}.{cls.__qualname__}", field, info.default))
    return found


def test_every_path_a_setting_defaults_to_is_in_the_checkout_or_a_cache_pind_makes() -> None:
    defaults = path_defaults()
    assert any(field == "gazetteer_dir" for _, field, _ in defaults)  # the walk found them
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").resolve()
    outside = [
        (where, field, str(path))
        for where, field, path in defaults
        if path.is_absolute()
        and not path.resolve().is_relative_to(REPO_ROOT)
        and not path.resolve().is_relative_to(cache_home)
    ]
    assert outside == []


def test_the_repository_carries_the_gazetteer_the_defaults_name_with_its_sources() -> None:
    from pind_fakes.settings import FakesSettings
    from pind_geo.settings import DEFAULT_GAZETTEER_DIR

    assert DEFAULT_GAZETTEER_DIR == REPO_ROOT / "data" / "gazetteer" / "kr"
    assert FakesSettings.model_fields["gazetteer_dir"].default == DEFAULT_GAZETTEER_DIR
    present = {p.name for p in DEFAULT_GAZETTEER_DIR.iterdir()}
    assert present == GAZETTEER_FILES | {"SOURCES.md"}
    sources = (DEFAULT_GAZETTEER_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for name in GAZETTEER_FILES:
        assert name in sources
    assert "공공누리" in sources and "data.go.kr" in sources
