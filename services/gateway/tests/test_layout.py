"""The gateway's shape (docs/service-template.md), checked on its source.

The import rules are import-linter contracts in the root pyproject.toml
(``[tool.importlinter]``), which ``make lint`` checks with every other contract;
here the gateway's run with its tests: core imports no feature, a feature
reaches into another only through its service, follow, batcher and deps
modules, domain/ imports no framework, nothing else of the gateway and not
the kit. Then: no module grows past ~350 lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

import pind_gateway

PACKAGE = Path(pind_gateway.__file__).parent
CONFIG = Path(__file__).resolve().parents[3] / "pyproject.toml"
GATEWAY_CONTRACTS = ("domain-pure", "gateway-domain", "gateway-core", "gateway-features")
MAX_LINES = 360


def test_the_gateway_keeps_its_import_contracts(capsys: pytest.CaptureFixture[str]) -> None:
    code = lint_imports(
        config_filename=str(CONFIG),
        limit_to_contracts=GATEWAY_CONTRACTS,
        no_cache=True,
        no_logo=True,
    )
    report = capsys.readouterr().out
    assert code == 0, report
    assert report.count(" KEPT") == len(GATEWAY_CONTRACTS), report


def test_no_module_is_too_long() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
