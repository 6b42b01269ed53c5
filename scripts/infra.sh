#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The local infrastructure: PostgreSQL (55432) and Kafka (9092/9093).
#   scripts/infra.sh up       start both (first run: create the cluster), wait
#                             until ready, then create the topics
#   scripts/infra.sh down     stop both
#   scripts/infra.sh topics   create/verify the topics only
# Set PIND_SKIP_TOPICS=1 to skip topic creation.
set -euo pipefail
PIND_LOG_TAG=infra
# shellcheck source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

topics() {
  require_uv
  info "creating topics: uv run python -m pind_kit.topics ensure"
  "$PIND_ROOT/scripts/with-env.sh" uv run --frozen --no-sync python -m pind_kit.topics ensure ||
    die "topic creation failed: 'uv run python -m pind_kit.topics ensure' (module pind_kit.topics in libs/). Kafka log: $PIND_LOG_DIR/kafka.log"
}

case "${1:-}" in
  up)
    start="$(now_s)"
    # Kafka boots in the background while PostgreSQL is set up.
    "$PIND_ROOT/deploy/kafka/start.sh"
    "$PIND_ROOT/deploy/postgres/setup.sh"
    "$PIND_ROOT/deploy/kafka/wait-ready.sh"
    [[ "${PIND_SKIP_TOPICS:-}" == 1 ]] || topics
    ok "infrastructure up in $(($(now_s) - start))s (PostgreSQL 127.0.0.1:$PIND_PG_PORT, Kafka 127.0.0.1:$PIND_KAFKA_PORT)"
    ;;
  down)
    "$PIND_ROOT/deploy/kafka/stop.sh"
    "$PIND_ROOT/deploy/postgres/stop.sh"
    ;;
  topics) topics ;;
  *) die "usage: scripts/infra.sh up|down|topics" ;;
esac
