#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `make test`: infrastructure up, migrations, then pytest. Whatever this run
# started (Kafka, PostgreSQL, services, fakes) is stopped again at the end, so
# a re-run starts clean; what was already running is left running.
#   scripts/test.sh [PYTEST_ARGS...]   (default args: $PYTEST_ARGS or see below)
set -euo pipefail
PIND_LOG_TAG="test"
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
require_uv
ensure_run_dirs

note_running_parts
# Every process pytest starts inherits this marker; cleanup stops those left.
test_run_id="$$-$(now_s)"

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$? n
  trap - EXIT INT TERM
  # Anything this run left behind (e.g. a service a test started on another
  # port and did not stop): found by the marker in its environment.
  for n in $(pids_with_env "PIND_TEST_RUN_ID=$test_run_id"); do
    pid_alive "$n" || continue
    warn "stopping a leftover process of this test run: pid $n: $(proc_cmdline "$n" | cut -c1-120)"
    stop_pid "$n" leftover 10
  done
  # Services and fakes this run may have started (directly or via the tests'
  # own use of scripts/services.sh), then Kafka and PostgreSQL; services.sh
  # also stops our stale processes that hold a port without a pid file.
  stop_started_parts
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0="$(now_s)"
if [[ "${PIND_TEST_INFRA:-local}" == containers ]]; then
  # pytest starts testcontainers' Kafka and PostgreSQL and migrates them
  # (pind_kit.testing.infra_containers); nothing local is started.
  info "PIND_TEST_INFRA=containers: Kafka and PostgreSQL from testcontainers (needs Docker)"
  t1="$t0" t2="$t0"
else
  "$PIND_ROOT/scripts/infra.sh" up
  t1="$(now_s)"
  info "migrations: uv run python -m pind_kit.migrate"
  "$PIND_ROOT/scripts/with-env.sh" uv run --frozen --no-sync python -m pind_kit.migrate ||
    die "migrations failed ('uv run python -m pind_kit.migrate'); see the output above"
  t2="$(now_s)"
fi

if (($#)); then
  args=("$@")
else
  # shellcheck disable=SC2206 # PYTEST_ARGS is a word list by design
  args=(${PYTEST_ARGS:--q --durations=15 --junitxml=test-artifacts/junit.xml})
fi
mkdir -p "$PIND_ROOT/test-artifacts"
# Every Python process of the run records what it reads outside what a bare
# clone has (tests/pathguard/sitecustomize.py); conftest.py fails the session
# on any such read.
guard_log="$PIND_RUN_DIR/path-guard.log"
: >"$guard_log"
info "uv run pytest ${args[*]}"
set +e
PIND_TEST_RUN_ID="$test_run_id" PIND_PATH_GUARD_LOG="$guard_log" PIND_PATH_GUARD_ROOT="$PIND_ROOT" \
  PYTHONPATH="$PIND_ROOT/tests/pathguard${PYTHONPATH:+:$PYTHONPATH}" \
  "$PIND_ROOT/scripts/with-env.sh" uv run --frozen --no-sync pytest "${args[@]}"
rc=$?
set -e
t3="$(now_s)"
if ((rc == 5)); then
  # pytest's "no tests collected": not a failure of the stack.
  warn "pytest collected no tests (exit 5); treating as success"
  rc=0
fi
info "timings: infra $((t1 - t0))s, migrations $((t2 - t1))s, pytest $((t3 - t2))s"
exit "$rc"
