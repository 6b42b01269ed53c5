#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Print whether pind's PostgreSQL runs and accepts connections; exit 0 if so.
set -euo pipefail
PIND_LOG_TAG=postgres
# shellcheck source=../../scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
# shellcheck source=common.sh
source "$PIND_ROOT/deploy/postgres/common.sh"

if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
  echo "postgres: not set up (run deploy/postgres/setup.sh or make infra-up)"
  exit 1
fi
require_pg_bin
if pg_running; then
  pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || echo '?')"
  if as_pg "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d "$PG_DB"; then
    echo "postgres: running (pid $pid), accepting connections on 127.0.0.1:$PG_PORT, data in $PG_DATA"
    exit 0
  fi
  echo "postgres: running (pid $pid), not accepting connections yet"
  exit 1
fi
if port_open "$PG_PORT"; then
  echo "postgres: stopped, but $(describe_port "$PG_PORT")"
else
  echo "postgres: stopped"
fi
exit 1
