"""Where the tests' Kafka and PostgreSQL come from (``PIND_TEST_INFRA``):
the choice, the engine probe, and the plugin's answer when containers are
asked for on a machine without a Docker engine (such as the ones this project
is built on: the testcontainers path itself could not be run here)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pind_kit.testing import InfraChoiceError, choose_infra, docker_available


def never_asked() -> bool:
    raise AssertionError("the Docker engine was probed although containers were not asked for")


@pytest.mark.parametrize("env", [{}, {"PIND_TEST_INFRA": ""}, {"PIND_TEST_INFRA": " Local "}])
def test_local_processes_are_the_default(env: dict[str, str]) -> None:
    assert choose_infra(env, never_asked) == "local"


def test_containers_where_an_engine_answers() -> None:
    assert choose_infra({"PIND_TEST_INFRA": "containers"}, lambda: True) == "containers"


def test_containers_without_an_engine_is_an_error_that_says_what_to_do() -> None:
    env = {"PIND_TEST_INFRA": "containers", "DOCKER_HOST": "tcp://10.0.0.1:2375"}
    with pytest.raises(InfraChoiceError) as raised:
        choose_infra(env, lambda: False)
    message = str(raised.value)
    assert "needs a Docker engine" in message and "tcp://10.0.0.1:2375" in message
    assert "unset PIND_TEST_INFRA" in message
    without_host = {"PIND_TEST_INFRA": "containers"}
    with pytest.raises(InfraChoiceError, match=r"/var/run/docker\.sock"):
        choose_infra(without_host, lambda: False)


def test_an_unknown_choice_is_refused() -> None:
    with pytest.raises(InfraChoiceError, match="'docker' is not a choice"):
        choose_infra({"PIND_TEST_INFRA": "docker"}, never_asked)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize(
    "docker_host",
    ["unix:///nonexistent/docker.sock", f"tcp://127.0.0.1:{closed_port()}", "not a url"],
)
def test_the_probe_says_no_when_no_engine_answers(
    docker_host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    assert docker_available(timeout_s=2) is False


def run_pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A pytest session with the kit's plugin (as the root conftest loads it)."""
    test = tmp_path / "test_one.py"
    test.write_text("def test_one():\n    assert True\n")
    plugins = ["-p", "pind_kit.testing", "-p", "no:cacheprovider"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, "-q", str(test)],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_plugin_stops_a_session_that_asks_for_containers_without_docker(
    tmp_path: Path,
) -> None:
    asked = run_pytest(
        tmp_path, PIND_TEST_INFRA="containers", DOCKER_HOST="unix:///nonexistent/docker.sock"
    )
    assert asked.returncode == pytest.ExitCode.USAGE_ERROR, asked.stdout + asked.stderr
    assert "PIND_TEST_INFRA=containers needs a Docker engine" in asked.stderr
    assert "unix:///nonexistent/docker.sock" in asked.stderr

    local = run_pytest(tmp_path, PIND_TEST_INFRA="local")
    assert local.returncode == pytest.ExitCode.OK, local.stdout + local.stderr
    assert "1 passed" in local.stdout
