#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Start, stop and inspect pind's processes of the local stack.
#
#   scripts/services.sh start   [NAME...]   default: the six services
#   scripts/services.sh stop    [NAME...]   default: the six services and fakes
#   scripts/services.sh restart [NAME...]   default: the six services
#   scripts/services.sh status  [NAME...]   default: all
#
# NAME: auth gateway ingest transcript vision geo | fakes | all (= six + fakes)
# | gateway-projector. The gateway runs as two: `gateway` (the API, PIND_ROLE=api)
# and `gateway-projector` (`pind-gateway projector`: the projection, relay and
# sweeper, ops endpoints on :8100); naming gateway names both.
#
# Each runs as its own process group: `uv run --frozen --no-sync pind-NAME`
# (fakes: `pind-fakes serve`), env from scripts/stack.env, .run/env and .env,
# plus PIND_DATABASE_URL (its PIND_<NAME>_DATABASE_URL) and PIND_HTTP_PORT;
# every PIND_<NAME>_<KEY> is also given as PIND_<KEY>. A service does not see
# the other services' database URLs nor the admin URL.
# pid: .run/pids/NAME.pid, log: .run/logs/NAME.log. Start waits for
# GET /readyz (fakes: :8900/healthz) to answer 200, up to
# PIND_SERVICE_READY_TIMEOUT seconds (default 120).
set -euo pipefail
PIND_LOG_TAG=services
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

ready_timeout="${PIND_SERVICE_READY_TIMEOUT:-120}"
# The gateway's projector: its ops port, and the service whose settings it shares.
PIND_HTTP_PORTS[gateway-projector]=8100
PROJECTOR=gateway-projector
venv="${UV_PROJECT_ENVIRONMENT:-$PIND_ROOT/.venv}"

