#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `make bench`: run every benchmark module that exists, with the local stack's
# settings: pind_kit.bench, benchmarks.media, then any benchmarks.<service>.
# Missing modules are skipped; a failing one fails the run (after the others ran).
#
#   scripts/bench.sh [MODULE...]   default: every module that exists
#
# PIND_BENCH_QUICK=1: one short round each (one sample clip, a few seconds of
# load, a handful of hashes and logins), for `make smoke`; the figures only
# show that each benchmark still runs, not what the machine can do.
set -euo pipefail
PIND_LOG_TAG=bench
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
require_uv

quick="${PIND_BENCH_QUICK:-0}"
[[ "$quick" == 0 || "$quick" == 1 ]] || die "PIND_BENCH_QUICK must be 0 or 1, not '$quick'"

# The short round of each module, in the arguments it accepts (python -m M --help).
declare -A quick_args=(
  [benchmarks.media]="--clips pindSeoul01 --no-speech"
  [benchmarks.auth]="--hashes 3 --accounts 2 --logins 20 --concurrency 4 --verify-seconds 0.5"
  [benchmarks.gateway]="--duration 1 --jobs 20 --events-per-job 5 --tokens 100"
  [benchmarks.vision]="pindSeoul01"
)

if (($#)); then
  candidates=("$@")
else
  candidates=(pind_kit.bench benchmarks.media)
  for s in "${PIND_SERVICES[@]}"; do candidates+=("benchmarks.$s"); done
fi

mapfile -t present < <(
  "$PIND_ROOT/scripts/with-env.sh" uv run --frozen --no-sync python - "${candidates[@]}" <<'PY'
import importlib.util
import sys

for name in sys.argv[1:]:
    try:
        found = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        found = False
    if found:
        print(name)
PY
)
if ((${#present[@]} == 0)); then
  (($#)) && die "no such benchmark module: $*"
  warn "no benchmark modules yet (looked for: ${candidates[*]})"
  exit 0
fi
if (($#)) && ((${#present[@]} < $#)); then
  die "benchmark modules not found: $(comm -23 <(printf '%s\n' "$@" | sort) <(printf '%s\n' "${present[@]}" | sort) | tr '\n' ' ')"
fi

# service_of MODULE -> the service whose benchmark MODULE is (benchmarks.<service>), if any.
service_of() {
  local m="$1" s
  for s in "${PIND_SERVICES[@]}"; do
    [[ "$m" == "benchmarks.$s" ]] && { printf '%s\n' "$s"; return 0; }
  done
  return 1
}

failed=()
for m in "${present[@]}"; do
  args=()
  if ((quick)); then
    # shellcheck disable=SC2206 # a word list by design
    [[ -n "${quick_args[$m]:-}" ]] && args=(${quick_args[$m]})
  fi
  info "uv run python -m $m ${args[*]}"
  t="$(now_s)"
  # A service's benchmark talks to the database as that service's role; other
  # modules (benchmarks.media, pind_kit.bench) get no database URL of their own.
  db_var=""
  if svc="$(service_of "$m")"; then db_var="PIND_${svc^^}_DATABASE_URL"; fi
  # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
  if "$PIND_ROOT/scripts/with-env.sh" bash -c \
    'if [[ -n "$1" && -n "${!1:-}" ]]; then export PIND_DATABASE_URL="${!1}"; fi; shift; exec "$@"' \
    _ "$db_var" uv run --frozen --no-sync python -m "$m" "${args[@]}"; then
    ok "$m done in $(($(now_s) - t))s"
  else
    warn "$m failed after $(($(now_s) - t))s"
    failed+=("$m")
  fi
done
((${#failed[@]} == 0)) || die "benchmarks failed: ${failed[*]}"
