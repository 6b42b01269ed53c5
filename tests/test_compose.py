"""docker-compose.yml, rendered as `docker compose` renders it, runs the same
stack as `make up`: every container resolved (image, build, command,
environment, dependencies), every setting the local stack gives a service
given to its container too, and no setting left pointing at 127.0.0.1, which
inside a container is the container itself.

No Docker engine is needed: `scripts/compose.sh render` renders the file with
`docker compose config` or, without the plugin, with compose-go (the loader
`docker compose` uses). What this cannot show: that the images build and the
containers start (`make compose-up`, on a machine with a Docker engine).
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from pind_kit.testing import REPO_ROOT

SERVICES = ("auth", "gateway", "ingest", "transcript", "vision", "geo")
SETTINGS_CLASSES = {
    "auth": ("pind_auth.settings", "AuthSettings"),
    "gateway": ("pind_gateway.settings", "GatewaySettings"),
    "ingest": ("pind_ingest.settings", "IngestSettings"),
    "transcript": ("pind_transcript.settings", "TranscriptSettings"),
    "vision": ("pind_vision.settings", "VisionSettings"),
    "geo": ("pind_geo.settings", "GeoSettings"),
    "fakes": ("pind_fakes.settings", "FakesSettings"),
}
# One-shot containers and the local commands they stand for.
ONE_SHOTS = {"topics": "python -m pind_kit.topics ensure", "migrate": "python -m pind_kit.migrate"}
LOOPBACK = re.compile(r"\b(127\.0\.0\.1|localhost)\b")

# Settings the local stack gives a process that compose deliberately does not.
NOT_IN_COMPOSE = {
    "PIND_SERVICE_NAME": "every service's settings default it to its own name (checked below)",
    "PIND_ADMIN_DATABASE_URL": "the superuser URL is for the tests only; migrations run as "
    "each service's own role",
}
# Settings whose default names the loopback address on purpose, per process.
LOOPBACK_ON_PURPOSE = {
    ("auth", "PIND_RESET_URL"): "a page of the web client, opened by the user's browser",
    ("auth", "PIND_SMTP_HOST"): "neither stack runs a mail server; a deployment sets its own",
    ("auth", "PIND_SMTP_FROM"): "a sender address (no-reply@pind.localhost), not a host",
    ("gateway", "PIND_CORS_ORIGINS"): "origins of the web client in the user's browser",
}


@cache
def rendered() -> dict[str, Any]:
    done = subprocess.run(
        [str(REPO_ROOT / "scripts" / "compose.sh"), "render"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"scripts/compose.sh render failed:\n{done.stderr}"
    project: dict[str, Any] = json.loads(done.stdout)
    return project


def service(name: str) -> dict[str, Any]:
    services: dict[str, Any] = rendered()["services"]
    assert name in services, f"docker-compose.yml has no service {name!r}"
    return services[name]  # type: ignore[no-any-return]


def stack_env() -> dict[str, str]:
    """scripts/stack.env as scripts/lib.sh reads it (KEY=VALUE, comments skipped)."""
    values = {}
    for raw in (REPO_ROOT / "scripts" / "stack.env").read_text(encoding="utf-8").splitlines():
        line = raw.strip().removeprefix("export ")
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key] = value.strip("\"'")
    return values


def local_http_ports() -> dict[str, int]:
    """PIND_HTTP_PORTS of scripts/lib.sh: the port each local process listens on."""
    lib = (REPO_ROOT / "scripts" / "lib.sh").read_text(encoding="utf-8")
    block = re.search(r"declare -A PIND_HTTP_PORTS=\((.*?)\)", lib, flags=re.DOTALL)
    assert block, "scripts/lib.sh no longer declares PIND_HTTP_PORTS"
    return {name: int(port) for name, port in re.findall(r"\[(\w+)\]=(\d+)", block.group(1))}


def local_env(name: str) -> set[str]:
    """The PIND_* names the local stack gives process ``name`` (scripts/services.sh,
    scripts/with-env.sh and deploy/postgres/setup.sh's generated database URLs)."""
    shared = stack_env()
    per_service = {f"PIND_{s.upper()}_" for s in (*SERVICES, "fakes")}
    common = {k for k in shared if not any(k.startswith(p) for p in per_service)}
    if name in SERVICES:
        own = f"PIND_{name.upper()}_"
        mapped = {"PIND_" + k.removeprefix(own) for k in shared if k.startswith(own)}
        return common | mapped | {"PIND_DATABASE_URL", "PIND_HTTP_PORT", "PIND_SERVICE_NAME"}
    if name == "fakes":
        return {k for k in shared if k.startswith("PIND_FAKES_")}
    generated = {f"PIND_{s.upper()}_DATABASE_URL" for s in (*SERVICES, "admin")}
    return set(shared) | (generated if name == "migrate" else set())


def settings_class(name: str) -> type[BaseSettings]:
    module, cls = SETTINGS_CLASSES[name]
    found: type[BaseSettings] = getattr(importlib.import_module(module), cls)
    return found


def env_names(cls: type[BaseSettings]) -> dict[str, Any]:
    """Each setting's environment variable name → its default."""
    prefix = cls.model_config.get("env_prefix", "")
    out = {}
    for field, info in cls.model_fields.items():
        alias = info.validation_alias
        key = alias.upper() if isinstance(alias, str) else f"{prefix}{field}".upper()
        out[key] = info.default_factory() if info.default_factory else info.default  # type: ignore[call-arg]
    return out


def test_the_file_renders_with_the_pind_services() -> None:
    names = set(rendered()["services"])
    expected = {*SERVICES, "fakes", *ONE_SHOTS, "kafka", "postgres"}
    assert names == expected


@pytest.mark.parametrize("name", [*SERVICES, "fakes", *ONE_SHOTS])
def test_every_pind_container_is_resolved(name: str) -> None:
    spec = service(name)
    assert spec.get("image"), f"{name}: no image"
    build = spec.get("build") or {}
    assert Path(build.get("context", "")) == REPO_ROOT, f"{name}: build context {build}"
    assert (REPO_ROOT / build["dockerfile"]).is_file(), f"{name}: no {build['dockerfile']}"
    assert spec.get("command"), f"{name}: no command"
    environment = spec.get("environment") or {}
    assert environment, f"{name}: no environment"
    unresolved = {k: v for k, v in environment.items() if v is None or "${" in str(v)}
    assert not unresolved, f"{name}: unresolved settings {unresolved}"


@pytest.mark.parametrize("name", [*SERVICES, *ONE_SHOTS])
def test_dependencies_resolve_and_can_be_met(name: str) -> None:
    services = rendered()["services"]
    depends = service(name).get("depends_on") or {}
    assert depends, f"{name} starts before what it needs"
    for target, how in depends.items():
        assert target in services, f"{name} depends on unknown service {target}"
        condition = how["condition"]
        if condition == "service_healthy":
            assert services[target].get("healthcheck"), f"{target} has no healthcheck"
        elif condition == "service_completed_successfully":
            assert services[target].get("restart") == "no", f"{target} is not a one-shot"
    if name in SERVICES:
        assert set(depends) >= {"migrate", "topics", "fakes"}


@pytest.mark.parametrize("name", [*SERVICES, "fakes", *ONE_SHOTS])
def test_every_local_setting_has_a_compose_counterpart(name: str) -> None:
    in_compose = set(service(name).get("environment") or {})
    missing = sorted(local_env(name) - in_compose - set(NOT_IN_COMPOSE))
    assert not missing, f"{name}: the local stack sets {missing}, docker-compose.yml does not"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_listens_where_the_local_one_does(name: str) -> None:
    spec = service(name)
    port = local_http_ports()[name]
    assert spec["environment"]["PIND_HTTP_PORT"] == str(port)
    assert spec["environment"]["PIND_HTTP_HOST"] == "0.0.0.0"
    assert {p["target"] for p in spec.get("ports", [])} == {port}
    assert f":{port}/readyz" in " ".join(spec["healthcheck"]["test"])


@pytest.mark.parametrize("name", SERVICES)
def test_service_names_default_to_the_service(name: str) -> None:
    assert env_names(settings_class(name))["PIND_SERVICE_NAME"] == name


@pytest.mark.parametrize("name", [*SERVICES, "fakes"])
def test_no_setting_points_a_container_at_itself(name: str) -> None:
    environment = service(name).get("environment") or {}
    wrong = []
    for key, default in env_names(settings_class(name)).items():
        if (name, key) in LOOPBACK_ON_PURPOSE:
            continue
        value = environment.get(key, default)
        if LOOPBACK.search(str(value)):
            source = "docker-compose.yml" if key in environment else "its default"
            wrong.append(f"{key}={value} ({source})")
    assert not wrong, f"{name}: in a container these reach the container itself: {wrong}"
