"""docker-compose.yml, rendered as `docker compose` renders it, runs the same
stack as `make up`: every container resolved (image, build, command,
environment, dependencies), every setting the local stack gives a service
given to its container too, and no setting left pointing at 127.0.0.1, which
inside a container is the container itself. The compose file and the k8s
manifests (rendered by `kubectl kustomize`) give the gateway auth's address and
auth the network of the proxies whose X-Forwarded-For it believes, and the k8s
auth starts with its production checks.

No Docker engine is needed: `scripts/compose.sh render` renders the file with
`docker compose config` or, without the plugin, with compose-go (the loader
`docker compose` uses). What this cannot show: that the images build and the
containers start (`make compose-up`, on a machine with a Docker engine).
"""

from __future__ import annotations

import importlib
import ipaddress
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic_settings import BaseSettings

from pind_kit.testing import REPO_ROOT

SERVICES = ("auth", "gateway", "ingest", "transcript", "vision", "geo")
PROJECTOR = "gateway-projector"
"""The gateway's second process (its API runs with PIND_ROLE=api): scripts/services.sh
starts it with the gateway, compose and k8s run it as a container and a Deployment."""
SETTINGS_CLASSES = {
    "auth": ("pind_auth.settings", "AuthSettings"),
    "gateway": ("pind_gateway.settings", "GatewaySettings"),
    PROJECTOR: ("pind_gateway.settings", "GatewaySettings"),
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
    (PROJECTOR, "PIND_CORS_ORIGINS"): "the projector serves no browser",
    (PROJECTOR, "PIND_AUTH_URL"): "the projector calls no one over HTTP (no API, no tokens)",
    (PROJECTOR, "PIND_AUTH_JWKS_URL"): "the projector checks no tokens",
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
    expected = {*SERVICES, PROJECTOR, "fakes", *ONE_SHOTS, "kafka", "postgres"}
    assert names == expected


@pytest.mark.parametrize("name", [*SERVICES, PROJECTOR, "fakes", *ONE_SHOTS])
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


@pytest.mark.parametrize("name", [*SERVICES, PROJECTOR, *ONE_SHOTS])
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
    if name in (*SERVICES, PROJECTOR):
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


@pytest.mark.parametrize("name", [*SERVICES, PROJECTOR, "fakes"])
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


def local_projector_port() -> int:
    """The port scripts/services.sh gives the gateway's projector."""
    script = (REPO_ROOT / "scripts" / "services.sh").read_text(encoding="utf-8")
    found = re.search(rf"PIND_HTTP_PORTS\[{PROJECTOR}\]=(\d+)", script)
    assert found, f"scripts/services.sh no longer gives {PROJECTOR} a port"
    return int(found.group(1))


def test_the_gateway_runs_as_its_api_beside_a_projector() -> None:
    """As scripts/services.sh runs it (issue 12, tail latency): API processes that
    only serve, and one projector with the gateway's settings on a port of its own."""
    api, projector = service("gateway"), service(PROJECTOR)
    assert api["command"] == ["pind-gateway"]
    assert api["environment"]["PIND_ROLE"] == "api"
    assert projector["command"] == ["pind-gateway", "projector"]
    assert projector["environment"].get("PIND_ROLE", "projector") == "projector"
    db = projector["environment"]["PIND_DATABASE_URL"]
    assert db == api["environment"]["PIND_DATABASE_URL"]
    port = local_projector_port()
    assert projector["environment"]["PIND_HTTP_PORT"] == str(port)
    assert projector["environment"]["PIND_HTTP_HOST"] == "0.0.0.0"
    assert {p["target"] for p in projector.get("ports", [])} == {port}
    assert f":{port}/readyz" in " ".join(projector["healthcheck"]["test"])
    missing = sorted(local_env("gateway") - set(projector["environment"]) - set(NOT_IN_COMPOSE))
    assert not missing, f"the local projector gets {missing}, docker-compose.yml's does not"
    services_sh = (REPO_ROOT / "scripts" / "services.sh").read_text(encoding="utf-8")
    assert '"PIND_ROLE=api"' in services_sh, "scripts/services.sh no longer splits the gateway"


# --- what the containers need to reach and trust each other (issue 13, finding 2) ---------
K8S_DIR = REPO_ROOT / "deploy" / "k8s"
AUTH_PORT = 8001


def _networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    parsed = json.loads(value)
    assert isinstance(parsed, list) and parsed, f"not a JSON list of networks: {value}"
    return [ipaddress.ip_network(n) for n in parsed]


def _auth_settings(environment: dict[str, str]) -> Any:
    """AuthSettings as the container would build them (secrets supplied here)."""
    from pind_auth.settings import AuthSettings

    values = {k.removeprefix("PIND_").lower(): v for k, v in environment.items()}
    values.pop("trusted_proxies", None)  # checked as networks below
    values["database_url"] = "postgresql+asyncpg://pind_auth:x@postgres:5432/pind"
    values.setdefault("jwt_signing_key", "unused: only the settings are built")
    fields = AuthSettings.model_fields
    return AuthSettings.model_validate({k: v for k, v in values.items() if k in fields})


def test_compose_gateway_reaches_auth_by_its_service_name() -> None:
    environment = service("gateway")["environment"]
    auth_url = urlsplit(environment["PIND_AUTH_URL"])
    jwks_url = urlsplit(environment["PIND_AUTH_JWKS_URL"])
    assert (auth_url.hostname, auth_url.port) == ("auth", AUTH_PORT)
    assert (jwks_url.hostname, jwks_url.port, jwks_url.path) == (
        "auth",
        AUTH_PORT,
        "/.well-known/jwks.json",
    )
    assert service("auth")["environment"]["PIND_HTTP_PORT"] == str(AUTH_PORT)


def test_compose_auth_trusts_the_network_the_gateway_runs_in() -> None:
    project = rendered()
    subnets = [
        ipaddress.ip_network(entry["subnet"])
        for entry in project["networks"]["default"]["ipam"]["config"]
    ]
    assert subnets, "the compose network has no fixed subnet to name as trusted"
    assert set(service("gateway").get("networks") or {"default": None}) == {"default"}
    trusted = _networks(service("auth")["environment"]["PIND_TRUSTED_PROXIES"])
    for subnet in subnets:
        assert any(subnet.subnet_of(n) for n in trusted if n.version == subnet.version), (
            f"auth does not trust the gateway's network {subnet} (trusts {trusted})"
        )


@cache
def k8s_objects() -> list[dict[str, Any]]:
    """deploy/k8s as `kubectl kustomize` renders it (without kubectl: the
    kustomization's resources, loaded as kustomize would before its transforms,
    which here only set the namespace and image every file already names)."""
    kubectl = shutil.which("kubectl")
    if kubectl:
        done = subprocess.run(
            [kubectl, "kustomize", str(K8S_DIR)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"kubectl kustomize failed:\n{done.stderr}"
        documents = list(yaml.safe_load_all(done.stdout))
    else:
        kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
        documents = [
            doc
            for name in kustomization["resources"]
            for doc in yaml.safe_load_all((K8S_DIR / name).read_text(encoding="utf-8"))
        ]
    return [doc for doc in documents if doc]


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    found = [o for o in k8s_objects() if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"deploy/k8s has {len(found)} {kind} {name!r}"
    return found[0]


def k8s_env(deployment: str) -> dict[str, str]:
    """The plain environment of a Deployment's container: its ConfigMaps, then
    its own values (secrets, which come from outside, are left out)."""
    container = k8s_object("Deployment", deployment)["spec"]["template"]["spec"]["containers"][0]
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        environment |= k8s_object("ConfigMap", source["configMapRef"]["name"])["data"]
    for item in container.get("env", []):
        if "value" in item:
            environment[item["name"]] = item["value"]
    return environment


def test_k8s_gateway_reaches_auth_through_its_service() -> None:
    environment = k8s_env("gateway")
    namespace = k8s_object("Service", "auth")["metadata"]["namespace"]
    port = k8s_object("Service", "auth")["spec"]["ports"][0]["port"]
    for key, path in (("PIND_AUTH_URL", ""), ("PIND_AUTH_JWKS_URL", "/.well-known/jwks.json")):
        assert key in environment, f"the gateway's pods have no {key}: it would be 127.0.0.1"
        url = urlsplit(environment[key])
        assert url.hostname in ("auth", f"auth.{namespace}", f"auth.{namespace}.svc.cluster.local")
        assert url.port == port and url.path.rstrip("/") == path


def test_k8s_auth_trusts_the_pod_network_and_only_the_gateway_reaches_it() -> None:
    auth, gateway = k8s_env("auth"), k8s_env("gateway")
    trusted = _networks(auth["PIND_TRUSTED_PROXIES"])
    assert all(n.is_private for n in trusted), f"public networks trusted: {trusted}"
    assert gateway.get("FORWARDED_ALLOW_IPS"), "uvicorn would believe only 127.0.0.1"
    for network in gateway["FORWARDED_ALLOW_IPS"].split(","):
        assert ipaddress.ip_network(network.strip()).is_private
    policy = k8s_object("NetworkPolicy", "auth-from-gateway")["spec"]
    assert policy["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "auth"}
    sources = [peer for rule in policy["ingress"] for peer in rule["from"]]
    pod_sources = [p["podSelector"]["matchLabels"] for p in sources if "podSelector" in p]
    assert pod_sources == [{"app.kubernetes.io/name": "gateway"}]


def test_k8s_gateway_pods_only_serve_beside_projector_pods() -> None:
    assert k8s_env("gateway")["PIND_ROLE"] == "api"
    deployment = k8s_object("Deployment", PROJECTOR)
    pod = deployment["spec"]["template"]
    [container] = pod["spec"]["containers"]
    assert container["command"] == ["pind-gateway", "projector"]
    assert k8s_env(PROJECTOR).get("PIND_ROLE", "projector") == "projector"
    secrets = {e["name"]: e["valueFrom"] for e in container["env"] if "valueFrom" in e}
    gateway = k8s_object("Deployment", "gateway")["spec"]["template"]["spec"]["containers"][0]
    assert secrets["PIND_DATABASE_URL"] == next(
        e["valueFrom"] for e in gateway["env"] if e["name"] == "PIND_DATABASE_URL"
    )
    ops = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert k8s_env(PROJECTOR)["PIND_HTTP_PORT"] == str(ops["ops"])
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "ops"}
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(ops["ops"])
    # The gateway's Service sends requests to API pods only.
    selector = k8s_object("Service", "gateway")["spec"]["selector"]
    labels = pod["metadata"]["labels"]
    assert any(labels.get(k) != v for k, v in selector.items())


def test_k8s_auth_starts_in_production_with_the_manifests_values() -> None:
    environment = k8s_env("auth")
    assert environment["PIND_DEV"] == "false"
    settings = _auth_settings(environment)  # refuses localhost links and plain remote SMTP
    assert not settings.dev
    assert urlsplit(settings.reset_url).scheme == "https"


@pytest.mark.parametrize("name", [*SERVICES, PROJECTOR])
def test_no_k8s_setting_points_a_pod_at_itself(name: str) -> None:
    environment = k8s_env(name)
    wrong = []
    for key, default in env_names(settings_class(name)).items():
        if (name, key) in LOOPBACK_ON_PURPOSE and (
            key in {"PIND_SMTP_FROM", "PIND_CORS_ORIGINS"} or name == PROJECTOR
        ):
            continue
        value = environment.get(key, default)
        if LOOPBACK.search(str(value)):
            wrong.append(f"{key}={value}")
    assert not wrong, f"{name}: in a pod these reach the pod itself: {wrong}"
