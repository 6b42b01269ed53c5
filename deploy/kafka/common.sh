# shellcheck shell=bash disable=SC2034
# Shared by deploy/kafka/*.sh. Source after scripts/lib.sh.

KAFKA_RUN="$PIND_RUN_DIR/kafka"
KAFKA_DATA="$KAFKA_RUN/data"
KAFKA_PROPS="$KAFKA_RUN/server.properties"
KAFKA_LOG="$PIND_LOG_DIR/kafka.log"
KAFKA_STDOUT="$PIND_LOG_DIR/kafka.stdout.log"
KAFKA_HERE="$PIND_ROOT/deploy/kafka"

require_java17() {
  have java || die "Java 17 not found: install it (apt-get install openjdk-17-jre-headless) or run 'make setup'."
  local v major
  v="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${v%%.*}"
  [[ "$major" == 1 ]] && major="$(cut -d. -f2 <<<"$v")"
  if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < 17)); then
    die "Java 17 or newer is required by Kafka $PIND_KAFKA_VERSION, found '${v:-unknown}' ($(command -v java)). Install openjdk-17-jre-headless."
  fi
}

# A Kafka command line tool run from the cached jars: "${KAFKA_TOOL[@]}" CLASS ARGS...
KAFKA_TOOL=(
  java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$KAFKA_HERE/tools-log4j2.properties"
  -cp "$PIND_KAFKA_LIBS/*"
)

# our_kafka_pid -> pid of a kafka.Kafka process started with this run dir's
# server.properties (e.g. left behind without a pid file), if any.
our_kafka_pid() {
  local port pid
  for port in "$PIND_KAFKA_PORT" "$PIND_KAFKA_CONTROLLER_PORT"; do
    for pid in $(port_pids "$port" || true); do
      if [[ "$(proc_cmdline "$pid")" == *kafka.Kafka*"$KAFKA_PROPS"* ]]; then
        printf '%s\n' "$pid"
        return 0
      fi
    done
  done
  return 1
}
