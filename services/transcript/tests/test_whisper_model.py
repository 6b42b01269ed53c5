"""Joining the Whisper model from its two packages, once, atomically."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pind_transcript.adapters.whisper import (
    BUNDLED_MODEL,
    MODEL_FILES,
    MODEL_PARTS,
    bundled_model_dir,
    package_file,
)


def _sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            while block := f.read(1 << 22):
                digest.update(block)
    return digest.hexdigest()


def test_the_model_is_joined_from_both_parts_into_the_cache(tmp_path: Path) -> None:
    model_dir = bundled_model_dir(tmp_path)

    assert model_dir == tmp_path / "models" / BUNDLED_MODEL
    parts = [package_file(package, part) for package, part in MODEL_PARTS]
    assert _sha256(model_dir / "model.bin") == _sha256(*parts)
    assert all((model_dir / name).is_file() for name in MODEL_FILES)
    assert [p.name for p in model_dir.parent.iterdir()] == [BUNDLED_MODEL]  # no staging left


def test_a_joined_model_is_reused_not_rewritten(tmp_path: Path) -> None:
    first = bundled_model_dir(tmp_path)
    inode = (first / "model.bin").stat().st_ino

    assert bundled_model_dir(tmp_path) == first
    assert (first / "model.bin").stat().st_ino == inode


def test_a_half_written_model_is_replaced(tmp_path: Path) -> None:
    broken = tmp_path / "models" / BUNDLED_MODEL
    broken.mkdir(parents=True)
    (broken / "model.bin").write_bytes(b"cut short")

    model_dir = bundled_model_dir(tmp_path)

    parts = [package_file(package, part) for package, part in MODEL_PARTS]
    assert (model_dir / "model.bin").stat().st_size == sum(p.stat().st_size for p in parts)


def test_processes_joining_at_once_agree_on_one_complete_model(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(bundled_model_dir, [tmp_path, tmp_path]))

    assert results[0] == results[1]
    parts = [package_file(package, part) for package, part in MODEL_PARTS]
    assert (results[0] / "model.bin").stat().st_size == sum(p.stat().st_size for p in parts)
    assert [p.name for p in results[0].parent.iterdir()] == [BUNDLED_MODEL]
