#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `make up` and `make demo`: infrastructure, migrations, the fakes and the six
# services, and with --demo one sample vlog analysed end to end. If any step
# fails or is interrupted, what this run started is stopped again (what was
# already running stays), so a failed run leaves no Kafka or PostgreSQL behind.
#   scripts/up.sh [--demo]
set -euo pipefail
PIND_LOG_TAG=up
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
require_uv
ensure_run_dirs

demo=0
case "${1:-}" in
  --demo) demo=1 ;;
  "") ;;
  *) die "usage: scripts/up.sh [--demo]" ;;
esac

note_running_parts
# shellcheck disable=SC2317 # invoked by the EXIT trap
on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  if ((rc != 0)); then
    warn "stopping what this run started (exit $rc); logs stay in $PIND_LOG_DIR"
    stop_started_parts
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PIND_ROOT/scripts/infra.sh" up
info "migrations: uv run python -m pind_kit.migrate"
"$PIND_ROOT/scripts/with-env.sh" uv run --frozen --no-sync python -m pind_kit.migrate ||
  die "migrations failed ('uv run python -m pind_kit.migrate'); see the output above"
"$PIND_ROOT/scripts/services.sh" start fakes
"$PIND_ROOT/scripts/services.sh" start
ok "pind is up: gateway http://127.0.0.1:${PIND_HTTP_PORTS[gateway]} (make status, make logs, make down)"
if ((demo)); then
  # DEMO_VIDEO picks another sample (samples/vlogs); the default is a food vlog.
  "$PIND_ROOT/scripts/with-env.sh" uv run --frozen --no-sync python -m pind_fakes.demo \
    ${DEMO_VIDEO:+--video "$DEMO_VIDEO"} ||
    die "the demo failed (output above; service logs in $PIND_LOG_DIR)"
  info "the stack keeps running; 'make down' stops it"
fi
