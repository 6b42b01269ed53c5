#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Create (first run) and start pind's own PostgreSQL 15 cluster, then make sure
# database `pind`, one role + schema per service and the admin role exist, and
# write their URLs to $PIND_RUN_DIR/env. Idempotent: passwords already in
# .run/env are kept; the cluster, settings and grants are re-checked.
#
# Cluster: $PIND_RUN_DIR/postgres/data, 127.0.0.1:55432 only, scram-sha-256 over
# TCP, run by OS user postgres when invoked as root.
set -euo pipefail
PIND_LOG_TAG=postgres
# shellcheck source=../../scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
# shellcheck source=common.sh
source "$PIND_ROOT/deploy/postgres/common.sh"

started_at="$(now_s)"

if ! find_pg_bin >/dev/null; then
  info "PostgreSQL server not installed; installing postgresql-15 from apt"
  apt_install postgresql-15
fi
require_pg_bin
ensure_run_dirs
# Fail before creating anything when someone else holds our port.
pg_running || free_port_or_die "$PG_PORT" PostgreSQL
# The server runs as $PG_OS_USER: it must be able to reach the cluster.
if [[ ! -L "$PG_LINK" ]] && ! as_pg test -x "$PIND_RUN_DIR" 2>/dev/null; then
  blocked=()
  d="$PIND_RUN_DIR"
  while [[ "$d" != / ]]; do
    as_pg test -x "$d" 2>/dev/null || blocked+=("$d")
    d="$(dirname "$d")"
  done
  if [[ -f "$PG_LINK/data/PG_VERSION" ]]; then
    # A cluster made in the run dir before (an older layout): it stays there.
    if [[ "${CI:-}" == true || "${PIND_PG_FIX_PERMS:-}" == 1 ]]; then
      warn "OS user $PG_OS_USER cannot traverse ${blocked[*]}; adding o+x (search only) to them"
      chmod o+x "${blocked[@]}"
    else
      die "OS user $PG_OS_USER cannot reach the cluster in $PG_LINK (no search permission on: ${blocked[*]}). Either 'make clean-run' (the next start puts a new cluster where $PG_OS_USER can reach it), 'chmod o+x' those directories, or rerun with PIND_PG_FIX_PERMS=1 to let this script do the chmod."
    fi
  else
    target="$PG_HOME/$PG_KEY"
    mkdir -p "$target"
    chmod 755 "$target"
    as_pg test -x "$target" 2>/dev/null ||
      die "OS user $PG_OS_USER can reach neither $PIND_RUN_DIR (no search permission on: ${blocked[*]}) nor $target; set PIND_PG_HOME to a folder it can reach"
    rmdir "$PG_LINK" 2>/dev/null || true # an empty folder left by an earlier try
    [[ ! -e "$PG_LINK" ]] || die "$PG_LINK exists but holds no cluster; remove it ('make clean-run') and retry"
    ln -s "$target" "$PG_LINK"
    info "OS user $PG_OS_USER cannot reach $PIND_RUN_DIR (no search permission on: ${blocked[*]}), so the cluster lives in $target ($PG_LINK links to it)"
    pg_paths
  fi
fi
mkdir -p "$PG_RUN"
chmod 755 "$PG_RUN"
# Which checkout the cluster serves: tells a stale server of a deleted
# checkout from a live one, and lets the sweep below find orphans.
printf '%s\n' "$PIND_RUN_DIR" >"$PG_RUN/checkout"

