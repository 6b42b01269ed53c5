#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `make logs`: follow every log of the local stack (.run/logs/*.log).
#   scripts/logs.sh [NAME...]   e.g. scripts/logs.sh gateway kafka
# Set LINES_BACK (default 20) for history; PIND_LOGS_NO_FOLLOW=1 to print and exit.
set -euo pipefail
PIND_LOG_TAG=logs
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
files=()
if (($#)); then
  for n in "$@"; do files+=("$PIND_LOG_DIR/$n.log"); done
else
  shopt -s nullglob
  files=("$PIND_LOG_DIR"/*.log)
fi
((${#files[@]})) || die "no logs in $PIND_LOG_DIR yet (make up)"
if [[ "${PIND_LOGS_NO_FOLLOW:-}" == 1 || ! -t 1 ]]; then
  exec tail -n "${LINES_BACK:-20}" "${files[@]}"
fi
exec tail -n "${LINES_BACK:-20}" -F "${files[@]}"
