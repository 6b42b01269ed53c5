#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Start the local single-node Kafka (KRaft, broker+controller) in the background.
# Idempotent: an already running broker is left alone. Does not wait for
# readiness; run deploy/kafka/wait-ready.sh for that.
set -euo pipefail
PIND_LOG_TAG=kafka
# shellcheck source=../../scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
# shellcheck source=common.sh
source "$PIND_ROOT/deploy/kafka/common.sh"

ensure_run_dirs
if pid="$(read_pid kafka)"; then
  ok "Kafka already running (pid $pid)"
  exit 0
fi
if pid="$(our_kafka_pid)"; then
  warn "found our Kafka running without a pid file (pid $pid); adopting it"
  printf '%s\n' "$pid" >"$PIND_PID_DIR/kafka.pid"
  exit 0
fi
for port in "$PIND_KAFKA_PORT" "$PIND_KAFKA_CONTROLLER_PORT"; do
  free_port_or_die "$port" Kafka
done

require_java17
"$KAFKA_HERE/fetch.sh"

mkdir -p "$KAFKA_DATA"
sed "s|@KAFKA_DATA_DIR@|$KAFKA_DATA|g" "$KAFKA_HERE/server.properties.template" >"$KAFKA_PROPS"

if [[ ! -f "$KAFKA_DATA/meta.properties" ]]; then
  if [[ ! -s "$KAFKA_RUN/cluster.id" ]]; then
    # Kafka's own ids never start with '-' (its argument parser would take
    # one for an option); redraw like Uuid.randomUuid does.
    python3 -c '
import base64, uuid
while (cid := base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")).startswith("-"):
    pass
print(cid)' >"$KAFKA_RUN/cluster.id"
  fi
  cluster_id="$(cat "$KAFKA_RUN/cluster.id")"
  info "formatting KRaft storage in $KAFKA_DATA (cluster id $cluster_id)"
  "${KAFKA_TOOL[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_PROPS" --ignore-formatted >/dev/null ||
    die "formatting Kafka storage failed (kafka.tools.StorageTool format)"
fi

# A fresh log per start, so wait-ready.sh only sees this run's lines.
[[ -f "$KAFKA_LOG" ]] && mv -f "$KAFKA_LOG" "$KAFKA_LOG.prev"
[[ -f "$KAFKA_STDOUT" ]] && mv -f "$KAFKA_STDOUT" "$KAFKA_STDOUT.prev"

heap="${PIND_KAFKA_HEAP:-512m}"
pidfile="$PIND_PID_DIR/kafka.pid"
# setsid: own process group, so stop.sh can signal it as a whole and a Ctrl-C
# in the calling terminal does not reach it. The pid file is written by the
# shell that then execs java, so it is java's pid.
# shellcheck disable=SC2016 # expanded by the inner shell
setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pidfile" \
  java "-Xmx$heap" "-Xms$heap" -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$KAFKA_HERE/log4j2.properties" \
  -Dpind.kafka.log="$KAFKA_LOG" -Dkafka.logs.dir="$PIND_LOG_DIR" \
  -cp "$PIND_KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS" \
  </dev/null >"$KAFKA_STDOUT" 2>&1 &

for _ in $(seq 1 50); do
  [[ -s "$pidfile" ]] && break
  sleep 0.1
done
pid="$(cat "$pidfile" 2>/dev/null || true)"
sleep 0.5
if [[ -z "$pid" ]] || ! pid_alive "$pid"; then
  tail -n 30 "$KAFKA_STDOUT" "$KAFKA_LOG" 2>/dev/null >&2 || true
  rm -f "$pidfile"
  die "Kafka exited right after start (logs: $KAFKA_LOG, $KAFKA_STDOUT)"
fi
ok "Kafka starting (pid $pid, log $KAFKA_LOG)"
