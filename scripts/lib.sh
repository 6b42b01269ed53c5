# shellcheck shell=bash disable=SC2034
# Shared helpers for pind's local-stack scripts. Source it; do not run it.
#
#   PIND_ROOT       the checkout (derived from this file's location)
#   PIND_RUN_DIR    run state, default $PIND_ROOT/.run   (see docs/conventions.md)
#   PIND_CACHE_DIR  slow downloads, default ~/.cache/pind
#
# Everything here is safe under `set -euo pipefail`.

if [[ -n "${_PIND_LIB_LOADED:-}" ]]; then
  return 0
fi
_PIND_LIB_LOADED=1

PIND_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
export PIND_ROOT

_pind_abs() {
  # Absolute path of $1 without requiring it to exist.
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
  esac
}

PIND_RUN_DIR="$(_pind_abs "${PIND_RUN_DIR:-$PIND_ROOT/.run}")"
PIND_CACHE_DIR="$(_pind_abs "${PIND_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pind}")"
export PIND_RUN_DIR PIND_CACHE_DIR

PIND_LOG_DIR="$PIND_RUN_DIR/logs"
PIND_PID_DIR="$PIND_RUN_DIR/pids"
PIND_ENV_FILE="$PIND_RUN_DIR/env"

PIND_KAFKA_VERSION="4.1.2"
PIND_KAFKA_HOME="$PIND_CACHE_DIR/kafka-$PIND_KAFKA_VERSION"
PIND_KAFKA_LIBS="$PIND_KAFKA_HOME/libs"
PIND_KAFKA_PORT=9092
PIND_KAFKA_CONTROLLER_PORT=9093
PIND_PG_PORT="${PIND_PG_PORT:-55432}"

# Service name -> HTTP port (docs/conventions.md). Order = start order.
PIND_SERVICES=(auth gateway ingest transcript vision geo)
declare -A PIND_HTTP_PORTS=(
  [gateway]=8000 [auth]=8001
  [ingest]=8101 [transcript]=8102 [vision]=8103 [geo]=8104
  [fakes]=8900
)

if [[ -t 2 && -z "${NO_COLOR:-}" ]]; then
  _c_red=$'\033[31m' _c_yel=$'\033[33m' _c_grn=$'\033[32m' _c_dim=$'\033[2m' _c_off=$'\033[0m'
else
  _c_red='' _c_yel='' _c_grn='' _c_dim='' _c_off=''
fi

# Prefix used in messages; scripts set PIND_LOG_TAG before sourcing or after.
PIND_LOG_TAG="${PIND_LOG_TAG:-pind}"

info() { printf '%s[%s]%s %s\n' "$_c_dim" "$PIND_LOG_TAG" "$_c_off" "$*" >&2; }
ok() { printf '%s[%s]%s %s%s%s\n' "$_c_dim" "$PIND_LOG_TAG" "$_c_off" "$_c_grn" "$*" "$_c_off" >&2; }
warn() { printf '%s[%s] warning:%s %s\n' "$_c_yel" "$PIND_LOG_TAG" "$_c_off" "$*" >&2; }
die() {
  printf '%s[%s] error:%s %s\n' "$_c_red" "$PIND_LOG_TAG" "$_c_off" "$*" >&2
  exit 1
}

# Any unexpected failure (set -e) names the script, line and command.
_pind_on_err() {
  # A failing call of one of our own scripts has already said why.
  # shellcheck disable=SC2016 # the literal, unexpanded text
  [[ "$4" == *'$PIND_ROOT/'* || "$4" == *'_HERE/'* || "$4" == *with-env.sh* ]] && return 0
  printf '%s[%s] error:%s command failed (exit %s) at %s:%s: %s\n' \
    "$_c_red" "$PIND_LOG_TAG" "$_c_off" "$1" "$2" "$3" "$4" >&2
}
set -o errtrace
trap '_pind_on_err $? "${BASH_SOURCE[0]##*/}" "$LINENO" "$BASH_COMMAND"' ERR

have() { command -v "$1" >/dev/null 2>&1; }

ensure_run_dirs() {
  mkdir -p "$PIND_LOG_DIR" "$PIND_PID_DIR"
}

# Monotonic-enough seconds for timings.
now_s() { date +%s; }

