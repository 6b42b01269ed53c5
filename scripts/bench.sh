#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `make bench`: run every benchmark module that exists, with the local stack's
# settings: pind_kit.bench, benchmarks.media, then any pind_<service>.bench. Missing modules are
# skipped; a failing one fails the run (after the others ran).
set -euo pipefail
PIND_LOG_TAG=bench
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
require_uv

candidates=(pind_kit.bench benchmarks.media)
for s in "${PIND_SERVICES[@]}"; do candidates+=("pind_$s.bench"); done

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
  warn "no benchmark modules yet (looked for: ${candidates[*]})"
  exit 0
fi
failed=()
for m in "${present[@]}"; do
  info "uv run python -m $m $*"
  t="$(now_s)"
  # A service's benchmark talks to the database as that service's role.
  svc="${m#pind_}"
  svc="${svc%.bench}"
  db_var="PIND_${svc^^}_DATABASE_URL"
  # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
  if "$PIND_ROOT/scripts/with-env.sh" bash -c \
    'if [[ -n "${!1:-}" ]]; then export PIND_DATABASE_URL="${!1}"; fi; shift; exec "$@"' \
    _ "$db_var" uv run --frozen --no-sync python -m "$m" "$@"; then
    ok "$m done in $(($(now_s) - t))s"
  else
    failed+=("$m")
  fi
done
((${#failed[@]} == 0)) || die "benchmarks failed: ${failed[*]}"
