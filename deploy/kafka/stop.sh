#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stop the local Kafka: SIGTERM (controlled shutdown), wait up to 45 s, then
# SIGKILL. Also stops our own broker left running without a pid file.
set -euo pipefail
PIND_LOG_TAG=kafka
# shellcheck source=../../scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
# shellcheck source=common.sh
source "$PIND_ROOT/deploy/kafka/common.sh"

stopped=0
if pid="$(read_pid kafka)"; then
  info "stopping Kafka (pid $pid)"
  stop_pid "$pid" Kafka "${PIND_KAFKA_STOP_TIMEOUT:-45}"
  stopped=1
fi
if pid="$(our_kafka_pid)"; then
  warn "stopping our Kafka that had no pid file (pid $pid)"
  stop_pid "$pid" Kafka "${PIND_KAFKA_STOP_TIMEOUT:-45}"
  stopped=1
fi
rm -f "$PIND_PID_DIR/kafka.pid"
if ((stopped)); then ok "Kafka stopped"; else info "Kafka was not running"; fi
