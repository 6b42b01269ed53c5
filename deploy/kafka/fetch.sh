#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Fetch the Apache Kafka broker jars from Maven Central into
# $PIND_CACHE_DIR/kafka-<version>/libs (default ~/.cache/pind). A second run
# fetches nothing: a marker file records a complete download of this pom.
#   deploy/kafka/fetch.sh [--force]
set -euo pipefail
PIND_LOG_TAG=kafka
# shellcheck source=../../scripts/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

here="$PIND_ROOT/deploy/kafka"
pom="$here/pom.xml"
marker="$PIND_KAFKA_HOME/.complete"
force=0
[[ "${1:-}" == "--force" ]] && force=1

pom_sum="$(sha256sum "$pom" | cut -d' ' -f1)"
if ((!force)) && [[ -f "$marker" ]] && [[ "$(cat "$marker")" == "$pom_sum" ]] &&
  compgen -G "$PIND_KAFKA_LIBS/kafka_2.13-$PIND_KAFKA_VERSION.jar" >/dev/null; then
  info "Kafka $PIND_KAFKA_VERSION jars already in $PIND_KAFKA_LIBS (cached)"
  exit 0
fi

have java || die "Java 17 not found: install openjdk-17-jre-headless (apt-get install openjdk-17-jre-headless) or run 'make setup'."
have mvn || die "Maven not found: install it (apt-get install maven) or run 'make setup'."

start="$(now_s)"
info "fetching Kafka $PIND_KAFKA_VERSION from Maven Central into $PIND_KAFKA_LIBS ..."
tmp="$PIND_KAFKA_HOME/libs.partial"
rm -rf "$tmp"
mkdir -p "$tmp"
# Maven writes target/ next to the pom only for builds; copy-dependencies on a
# pom-packaged project writes nothing there, but run from a temp dir anyway.
mvn_log="$PIND_KAFKA_HOME/mvn.log"
if ! (cd "$PIND_KAFKA_HOME" && mvn -q -B -f "$pom" dependency:copy-dependencies \
  -DoutputDirectory="$tmp" -DincludeScope=runtime >"$mvn_log" 2>&1); then
  tail -n 40 "$mvn_log" >&2 || true
  die "mvn could not fetch Kafka (log: $mvn_log). Is Maven Central reachable (proxy settings in ~/.m2/settings.xml)?"
fi
[[ -f "$tmp/kafka_2.13-$PIND_KAFKA_VERSION.jar" ]] || die "mvn finished but kafka_2.13-$PIND_KAFKA_VERSION.jar is missing in $tmp"
rm -rf "$PIND_KAFKA_LIBS"
mv "$tmp" "$PIND_KAFKA_LIBS"
printf '%s\n' "$pom_sum" >"$marker"
ok "fetched $(find "$PIND_KAFKA_LIBS" -name '*.jar' | wc -l) jars in $(($(now_s) - start))s"
