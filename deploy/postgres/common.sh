# shellcheck shell=bash disable=SC2034
# Shared by deploy/postgres/*.sh. Source after scripts/lib.sh.

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

# Where the cluster lives: $PIND_RUN_DIR/postgres. When the server's OS user
# cannot reach the run dir (root's checkout under a 0700 folder such as /root
# or a mktemp -d), setup.sh puts the cluster under $PG_HOME/<checkout key>
# instead and makes $PIND_RUN_DIR/postgres a link to it; every script follows
# the link, `make status` says where it is and `make clean-run` removes it.
PG_LINK="$PIND_RUN_DIR/postgres"
PG_HOME="${PIND_PG_HOME:-/var/lib/pind/postgres}"
PG_KEY="$(basename -- "$PIND_ROOT")-$(printf '%s' "$PIND_RUN_DIR" | cksum | cut -d' ' -f1)"

# pg_paths: (re)derive the cluster's paths from where PG_LINK points.
pg_paths() {
  if [[ -L "$PG_LINK" ]]; then
    PG_RUN="$(readlink -f -- "$PG_LINK")"
    # The server writes its log itself, so it lives beside the cluster; the
    # run dir's logs/postgres.log links to it.
    PG_LOG="$PG_RUN/postgres.log"
  else
    PG_RUN="$PG_LINK"
    PG_LOG="$PIND_LOG_DIR/postgres.log"
  fi
  PG_DATA="$PG_RUN/data"
  # Unix socket directory: beside the cluster unless that path is too long for
  # a socket (107 bytes incl. "/.s.PGSQL.<port>"); then a per-run-dir /tmp folder.
  PG_SOCK="$PG_RUN/sock"
  if ((${#PG_SOCK} > 90)); then
    PG_SOCK="/tmp/pind-pg-$(printf '%s' "$PIND_RUN_DIR" | cksum | cut -d' ' -f1)"
  fi
}
pg_paths

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
    # From /: the checkout itself may be out of the OS user's reach.
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd / && su -s /bin/sh "$PG_OS_USER" -c "$(printf '%q ' "$@")")
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
