#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `make smoke`: every command of README.md's "Commands" table, in a quick
# mode, each timed; a summary table at the end; exit 1 if any failed. The
# stack it started (by `make demo`) is stopped again on exit, failed or not;
# a stack that was already running is left running.
#
#   bench           one short round of each benchmark (PIND_BENCH_QUICK=1), on
#                   topics of its own (bench.*), so a running stack is no matter
#   load            a few seconds of load on pind and the Celery baseline
#                   (PIND_LOAD_QUICK=1), own topics (load.*) and database
#   demo            the stack and one sample vlog analysed end to end
#   status, logs    what runs; the logs' tail (PIND_LOGS_NO_FOLLOW=1)
#   fuzz            a few examples per operation (PIND_FUZZ_QUICK=true, fixed seed)
#   eval            a few documents per corpus; the sample vlogs alone when the
#                   corpora are absent
#   asyncapi, schemas   regenerated, then `git diff --exit-code` on what they wrote
#   compose-config  the compose file rendered and checked (no engine needed)
#   lint            ruff, ruff format, mypy, shellcheck
# Not run here: `make test` (CI runs it before this), `make up`/`make down`
# (demo starts the stack, the exit stops it), `make compose-up` (needs a
# Docker engine). PIND_SMOKE_ONLY="lint asyncapi" runs some steps only.
set -euo pipefail
PIND_LOG_TAG=smoke
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$PIND_ROOT"

steps=(bench load demo cli dlt status logs fuzz eval asyncapi schemas compose-config lint attack chaos)
if [[ -n "${PIND_SMOKE_ONLY:-}" ]]; then
  read -r -a steps <<<"$PIND_SMOKE_ONLY"
fi

running_before=()
"$PIND_ROOT/deploy/kafka/status.sh" >/dev/null 2>&1 && running_before+=(kafka)
"$PIND_ROOT/deploy/postgres/status.sh" >/dev/null 2>&1 && running_before+=(postgres)
for n in fakes "${PIND_SERVICES[@]}"; do
  read_pid "$n" >/dev/null 2>&1 && running_before+=("$n")
done

declare -A result=() seconds=()
# shellcheck disable=SC2317 # invoked by the EXIT trap
finish() {
  local rc=$? step failed=0
  trap - EXIT INT TERM
  if ((${#running_before[@]} == 0)); then
    info "stopping the stack this run started: make down"
    make down >/dev/null 2>&1 || warn "'make down' failed; run it by hand"
  else
    info "the stack was running before the smoke run (${running_before[*]}); left running"
  fi
  printf '\n%-16s %-8s %s\n' TARGET RESULT SECONDS
  for step in "${steps[@]}"; do
    printf '%-16s %-8s %s\n' "$step" "${result[$step]:-not run}" "${seconds[$step]:--}"
    [[ "${result[$step]:-}" == ok ]] || failed=1
  done
  printf '%-16s %-8s %s\n' test "(CI)" "make test runs before make smoke"
  printf '%-16s %-8s %s\n' compose-up "skipped" "needs a Docker engine; compose-config checks the file"
  if ((failed)) && ((rc == 0)); then rc=1; fi
  if ((rc == 0)); then ok "smoke: every command passed"; else warn "smoke: failed (exit $rc)"; fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

eval_args=(--limit 20)
if ! uv run --frozen --no-sync python -c 'from evaluation.geo.corpora import CORPUS_FILES, EVAL_DIR
raise SystemExit(not all((EVAL_DIR / f).is_file() for f in CORPUS_FILES.values()))' 2>/dev/null; then
  info "no evaluation corpora (../shared/data/eval, PIND_EVAL_DIR): make eval on the sample vlogs alone"
  eval_args=(--only vlogs)
fi

# regenerated_as_committed TARGET PATH...: make TARGET, then PATH must be as committed.
regenerated_as_committed() {
  local target="$1" changed
  shift
  make "$target" || return 1
  changed="$(git status --porcelain -- "$@")"
  if [[ -n "$changed" ]]; then
    printf '%s\n' "$changed" >&2
    git --no-pager diff --stat -- "$@" >&2
    warn "make $target wrote something else than the committed $*: regenerate and commit it"
    return 1
  fi
}

run_step() {
  local step="$1" t rc
  local -a command
  case "$step" in
    demo) command=(make demo) ;;
    cli) command=(uv run --frozen --no-sync pind analyse "https://youtu.be/pindSeoul01") ;;
    dlt) command=("$PIND_ROOT/scripts/with-env.sh" uv run --frozen --no-sync pind-dlt list) ;;
    status) command=(make status) ;;
    logs) command=(env PIND_LOGS_NO_FOLLOW=1 LINES_BACK=5 make logs) ;;
    bench) command=(env PIND_BENCH_QUICK=1 make bench) ;;
    load) command=(env PIND_LOAD_QUICK=1 make load) ;;
    fuzz) command=(env PIND_FUZZ_QUICK=true PIND_FUZZ_SEED="${PIND_FUZZ_SEED:-1}" make fuzz) ;;
    eval) command=(make eval "EVAL_ARGS=${eval_args[*]}") ;;
    asyncapi) command=(regenerated_as_committed asyncapi docs/asyncapi.yaml) ;;
    schemas) command=(regenerated_as_committed schemas contracts/schemas) ;;
    compose-config) command=(make compose-config) ;;
    lint) command=(make lint) ;;
    attack) command=(env PIND_ATTACK_FUZZ=none make attack) ;;
    chaos) command=(env PIND_CHAOS_OUTAGE_S=5 make chaos "CHAOS_ARGS=-k stopped_mid_run") ;;
    *) die "unknown smoke step '$step' (known: bench load demo cli dlt status logs fuzz eval asyncapi schemas compose-config lint attack chaos)" ;;
  esac
  printf '\n' >&2
  info "=== $step: ${command[*]}"
  t="$(now_s)"
  set +e
  # A subshell without lib.sh's ERR trap: the step's own output says what failed.
  (
    trap - ERR
    "${command[@]}"
  )
  rc=$?
  set -e
  seconds[$step]=$(($(now_s) - t))
  if ((rc == 0)); then
    result[$step]=ok
    ok "$step passed in ${seconds[$step]}s"
  else
    result[$step]=FAILED
    warn "$step failed (exit $rc) after ${seconds[$step]}s"
  fi
}

for step in "${steps[@]}"; do
  run_step "$step"
done
