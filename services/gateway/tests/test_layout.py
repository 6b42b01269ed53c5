"""The gateway's shape (docs/service-template.md), checked on its source: core
imports no feature, a feature reaches into another only through its service
and dependency modules, domain/ imports no framework, no module grows past
~350 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pind_gateway

PACKAGE = Path(pind_gateway.__file__).parent
FEATURES = {"videos", "jobs", "places", "history", "live", "legacy", "limits", "projection"}
# What one feature may import from another: use cases and request dependencies.
SHARED_ROLES = {"service", "follow", "batcher", "deps"}
FRAMEWORKS = {"sqlalchemy", "fastapi", "starlette", "httpx", "aiokafka", "asyncpg", "pind_kit"}
MAX_LINES = 360


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text())) for path in sorted(PACKAGE.rglob("*.py"))]


def _imports(tree: ast.Module) -> list[str]:
    """Every module imported (``from a.b import c`` counts as ``a.b.c`` too, for
    ``from pind_gateway.jobs import service``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def _folder(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


def test_core_imports_no_feature() -> None:
    offending = [
        (path.name, name)
        for path, tree in _modules()
        if _folder(path) == "core"
        for name in _imports(tree)
        if name.split(".")[:2][-1] in FEATURES and name.startswith("pind_gateway.")
    ]
    assert offending == []


def test_features_share_only_services_and_dependencies() -> None:
    offending = []
    for path, tree in _modules():
        own = _folder(path)
        if own not in FEATURES:
            continue
        for name in _imports(tree):
            parts = name.split(".")
            if parts[0] != "pind_gateway" or len(parts) < 3:
                continue
            feature, role = parts[1], parts[2]
            if feature in FEATURES and feature != own and role not in SHARED_ROLES:
                offending.append((f"{own}/{path.name}", name))
    assert offending == []


def test_domain_is_pure() -> None:
    offending = [
        (path.name, name)
        for path, tree in _modules()
        if _folder(path) == "domain"
        for name in _imports(tree)
        if name.split(".")[0] in FRAMEWORKS
        or (name.startswith("pind_gateway.") and not name.startswith("pind_gateway.domain"))
    ]
    assert offending == []


def test_no_module_is_too_long() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path, _ in _modules()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
