#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# `make attack`: the attack suite (issue 13) against auth and gateway processes
# of its own: free ports (never 8000/8001), topics under test.attack., the
# shared database; infrastructure started if it is not running, and stopped
# again if this run started it (scripts/test.sh). Each attack is one test whose
# id says what it tried; the list and each outcome are printed.
#
#   scripts/attack.sh [PYTEST_ARGS...]   e.g. -k refresh
#
# The same modules run in `make test` (services/gateway/tests/test_security_*.py).
set -euo pipefail
PIND_LOG_TAG=attack
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
require_uv

suite=(
  services/gateway/tests/test_security_attacks.py
  services/gateway/tests/test_security_auth_proxy.py
  services/auth/tests/test_throttling.py
  services/auth/tests/test_abuse_limits.py
  services/gateway/tests/test_tokens.py
)
info "attacks: forged tokens (alg none, HS256 with the public key, foreign kid, expired, wrong audience or issuer), refresh reuse and race, reset reuse and expiry, bad bodies on every operation, failed sign-ins and registrations through the gateway, hash-queue flooding, retired signing keys"
"$PIND_ROOT/scripts/test.sh" "${suite[@]}" -v "$@" ||
  die "an attack got through (see the FAILED lines above)"
# Generated attacks on both APIs: schemathesis against their OpenAPI,
# anonymous and signed in, on its own auth and gateway (benchmarks/fuzz/).
# PIND_ATTACK_FUZZ=full runs make fuzz's full budget, =none leaves it out (make
# smoke runs make fuzz on its own); the default is its quick run.
if [[ "${PIND_ATTACK_FUZZ:-quick}" == none ]]; then
  info "schemathesis left out (PIND_ATTACK_FUZZ=none)"
elif [[ "${PIND_ATTACK_FUZZ:-quick}" == full ]]; then
  info "schemathesis on the gateway's and auth's OpenAPI (make fuzz)"
  make -C "$PIND_ROOT" --no-print-directory fuzz || die "schemathesis found a failure (see above)"
else
  info "schemathesis on the gateway's and auth's OpenAPI (make fuzz, PIND_FUZZ_QUICK=true)"
  PIND_FUZZ_QUICK=true make -C "$PIND_ROOT" --no-print-directory fuzz ||
    die "schemathesis found a failure (see above)"
fi
ok "every attack was refused"
