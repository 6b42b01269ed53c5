"""Running the fakes: all three in-process, and the pind-fakes command line."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import httpx

from pind_fakes.__main__ import main
from pind_fakes.server import fakes_running
from pind_fakes.settings import FakesSettings


async def test_all_three_fakes_start_on_free_ports(gazetteer_settings: FakesSettings) -> None:
    async with fakes_running(gazetteer_settings) as urls, httpx.AsyncClient(timeout=10) as http:
        ports = {url.rsplit(":", 1)[1] for url in (urls.youtube, urls.gemini, urls.geocoders)}
        assert len(ports) == 3 and not ports & {"8900", "8901", "8902"}
        for url in (urls.youtube, urls.gemini, urls.geocoders):
            assert url.startswith("http://127.0.0.1:")
            assert (await http.get(f"{url}/healthz")).json() == {"status": "ok"}
        assert (await http.get(f"{urls.youtube}/recorded/pindBusan03")).json()[
            "id"
        ] == "pindBusan03"


def test_settings_come_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PIND_FAKES_SAMPLES_DIR", str(tmp_path / "vlogs"))
    monkeypatch.setenv("PIND_FAKES_YOUTUBE_PORT", "9900")
    settings = FakesSettings()
    assert settings.youtube_port == 9900
    assert settings.scenarios_path == tmp_path / "scenarios.json"
    assert FakesSettings().host == "127.0.0.1"


async def test_cli_serves_one_fake_and_stops_on_sigterm(settings: FakesSettings) -> None:
    with socket.socket() as sock:  # a port that is free now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pind_fakes",
        "youtube",
        "--port",
        str(port),
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
        assert f"fake youtube listening on http://127.0.0.1:{port}".encode() in line
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_cli_reports_a_taken_port(settings: FakesSettings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["youtube", "--port", str(port)]) == 1
