#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# docker-compose.yml helpers for `make compose-up|compose-down|compose-config`.
#   scripts/compose.sh up|down|logs|ps   need a Docker engine and `docker compose`
#   scripts/compose.sh render            print the resolved configuration as JSON
#   scripts/compose.sh config            render, then check it against the local
#                                        stack (tests/test_compose.py)
# Rendering needs no engine: `docker compose config` when the plugin is
# installed, else tools/compose-render (compose-go, the loader `docker compose`
# uses; built with the machine's Go from the Go module proxy).
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

render() {
  if [[ "${compose[*]}" == "docker compose" ]]; then
    docker compose -f docker-compose.yml config --format json
  elif have go; then
    (cd tools/compose-render && go run . "$PIND_ROOT/docker-compose.yml")
  else
    die "cannot render docker-compose.yml: neither the Docker Compose plugin ('docker compose') nor Go (for tools/compose-render, compose-go) is installed"
  fi
}

case "${1:-}" in
  render) render ;;
  config)
    require_uv
    info "rendering docker-compose.yml and checking it against the local stack (tests/test_compose.py)"
    uv run --frozen --no-sync pytest -q -p no:cacheprovider tests/test_compose.py ||
      die "docker-compose.yml does not match the local stack (see the failures above)"
    ok "docker-compose.yml is valid and gives every service what the local stack gives it"
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
