#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Print whether the local Kafka runs and answers; exit 0 when it is ready.
set -euo pipefail
PIND_LOG_TAG=kafka
# shellcheck source=../../scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
# shellcheck source=common.sh
source "$PIND_ROOT/deploy/kafka/common.sh"

if pid="$(read_pid kafka 2>/dev/null)"; then
  if port_open "$PIND_KAFKA_PORT"; then
    echo "kafka: running (pid $pid), listening on 127.0.0.1:$PIND_KAFKA_PORT"
    exit 0
  fi
  echo "kafka: running (pid $pid), not yet listening on 127.0.0.1:$PIND_KAFKA_PORT"
  exit 1
fi
if pid="$(our_kafka_pid)"; then
  echo "kafka: running without a pid file (pid $pid); 'deploy/kafka/start.sh' adopts it, 'deploy/kafka/stop.sh' stops it"
  exit 0
fi
if port_open "$PIND_KAFKA_PORT"; then
  echo "kafka: not ours, but $(describe_port "$PIND_KAFKA_PORT")"
else
  echo "kafka: stopped"
fi
exit 1
