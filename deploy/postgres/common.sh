# shellcheck shell=bash disable=SC2034
# Shared by deploy/postgres/*.sh. Source after scripts/lib.sh.

PG_RUN="$PIND_RUN_DIR/postgres"
PG_DATA="$PG_RUN/data"
PG_LOG="$PIND_LOG_DIR/postgres.log"
PG_HERE="$PIND_ROOT/deploy/postgres"
PG_PORT="$PIND_PG_PORT"
PG_DB=pind
PG_SERVICE_NAMES=(auth gateway ingest transcript vision geo)

# The server refuses to run as root: as root, run it as OS user postgres.
if ((EUID == 0)); then
  PG_OS_USER="${PIND_PG_OS_USER:-postgres}"
else
  PG_OS_USER="$(id -un)"
fi

# Unix socket directory: inside the run dir unless that path is too long for a
# socket (107 bytes incl. "/.s.PGSQL.<port>"); then a per-run-dir /tmp folder.
PG_SOCK="$PG_RUN/sock"
if ((${#PG_SOCK} > 90)); then
  PG_SOCK="/tmp/pind-pg-$(printf '%s' "$PIND_RUN_DIR" | cksum | cut -d' ' -f1)"
fi

# find_pg_bin -> directory with initdb/pg_ctl/postgres; prefers PostgreSQL 15.
find_pg_bin() {
  local d
  if [[ -n "${PIND_PG_BIN:-}" ]]; then
    [[ -x "$PIND_PG_BIN/postgres" ]] || die "PIND_PG_BIN=$PIND_PG_BIN has no postgres binary"
    printf '%s\n' "$PIND_PG_BIN"
    return 0
  fi
  if [[ -x /usr/lib/postgresql/15/bin/postgres ]]; then
    echo /usr/lib/postgresql/15/bin
    return 0
  fi
  d="$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/postgres' 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$d" ]]; then
    dirname "$d"
    return 0
  fi
  if have pg_config && [[ -x "$(pg_config --bindir)/postgres" ]]; then
    pg_config --bindir
    return 0
  fi
  return 1
}

# as_pg CMD...: run CMD as the database's OS user.
as_pg() {
  if [[ "$PG_OS_USER" == "$(id -un)" ]]; then
    "$@"
  elif have runuser; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    su -s /bin/sh "$PG_OS_USER" -c "$(printf '%q ' "$@")"
  fi
}

pg_ctl_() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" "$@"; }

# pg_running -> 0 when this cluster's postmaster is alive (pg_ctl status
# alone counts a just-killed, unreaped postmaster as running).
pg_running() {
  local pid
  [[ -f "$PG_DATA/PG_VERSION" ]] || return 1
  pg_ctl_ status >/dev/null 2>&1 || return 1
  pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null | tr -dc '0-9')"
  [[ -n "$pid" ]] && pid_alive "$pid"
}

# psql_super ARGS...: psql as the cluster's bootstrap superuser over the socket.
psql_super() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_OS_USER" "$@"
}

require_pg_bin() {
  PG_BIN="$(find_pg_bin)" || die "PostgreSQL server not found (no /usr/lib/postgresql/*/bin/postgres). Run 'make setup' or: apt-get install postgresql-15"
  if ((EUID == 0)) && ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    die "OS user '$PG_OS_USER' does not exist; PostgreSQL cannot run as root. Install the postgresql package (creates it) or: useradd --system postgres"
  fi
}