usage() {
  sed -n '3,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}

is_known() {
  local n="$1" s
  [[ "$n" == fakes || "$n" == "$PROJECTOR" ]] && return 0
  for s in "${PIND_SERVICES[@]}"; do [[ "$s" == "$n" ]] && return 0; done
  return 1
}

expand_names() { # default... -- args...
  local defaults=() out=() n
  while [[ $# -gt 0 && "$1" != -- ]]; do
    defaults+=("$1")
    shift
  done
  shift
  (($#)) || set -- "${defaults[@]}"
  for n in "$@"; do
    if [[ "$n" == all ]]; then
      out+=(fakes "${PIND_SERVICES[@]}")
    elif is_known "$n"; then
      out+=("$n")
    else
      die "unknown name '$n' (known: ${PIND_SERVICES[*]} fakes all)"
    fi
  done
  # The gateway is its API and its projector (the projector first: it relays
  # and projects what the API's first requests make).
  printf '%s\n' "${out[@]}" | sed "s/^gateway\$/$PROJECTOR\ngateway/" | awk '!seen[$0]++'
}

# service_of NAME -> the service whose package and settings process NAME runs.
service_of() { if [[ "$1" == "$PROJECTOR" ]]; then echo gateway; else echo "$1"; fi; }

script_of() { if [[ "$1" == fakes ]]; then echo pind-fakes; else echo "pind-$(service_of "$1")"; fi; }

ready_url() {
  if [[ "$1" == fakes ]]; then
    echo "http://127.0.0.1:${PIND_HTTP_PORTS[fakes]}/healthz"
  else
    echo "http://127.0.0.1:${PIND_HTTP_PORTS[$1]}/readyz"
  fi
}

# ours PID NAME -> 0 when PID is a pind-NAME process of this checkout.
ours() {
  local cmd
  cmd="$(proc_cmdline "$1")"
  [[ "$cmd" == *"$(script_of "$2")"* || "$cmd" == *"-m pind_$(service_of "$2")"* ]] &&
    [[ "$(proc_cwd "$1")" == "$PIND_ROOT" || "$cmd" == *"$venv/"* ]]
}

# free_port NAME PORT: make sure PORT is free; stops our own stale process
# holding it, fails clearly for anyone else's.
free_port() {
  local name="$1" port="$2" pid waited=0
  port_open "$port" || return 0
  for pid in $(port_pids "$port" || true); do
    if ours "$pid" "$name"; then
      warn "stale $name process (pid $pid, no pid file) holds port $port; stopping it"
      stop_pid "$pid" "$name" 10
    fi
  done
  while port_open "$port" && ((waited < 50)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  free_port_or_die "$port" "$name"
}

launch() {
  local name="$1" script port log pidfile svc url pid
  script="$(script_of "$name")"
  log="$PIND_LOG_DIR/$name.log"
  pidfile="$PIND_PID_DIR/$name.pid"
  if pid="$(read_pid "$name")"; then
    info "$name already running (pid $pid)"
    return 0
  fi
  [[ -x "$venv/bin/$script" ]] || die "console script '$script' not found in $venv/bin. Is it declared under [project.scripts] in $( [[ $name == fakes ]] && echo fakes || echo "services/$name")/pyproject.toml, and did 'make setup' (uv sync) run since?"
  port="${PIND_HTTP_PORTS[$name]}"
  free_port "$name" "$port"
  if [[ "$name" == fakes ]]; then
    free_port fakes 8901
    free_port fakes 8902
  fi

  local -a env_args=()
  local other
  if [[ "$name" == fakes ]]; then
    env_args=(-u PIND_DATABASE_URL -u PIND_HTTP_PORT)
    for other in "${PIND_SERVICES[@]}" admin; do
      env_args+=(-u "PIND_${other^^}_DATABASE_URL")
    done
  else
    svc="$(service_of "$name")"
    svc="${svc^^}"
    url="$(printenv "PIND_${svc}_DATABASE_URL" || true)"
    [[ -n "$url" ]] || die "PIND_${svc}_DATABASE_URL is not set (expected in $PIND_ENV_FILE). Run deploy/postgres/setup.sh (make infra-up)."
    env_args=()
    # PIND_<NAME>_<KEY> -> PIND_<KEY> for this service (scripts/stack.env).
    local var
    while IFS= read -r var; do
      env_args+=("PIND_${var#"PIND_${svc}_"}=$(printenv "$var")")
    done < <(compgen -e | grep "^PIND_${svc}_" || true)
    env_args+=("PIND_DATABASE_URL=$url" "PIND_HTTP_PORT=$port")
    env_args+=("PIND_SERVICE_NAME=$(service_of "$name")")
    # The API serves only; the projector does the gateway's background work.
    [[ "$name" == gateway ]] && env_args+=("PIND_ROLE=api")
    # Least privilege: a service sees only its own database credentials.
    for other in "${PIND_SERVICES[@]}" admin; do
      [[ "$other" == "$(service_of "$name")" ]] ||
        env_args=(-u "PIND_${other^^}_DATABASE_URL" "${env_args[@]}")
    done
  fi

  local -a cmd=(uv run --frozen --no-sync "$script")
  [[ "$name" == fakes ]] && cmd+=(serve)
  [[ "$name" == "$PROJECTOR" ]] && cmd+=(projector)

  [[ -f "$log" ]] && mv -f "$log" "$log.prev"
  # setsid: own process group (stop signals uv and its python child together);
  # the pid file is written by the shell that then execs, so it is that pid.
  # shellcheck disable=SC2016 # expanded by the inner shell
  (
    cd "$PIND_ROOT"
    trap - ERR
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pidfile" \
      env "${env_args[@]}" "${cmd[@]}" </dev/null >"$log" 2>&1 &
  )
  for _ in $(seq 1 50); do
    [[ -s "$pidfile" ]] && break
    sleep 0.1
  done
  info "$name starting (pid $(cat "$pidfile" 2>/dev/null || echo '?'), port $port, log $log)"
}

wait_ready() {
  local name="$1" pid url log
  pid="$(cat "$PIND_PID_DIR/$name.pid" 2>/dev/null || true)"
  url="$(ready_url "$name")"
  log="$PIND_LOG_DIR/$name.log"
  if wait_http_200 "$url" "$ready_timeout" "$pid"; then
    ok "$name ready ($url)"
    return 0
  fi
  sleep 0.5 # let a dying process's last lines reach the log
  {
    if [[ -n "$pid" ]] && pid_alive "$pid"; then
      echo "$name did not answer 200 on $url within ${ready_timeout}s; last 30 lines of $log:"
    else
      echo "$name exited before it was ready; last 30 lines of $log:"
    fi
    tail -n 30 "$log" 2>/dev/null || true
  } >&2
  [[ -n "$pid" ]] && stop_pid "$pid" "$name" 10
  rm -f "$PIND_PID_DIR/$name.pid"
  return 1
}

cmd_start() {
  local names=() name failed=()
  mapfile -t names < <(expand_names "${PIND_SERVICES[@]}" -- "$@")
  require_uv
  [[ -d "$venv" ]] || die "no virtual environment at $venv; run 'make setup'"
  ensure_run_dirs
  load_stack_env
  for name in "${names[@]}"; do
    if [[ "$name" != fakes ]]; then
      port_open "$PIND_KAFKA_PORT" || warn "Kafka is not listening on 127.0.0.1:$PIND_KAFKA_PORT; $name will not get ready (make infra-up)"
      port_open "$PIND_PG_PORT" || warn "PostgreSQL is not listening on 127.0.0.1:$PIND_PG_PORT; $name will not get ready (make infra-up)"
      break
    fi
  done
  for name in "${names[@]}"; do launch "$name"; done
  for name in "${names[@]}"; do wait_ready "$name" || failed+=("$name"); done
  ((${#failed[@]} == 0)) || die "not ready: ${failed[*]}"
}

cmd_stop() {
  local names=() name pid
  mapfile -t names < <(expand_names "${PIND_SERVICES[@]}" fakes -- "$@")
  for name in "${names[@]}"; do
    if pid="$(read_pid "$name")"; then
      info "stopping $name (pid $pid)"
      stop_pid "$pid" "$name" "${PIND_SERVICE_STOP_TIMEOUT:-20}"
    fi
    rm -f "$PIND_PID_DIR/$name.pid"
    # Our own process still holding the port without a pid file.
    for pid in $(port_pids "${PIND_HTTP_PORTS[$name]}" || true); do
      if ours "$pid" "$name"; then
        warn "stopping stale $name process without pid file (pid $pid)"
        stop_pid "$pid" "$name" 10
      fi
    done
  done
  ok "stopped: ${names[*]}"
}

cmd_status() {
  local names=() name pid alive ready port
  mapfile -t names < <(expand_names fakes "${PIND_SERVICES[@]}" -- "$@")
  printf '%-18s %-8s %-6s %-6s %s\n' NAME PID ALIVE READY URL
  for name in "${names[@]}"; do
    port="${PIND_HTTP_PORTS[$name]}"
    pid="$(read_pid "$name" 2>/dev/null || true)"
    alive=no
    [[ -n "$pid" ]] && alive=yes
    ready=no
    http_ok "$(ready_url "$name")" && ready=yes
    if [[ -z "$pid" && "$ready" == yes ]]; then
      pid="?"
      alive="other"
    fi
    printf '%-18s %-8s %-6s %-6s %s\n' "$name" "${pid:--}" "$alive" "$ready" "$(ready_url "$name")"
  done
}

action="${1:-}"
(($#)) && shift
case "$action" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  restart)
    if (($#)); then cmd_stop "$@"; else cmd_stop "${PIND_SERVICES[@]}"; fi
    cmd_start "$@"
    ;;
  status) cmd_status "$@" ;;
  *) usage ;;
esac