# ---------------------------------------------------------------- processes

# pid_alive PID -> 0 when a process with that pid exists (and is not a zombie).
pid_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ "$state" != "Z" ]]
}

# read_pid NAME -> prints the pid in .run/pids/NAME.pid if that process is alive;
# removes a stale pid file and returns 1 otherwise.
read_pid() {
  local file="$PIND_PID_DIR/$1.pid" pid
  [[ -f "$file" ]] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  if [[ -n "$pid" ]] && pid_alive "$pid"; then
    printf '%s\n' "$pid"
    return 0
  fi
  info "removing stale pid file $file (pid ${pid:-?} is not running)"
  rm -f "$file"
  return 1
}

proc_cmdline() {
  { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true
}

proc_cwd() {
  readlink "/proc/$1/cwd" 2>/dev/null || true
}

# stop_pid PID LABEL [GRACE_SECONDS]: SIGTERM to the process group if the pid
# leads one (we start children with setsid), else the pid; wait; then SIGKILL.
stop_pid() {
  local pid="$1" label="$2" grace="${3:-20}" target waited=0
  pid_alive "$pid" || return 0
  target="$pid"
  if [[ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" == "$pid" ]]; then
    target="-$pid"
  fi
  kill -TERM -- "$target" 2>/dev/null || true
  while pid_alive "$pid" && ((waited < grace * 5)); do
    sleep 0.2
    waited=$((waited + 1))
  done
  if pid_alive "$pid"; then
    warn "$label (pid $pid) did not stop within ${grace}s; sending SIGKILL"
    kill -KILL -- "$target" 2>/dev/null || true
    sleep 0.5
  fi
  # Leftover members of the group (e.g. a child that ignored TERM).
  if [[ "$target" == -* ]] && kill -0 -- "$target" 2>/dev/null; then
    kill -KILL -- "$target" 2>/dev/null || true
  fi
}

# pids_with_env NAME=VALUE -> pids of processes whose environment holds that
# exact entry (how test.sh finds what its own run started, and nothing else).
pids_with_env() {
  local entry="$1" d pid
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
    if { tr '\0' '\n' <"$d/environ"; } 2>/dev/null | grep -qxF -- "$entry"; then
      printf '%s\n' "$pid"
    fi
  done
}

# ---------------------------------------------------------------- ports

# port_open PORT -> 0 when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# port_pids PORT -> pids listening on PORT (best effort; needs ss or lsof).
port_pids() {
  local port="$1"
  if have ss; then
    ss -H -ltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u
  elif have lsof; then
    lsof -nP -t -iTCP:"$port" -sTCP:LISTEN 2>/dev/null | sort -u
  fi
}

# describe_port PORT -> one human line about who holds PORT.
describe_port() {
  local port="$1" pids pid out=""
  pids="$(port_pids "$port" || true)"
  if [[ -z "$pids" ]]; then
    printf 'port %s is in use by a process this user cannot see (install iproute2 for ss, or run as root, to find it)\n' "$port"
    return 0
  fi
  for pid in $pids; do
    out+="pid $pid: $(proc_cmdline "$pid" | cut -c1-160) (cwd $(proc_cwd "$pid")); "
  done
  printf 'port %s is in use by %s\n' "$port" "${out%; }"
}

# pind_process_kind PID -> prints kafka | postgres | pind-NAME when PID is a
# process of some pind local stack (this checkout or another one).
pind_process_kind() {
  local pid="$1" cmd data
  cmd="$(proc_cmdline "$pid")"
  if [[ "$cmd" == *-Dpind.kafka.log=* ]]; then
    echo kafka
  elif [[ "$cmd" =~ (pind-|-m pind_)(auth|gateway|ingest|transcript|vision|geo|fakes)([[:space:]]|$) ]]; then
    echo "pind-${BASH_REMATCH[2]}"
  elif [[ "$cmd" == *postgres*" -D "* ]]; then
    data="$({ tr '\0' '\n' <"/proc/$pid/cmdline"; } 2>/dev/null | awk 'prev == "-D" {print; exit} {prev = $0}')"
    [[ -n "$data" ]] || return 1
    # Ours: pind.conf in its data dir, or a data dir of our layout that was
    # deleted under it (the checkout was removed while it ran).
    if [[ -f "$data/pind.conf" ]] ||
      { [[ "$data" == */postgres/data && ! -e "$data" ]] && [[ "$(proc_cwd "$pid")" == *" (deleted)" ]]; }; then
      echo postgres
    else
      return 1
    fi
  else
    return 1
  fi
}

# pind_process_origin PID -> the checkout or run dir a pind process belongs
# to, with "(deleted)" when that folder is gone.
pind_process_origin() {
  local pid="$1" where data
  where="$({ tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | sed -n 's/^PIND_RUN_DIR=//p' | head -n 1)"
  if [[ -z "$where" ]]; then
    data="$({ tr '\0' '\n' <"/proc/$pid/cmdline"; } 2>/dev/null | awk 'prev == "-D" {print; exit} {prev = $0}')"
    if [[ -n "$data" && -f "$data/../checkout" ]]; then
      where="$(head -n 1 "$data/../checkout")"
    fi
  fi
  [[ -n "$where" ]] || where="$(proc_cwd "$pid")"
  where="${where% (deleted)}"
  if [[ -e "$where" ]]; then
    printf '%s\n' "$where"
  else
    printf '%s (deleted)\n' "$where"
  fi
}

# free_port_or_die PORT LABEL: PORT must be free before LABEL starts. Only one
# pind stack fits the fixed ports, so a pind process of another checkout or run
# dir holding it (left by an interrupted run, a deleted checkout, or simply
# still up there) is stopped, with a warning naming it; its data stays where it
# is. PIND_REPLACE_STALE=0 refuses instead. Anything not pind's fails with who
# holds the port.
free_port_or_die() {
  local port="$1" label="$2" pid kind origin stale=() waited=0
  port_open "$port" || return 0
  for pid in $(port_pids "$port" || true); do
    kind="$(pind_process_kind "$pid")" || continue
    origin="$(pind_process_origin "$pid")"
    stale+=("$kind (pid $pid, of $origin)")
    [[ "${PIND_REPLACE_STALE:-1}" == 0 ]] && continue
    warn "port $port is held by the pind $kind of $origin (pid $pid); stopping it so this checkout's $label can start"
    if [[ "$kind" == postgres ]]; then
      kill -INT "$pid" 2>/dev/null || true # fast shutdown
      while pid_alive "$pid" && ((waited < 150)); do
        sleep 0.2
        waited=$((waited + 1))
      done
      pid_alive "$pid" && kill -QUIT "$pid" 2>/dev/null
    else
      stop_pid "$pid" "$kind" 30
    fi
  done
  waited=0
  while port_open "$port" && ((waited < 50)); do
    sleep 0.2
    waited=$((waited + 1))
  done
  port_open "$port" || return 0
  if ((${#stale[@]})); then
    die "cannot start $label: port $port is held by pind ${stale[*]}. Run 'make down' there, or run again without PIND_REPLACE_STALE=0 to let this checkout stop it."
  fi
  die "cannot start $label: $(describe_port "$port"). Stop that process and retry."
}

# ---------------------------------------------------------------- runs

# pind_part_running NAME -> 0 when this checkout's NAME (kafka, postgres,
# fakes or a service) runs now.
pind_part_running() {
  case "$1" in
    kafka) "$PIND_ROOT/deploy/kafka/status.sh" >/dev/null 2>&1 ;;
    postgres) "$PIND_ROOT/deploy/postgres/status.sh" >/dev/null 2>&1 ;;
    *) read_pid "$1" >/dev/null 2>&1 ;;
  esac
}

# note_running_parts: remember which parts run now (PIND_RAN_BEFORE), so that
# stop_started_parts can stop exactly what a command started itself.
declare -A PIND_RAN_BEFORE=()
note_running_parts() {
  local n
  for n in kafka postgres fakes "${PIND_SERVICES[@]}"; do
    if pind_part_running "$n"; then PIND_RAN_BEFORE[$n]=1; fi
  done
}

# stop_started_parts: stop the services, fakes, Kafka and PostgreSQL that did
# not run at note_running_parts (services first, the database last).
stop_started_parts() {
  local n ours=()
  for n in fakes "${PIND_SERVICES[@]}"; do
    [[ -n "${PIND_RAN_BEFORE[$n]:-}" ]] || ours+=("$n")
  done
  if ((${#ours[@]})); then
    "$PIND_ROOT/scripts/services.sh" stop "${ours[@]}" >/dev/null 2>&1 || true
  fi
  [[ -n "${PIND_RAN_BEFORE[kafka]:-}" ]] || "$PIND_ROOT/deploy/kafka/stop.sh" || true
  [[ -n "${PIND_RAN_BEFORE[postgres]:-}" ]] || "$PIND_ROOT/deploy/postgres/stop.sh" || true
}

# wait_http_200 URL TIMEOUT_S [PID] -> 0 once URL answers 200; 1 on timeout or
# when PID (if given) dies meanwhile.
wait_http_200() {
  local url="$1" timeout="$2" pid="${3:-}" deadline
  deadline=$(($(now_s) + timeout))
  while (($(now_s) < deadline)); do
    if http_ok "$url"; then
      return 0
    fi
    if [[ -n "$pid" ]] && ! pid_alive "$pid"; then
      return 1
    fi
    sleep 0.5
  done
  return 1
}

# http_ok URL -> 0 when GET URL answers 200 within 2 s.
http_ok() {
  local code
  if have curl; then
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true)"
  else
    code="$(python3 - "$1" <<'PY' 2>/dev/null || true
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        print(r.status)
except Exception as e:
    print(getattr(e, "code", 0))
PY
)"
  fi
  [[ "$code" == "200" ]]
}

# ---------------------------------------------------------------- env files

# load_env_file FILE: export KEY=VALUE lines (comments and blanks skipped, one
# level of surrounding quotes removed, no shell expansion). Keys already present
# in the caller's original environment win (see snapshot_env).
declare -A _PIND_ORIG_ENV=()
snapshot_env() {
  local k
  for k in $(compgen -e); do
    _PIND_ORIG_ENV[$k]=1
  done
}

load_env_file() {
  local file="$1" line key val
  [[ -f "$file" ]] || return 0
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line#"${line%%[![:space:]]*}"}"
    [[ -z "$line" || "$line" == \#* ]] && continue
    line="${line#export }"
    [[ "$line" == *=* ]] || continue
    key="${line%%=*}"
    val="${line#*=}"
    [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    if [[ "$val" =~ ^\"(.*)\"$ || "$val" =~ ^\'(.*)\'$ ]]; then
      val="${BASH_REMATCH[1]}"
    fi
    [[ -n "${_PIND_ORIG_ENV[$key]:-}" ]] && continue
    export "$key=$val"
  done <"$file"
}

# The local stack's settings, lowest precedence first:
#   scripts/stack.env (committed defaults: fakes, bootstrap)
#   .run/env          (generated: database URLs and passwords)
#   .env              (yours, git-ignored)
# Variables already exported by the caller win over all three.
load_stack_env() {
  ((${#_PIND_ORIG_ENV[@]})) || snapshot_env
  # Later files override earlier ones, so load highest precedence first and
  # mark what is set.
  local f k
  for f in "$PIND_ROOT/.env" "$PIND_ENV_FILE" "$PIND_ROOT/scripts/stack.env"; do
    load_env_file "$f"
    for k in $(compgen -e); do
      _PIND_ORIG_ENV[$k]=1
    done
  done
}

# ---------------------------------------------------------------- uv

require_uv() {
  have uv || die "uv not found on PATH. Run 'make setup' (installs it with 'python3 -m pip install uv')."
}

# ---------------------------------------------------------------- apt

_PIND_APT_UPDATED=0
# apt_install PKG...: install Debian packages that are not installed yet
# (runs `apt-get update` once per script run). Fails clearly off Debian.
apt_install() {
  local missing=() p sudo=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  have apt-get || die "missing packages: ${missing[*]}; this is not a Debian/Ubuntu system (no apt-get): install them with your package manager"
  if ((EUID != 0)); then
    have sudo || die "missing packages: ${missing[*]}; run as root or install sudo"
    sudo=(sudo -n)
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ((!_PIND_APT_UPDATED)); then
    info "apt-get update"
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 ||
      die "apt-get update failed (is the Debian mirror reachable?)"
    _PIND_APT_UPDATED=1
  fi
  info "installing: ${missing[*]}"
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
    die "apt-get install ${missing[*]} failed"
}