# Clusters under $PG_HOME whose checkout is gone and whose server is not
# running are removed (their data went with the checkout's run dir).
for d in "$PG_HOME"/*/; do
  [[ -f "$d/checkout" ]] || continue
  owner="$(head -n 1 "$d/checkout")"
  [[ -n "$owner" && ! -e "$owner" ]] || continue
  pid="$(head -n 1 "$d/data/postmaster.pid" 2>/dev/null | tr -dc '0-9' || true)"
  [[ -n "$pid" ]] && pid_alive "$pid" && continue
  info "removing the database cluster ${d%/} of a deleted checkout ($owner)"
  rm -rf -- "${d%/}"
done

# ------------------------------------------------------------------ initdb
if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
  if [[ -d "$PG_DATA" ]] && [[ -n "$(ls -A "$PG_DATA" 2>/dev/null)" ]]; then
    die "$PG_DATA exists but holds no cluster (no PG_VERSION). Remove it ('make clean-run' removes all run state) and retry."
  fi
  mkdir -p "$PG_DATA"
  chown "$PG_OS_USER" "$PG_DATA"
  chmod 700 "$PG_DATA"
  info "initdb: new cluster in $PG_DATA (OS user $PG_OS_USER, $("$PG_BIN/postgres" --version))"
  locale=C.UTF-8
  locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' || locale=C
  initdb_log="$PG_RUN/initdb.log"
  if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -E UTF8 --locale="$locale" \
    --auth-local=peer --auth-host=scram-sha-256 >"$initdb_log" 2>&1; then
    cat "$initdb_log" >&2
    die "initdb failed (log above, also in $initdb_log)"
  fi
elif [[ "$(stat -c %U "$PG_DATA")" != "$PG_OS_USER" ]]; then
  info "re-owning $PG_DATA to $PG_OS_USER (left by a previous run with another owner)"
  chown -R "$PG_OS_USER" "$PG_DATA"
  chmod 700 "$PG_DATA"
fi

# ------------------------------------------------------------------ config
# Our settings live in pind.conf (rewritten each run), included once from
# postgresql.conf; pg_hba.conf is ours entirely.
conf_before="$({ cat "$PG_DATA/pind.conf" "$PG_DATA/pg_hba.conf" 2>/dev/null || true; } | cksum)"
as_pg tee "$PG_DATA/pind.conf" >/dev/null <<CONF
# Written by deploy/postgres/setup.sh; edit that script, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 128MB
work_mem = 4MB
maintenance_work_mem = 64MB
effective_cache_size = 512MB
fsync = on
synchronous_commit = on
full_page_writes = on
max_wal_size = 512MB
password_encryption = scram-sha-256
timezone = 'UTC'
log_timezone = 'UTC'
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 1000
log_connections = off
log_disconnections = off
CONF
as_pg tee "$PG_DATA/pg_hba.conf" >/dev/null <<'HBA'
# Written by deploy/postgres/setup.sh.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  peer
host    all       all   127.0.0.1/32   scram-sha-256
HBA
if ! grep -q "^include_if_exists = 'pind.conf'" "$PG_DATA/postgresql.conf"; then
  printf "\n# pind settings (deploy/postgres/setup.sh)\ninclude_if_exists = 'pind.conf'\n" |
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
fi
conf_after="$(cat "$PG_DATA/pind.conf" "$PG_DATA/pg_hba.conf" | cksum)"

# ------------------------------------------------------------------ start
if pg_running && [[ "$conf_before" != "$conf_after" ]]; then
  info "settings changed; restarting PostgreSQL"
  "$PG_HERE/stop.sh"
fi
"$PG_HERE/start.sh"

# ------------------------------------------------------------------ roles
# Passwords: keep those already in .run/env, generate the missing ones.
declare -A pw=()
env_get() { # KEY -> value from .run/env (empty if absent)
  [[ -f "$PIND_ENV_FILE" ]] || return 0
  grep -E "^$1=" "$PIND_ENV_FILE" | tail -n 1 | cut -d= -f2- || true
}
url_password() { # postgresql+asyncpg://user:PW@host... -> PW
  sed -nE 's|^[a-z+]+://[^:/@]+:([^@]*)@.*$|\1|p' <<<"$1"
}
new_password() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

for name in "${PG_SERVICE_NAMES[@]}" admin; do
  key="PIND_${name^^}_DATABASE_URL"
  p="$(url_password "$(env_get "$key")")"
  [[ "$p" =~ ^[0-9a-f]{32,}$ ]] || p="$(new_password)"
  pw[$name]="$p"
done

{
  for name in "${PG_SERVICE_NAMES[@]}" admin; do
    printf '\\set pw_%s %s\n' "$name" "${pw[$name]}"
  done
  cat "$PG_HERE/init.sql"
} | psql_super -d postgres -f - >/dev/null 2>"$PG_RUN/init.err" || {
  cat "$PG_RUN/init.err" >&2
  die "applying deploy/postgres/init.sql failed"
}
grep -v '^NOTICE' "$PG_RUN/init.err" >&2 || true

# ------------------------------------------------------------------ .run/env
# Rewrite our keys, keep any other lines (other tools may add theirs).
tmp="$(mktemp "$PIND_RUN_DIR/env.XXXXXX")"
chmod 600 "$tmp"
{
  if [[ -f "$PIND_ENV_FILE" ]]; then
    grep -vE '^(PIND_(AUTH|GATEWAY|INGEST|TRANSCRIPT|VISION|GEO|ADMIN)_DATABASE_URL=|# (pind database|Generated by deploy/postgres))' \
      "$PIND_ENV_FILE" || true
  else
    echo "# pind local stack settings, generated; never commit. Mode 600."
  fi
  echo "# pind database URLs. Generated by deploy/postgres/setup.sh (passwords kept on re-run)."
  for name in "${PG_SERVICE_NAMES[@]}"; do
    printf 'PIND_%s_DATABASE_URL=postgresql+asyncpg://pind_%s:%s@127.0.0.1:%s/%s\n' \
      "${name^^}" "$name" "${pw[$name]}" "$PG_PORT" "$PG_DB"
  done
  printf 'PIND_ADMIN_DATABASE_URL=postgresql+asyncpg://pind_admin:%s@127.0.0.1:%s/%s\n' \
    "${pw[admin]}" "$PG_PORT" "$PG_DB"
} >"$tmp"
mv -f "$tmp" "$PIND_ENV_FILE"

# ------------------------------------------------------------------ check
# A real login over TCP with a generated password, as a service role.
if ! got="$(PGPASSWORD="${pw[gateway]}" "$PG_BIN/psql" -X -At -h 127.0.0.1 -p "$PG_PORT" \
  -U pind_gateway -d "$PG_DB" -c 'select current_schema()' 2>&1)" || [[ "$got" != gateway ]]; then
  die "PostgreSQL is up but pind_gateway cannot log in over TCP as expected: $got"
fi
ok "PostgreSQL ready: database $PG_DB, roles pind_{$(
  IFS=,
  echo "${PG_SERVICE_NAMES[*]}"
)},pind_admin; URLs in $PIND_ENV_FILE ($(($(now_s) - started_at))s)"
