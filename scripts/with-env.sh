#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Run a command in the checkout with the local stack's settings exported:
# scripts/stack.env < .run/env < .env < your shell (see scripts/lib.sh).
#   scripts/with-env.sh uv run --frozen --no-sync python -m pind_kit.migrate
set -euo pipefail
PIND_LOG_TAG=with-env
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
(($#)) || die "usage: scripts/with-env.sh COMMAND [ARGS...]"
load_stack_env
cd "$PIND_ROOT"
exec "$@"
