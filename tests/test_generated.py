"""Generated files that are committed are exactly what their generators write.

``docs/asyncapi.yaml`` (``make asyncapi``) and ``contracts/schemas/``
(``make schemas``): a change to a payload model, a topic or a generator that
is not followed by regenerating them fails here, and so does a generator whose
output depends on the interpreter run (string hashing decides the order of
sets and of FastStream's publishers, so each generator runs twice, in fresh
interpreters with different hash seeds).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pind_kit.testing import REPO_ROOT

HASH_SEEDS = ("1", "2")


def _generate(code: list[str], seed: str, cwd: Path = REPO_ROOT) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, *code], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{' '.join(code)} failed:\n{done.stderr}"
    return done.stdout


@pytest.mark.parametrize("seed", HASH_SEEDS)
def test_committed_asyncapi_document_is_what_the_generator_writes(seed: str) -> None:
    committed = (REPO_ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8")
    generated = _generate(["-m", "pind_kit.asyncapi", "yaml"], seed)
    assert generated == committed, (
        "docs/asyncapi.yaml differs from `python -m pind_kit.asyncapi yaml` "
        f"(PYTHONHASHSEED={seed}); run `make asyncapi` and commit the result"
    )


@pytest.mark.parametrize("seed", HASH_SEEDS)
def test_committed_json_schemas_are_what_the_generator_writes(seed: str, tmp_path: Path) -> None:
    write = (
        "import sys; from pathlib import Path; from pind_contracts.schemas import write; "
        "write(Path(sys.argv[1]))"
    )
    _generate(["-c", write, str(tmp_path)], seed)
    committed_dir = REPO_ROOT / "contracts" / "schemas"
    generated = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.json")}
    committed = {p.name: p.read_text(encoding="utf-8") for p in committed_dir.glob("*.json")}
    assert generated, "the schema generator wrote no file"
    assert sorted(committed) == sorted(generated), (
        "contracts/schemas/ holds other files than the generator writes; run `make schemas`"
    )
    changed = sorted(name for name in generated if generated[name] != committed[name])
    assert not changed, (
        f"contracts/schemas/{{{','.join(changed)}}} differ from what "
        "`python -m pind_contracts.schemas write` writes; run `make schemas` and commit"
    )
