#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stop pind's PostgreSQL cluster: fast shutdown, then immediate if it hangs.
set -euo pipefail
PIND_LOG_TAG=postgres
# shellcheck source=../../scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
# shellcheck source=common.sh
source "$PIND_ROOT/deploy/postgres/common.sh"

rm -f "$PIND_PID_DIR/postgres.pid"
if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
  info "PostgreSQL: no cluster in $PG_DATA, nothing to stop"
  exit 0
fi
require_pg_bin
if ! pg_running; then
  info "PostgreSQL was not running"
  exit 0
fi
if pg_ctl_ -m fast -w -t 30 stop >/dev/null; then
  ok "PostgreSQL stopped"
else
  warn "fast shutdown did not finish in 30s; using immediate shutdown"
  pg_ctl_ -m immediate -w -t 30 stop >/dev/null || die "could not stop PostgreSQL (data: $PG_DATA)"
  ok "PostgreSQL stopped (immediate)"
fi
