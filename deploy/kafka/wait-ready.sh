#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Wait until the local Kafka is ready: its log says "Kafka Server started" AND
# an admin client round trip (list topics) succeeds. Timeout: 90 s, or
# PIND_KAFKA_READY_TIMEOUT.
set -euo pipefail
PIND_LOG_TAG=kafka
# shellcheck source=../../scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
# shellcheck source=common.sh
source "$PIND_ROOT/deploy/kafka/common.sh"

timeout="${PIND_KAFKA_READY_TIMEOUT:-90}"
start="$(now_s)"
deadline=$((start + timeout))

fail() {
  {
    echo "---- last 40 lines of $KAFKA_LOG"
    tail -n 40 "$KAFKA_LOG" 2>/dev/null || true
    echo "---- $KAFKA_STDOUT"
    tail -n 20 "$KAFKA_STDOUT" 2>/dev/null || true
  } >&2
  die "$1"
}

pid="$(read_pid kafka)" || die "Kafka is not running (no live pid in $PIND_PID_DIR/kafka.pid); run deploy/kafka/start.sh"

started=0
while (($(now_s) < deadline)); do
  pid_alive "$pid" || fail "Kafka (pid $pid) exited while starting"
  if grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null; then
    started=1
    break
  fi
  sleep 0.5
done
((started)) || fail "Kafka did not log 'Kafka Server started' within ${timeout}s"

while :; do
  left=$((deadline - $(now_s)))
  ((left > 0)) || fail "Kafka logged 'Kafka Server started' but an admin round trip did not succeed within ${timeout}s"
  ((left < 30)) || left=30
  if topics="$(timeout "$left" "${KAFKA_TOOL[@]}" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "127.0.0.1:$PIND_KAFKA_PORT" --list 2>&1)"; then
    n="$(grep -c . <<<"$topics" || true)"
    ok "Kafka ready on 127.0.0.1:$PIND_KAFKA_PORT after $(($(now_s) - start))s ($n topics)"
    exit 0
  fi
  pid_alive "$pid" || fail "Kafka (pid $pid) exited while starting"
  sleep 1
done
