"""Root pytest configuration: the kit's fixtures for the real broker and database.

Tests run in their own Kafka topic namespace (``test.``): a test run never
feeds events to a stack started with ``make up`` on the same broker, and the
end-to-end stack uses a namespace of its own on top.

Kafka and PostgreSQL are the local processes ``make test`` starts, or, with
``PIND_TEST_INFRA=containers``, testcontainers' modules: the plugin's
``pytest_configure`` (pind_kit.testing.choose_infra) starts them before any
fixture reads a setting, with the same fixtures and namespaces.
"""

import os
import sys
from pathlib import Path

import pytest

# Not imported from pind_kit.testing: importing it here would stop pytest from
# rewriting its asserts when it loads it as a plugin below.
os.environ.setdefault("PIND_KAFKA_TOPIC_PREFIX", "test.")

pytest_plugins = ["pind_kit.testing"]

# torch probes for Triton, the GPU kernel compiler that comes with its wheels;
# no test runs on a GPU, and once loaded, Triton's bindings print hundreds of
# nanobind "leaked" lines when the interpreter exits. The probe handles the
# ImportError this gives it (torch.utils._triton.has_triton_package).
sys.modules.setdefault("triton", None)


def pytest_sessionfinish(session, exitstatus):  # type: ignore[no-untyped-def]
    """Fail the run when any of its processes read a path a bare clone lacks
    (recorded by tests/pathguard/sitecustomize.py under ``make test``)."""
    log = Path(os.environ.get("PIND_PATH_GUARD_LOG") or "/nonexistent")
    if not log.is_file():
        return
    lines = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines() if line]
    if not lines:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    text = "\n".join(
        f"  {f[2]}  ({f[1]} by {f[3]}, pid {f[0]}: {f[4] if len(f) > 4 else ''})" for f in lines
    )
    message = (
        f"path guard: {len(lines)} read(s) outside the repository and the folders pind "
        f"makes itself; a bare clone would not have these:\n{text}\n"
    )
    if reporter is not None:
        reporter.write_sep("=", "path guard", red=True)
        reporter.write_line(message)
    else:
        sys.stderr.write(message)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
