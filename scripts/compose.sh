#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# docker-compose.yml helpers for `make compose-up|compose-down|compose-config`.
#   scripts/compose.sh up|down|config|logs|ps
# Uses `docker compose` (v2 plugin) or `docker-compose`; says clearly when
# neither a client nor a reachable Docker engine is there.
set -euo pipefail
PIND_LOG_TAG=compose
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$PIND_ROOT"

compose=()
if have docker && docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif have docker-compose; then
  compose=(docker-compose)
fi

need_client() {
  ((${#compose[@]})) || die "no Docker Compose client: install the Docker Compose plugin ('docker compose') or docker-compose. Without Docker, 'make up' runs the same stack as local processes."
}

need_engine() {
  have docker || die "Docker is not installed. Without Docker, 'make up' runs the same stack as local processes."
  if ! docker info >/dev/null 2>&1; then
    die "no Docker engine reachable (docker info failed${DOCKER_HOST:+ for DOCKER_HOST=$DOCKER_HOST}). Start Docker (or point DOCKER_HOST at one), or use 'make up' for the same stack without Docker."
  fi
  need_client
}

case "${1:-}" in
  config)
    need_client
    "${compose[@]}" -f docker-compose.yml config --quiet
    ok "docker-compose.yml is valid (${compose[*]})"
    ;;
  up)
    need_engine
    "${compose[@]}" -f docker-compose.yml up -d --build --wait
    ok "containers up: gateway http://127.0.0.1:8000 ('make compose-down' stops them)"
    ;;
  down) need_engine && "${compose[@]}" -f docker-compose.yml down ;;
  logs) need_engine && "${compose[@]}" -f docker-compose.yml logs -f ;;
  ps) need_engine && "${compose[@]}" -f docker-compose.yml ps ;;
  *) die "usage: scripts/compose.sh up|down|config|logs|ps" ;;
esac
