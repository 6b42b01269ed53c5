#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Start pind's own PostgreSQL cluster (127.0.0.1:55432). Runs setup.sh first
# when the cluster does not exist yet. Idempotent.
set -euo pipefail
PIND_LOG_TAG=postgres
# shellcheck source=../../scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
# shellcheck source=common.sh
source "$PIND_ROOT/deploy/postgres/common.sh"

if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
  exec "$PG_HERE/setup.sh"
fi
require_pg_bin
ensure_run_dirs

if pg_running; then
  ok "PostgreSQL already running ($(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null | sed 's/^/pid /'))"
  exit 0
fi

# A postmaster.pid whose process is gone (machine reset, SIGKILL) would block
# the start if its pid got reused; pg_ctl said "not running", so remove it.
if [[ -f "$PG_DATA/postmaster.pid" ]]; then
  old="$(head -n 1 "$PG_DATA/postmaster.pid" | tr -dc '0-9')"
  if [[ -z "$old" ]] || ! pid_alive "$old" || [[ "$(proc_cmdline "$old")" != *postgres* ]]; then
    info "removing stale $PG_DATA/postmaster.pid (pid ${old:-?} is not a running postgres)"
    rm -f "$PG_DATA/postmaster.pid"
  fi
fi

free_port_or_die "$PG_PORT" PostgreSQL

mkdir -p "$PG_SOCK"
chown "$PG_OS_USER" "$PG_SOCK"
chmod 700 "$PG_SOCK"
touch "$PG_LOG"
# The cluster lives outside the run dir (see common.sh): its log is found in logs/ as usual.
if [[ -L "$PG_LINK" ]]; then ln -sfn "$PG_LOG" "$PIND_LOG_DIR/postgres.log"; fi
chown "$PG_OS_USER" "$PG_LOG"
chmod 640 "$PG_LOG"

if ! pg_ctl_ -l "$PG_LOG" -w -t 60 start >/dev/null; then
  tail -n 30 "$PG_LOG" >&2 || true
  die "PostgreSQL did not start (log: $PG_LOG)"
fi
head -n 1 "$PG_DATA/postmaster.pid" >"$PIND_PID_DIR/postgres.pid"
ok "PostgreSQL running on 127.0.0.1:$PG_PORT (pid $(cat "$PIND_PID_DIR/postgres.pid"), log $PG_LOG)"
