#!/usr/bin/env bash
# A real Apache Kafka broker (KRaft, one combined broker+controller) on loopback, for tests
# and local runs on machines without a Docker engine.
#
#   scripts/kafka/broker.sh fetch    resolve the broker jars from Maven Central (cached)
#   scripts/kafka/broker.sh start    format storage if new, start, wait until it serves
#   scripts/kafka/broker.sh stop     stop what `start` started (SIGTERM, then SIGKILL)
#   scripts/kafka/broker.sh kill     SIGKILL the broker (crash tests)
#   scripts/kafka/broker.sh status   exit 0 when the broker process is alive
#   scripts/kafka/broker.sh run      like start, but in the foreground (demo, containers)
#
# Environment (all optional):
#   KAFKA_VERSION     Apache Kafka release whose jars are used      (default below)
#   KAFKA_PORT        client listener port on 127.0.0.1             (default 9092)
#   KAFKA_STATE_DIR   data, config, log and pid of this broker      (default .cache/kafka/broker-$KAFKA_PORT)
#   KAFKA_FRESH=1     wipe the state dir before starting (tests start from an empty cluster)
#   KAFKA_HEAP_OPTS   JVM heap flags                                (default -Xms256m -Xmx1g)
#   KAFKA_START_TIMEOUT seconds to wait for the broker to serve     (default 90)
#   KAFKA_EXTRA_CONFIG  a file of server.properties lines appended after the defaults; a key it
#                     repeats wins (java.util.Properties keeps the last), so it can replace the
#                     listeners, add SASL/TLS/ACL settings or make this node one of a cluster
#   KAFKA_FORMAT_ARGS   extra `kafka-storage format` arguments (e.g. `--add-scram ...`), one
#                     string split on spaces
#   KAFKA_CLUSTER_ID    the cluster id to format with (nodes of one cluster share it; random)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

version="${KAFKA_VERSION:-4.4.0}"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
state="${KAFKA_STATE_DIR:-$root/.cache/kafka/broker-$port}"
libs="$root/.cache/kafka/$version/libs"
heap="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
timeout="${KAFKA_START_TIMEOUT:-90}"
pidfile="$state/broker.pid"
logfile="$state/broker.log"

log() { echo "[kafka] $*" >&2; }

fetch() {
  if [[ -f "$libs/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || { log "mvn not found: install Maven (apt-get install maven)"; exit 1; }
  command -v java >/dev/null || { log "java not found: install a JDK 17+ (apt-get install openjdk-17-jre-headless)"; exit 1; }
  log "resolving Apache Kafka $version jars from Maven Central into $libs"
  rm -rf "$libs" && mkdir -p "$libs"
  mvn -B -q -f "$here/pom.xml" -Dkafka.version="$version" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs"
  touch "$libs/.complete"
}

alive() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

write_config() {
  mkdir -p "$state/data"
  cat > "$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$state/data
num.partitions=1
auto.create.topics.enable=false
# One broker: internal topics (offsets, transaction state) can only have one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
group.initial.rebalance.delay.ms=0
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
PROPS
  if [[ -n "${KAFKA_EXTRA_CONFIG:-}" ]]; then
    { echo "# from KAFKA_EXTRA_CONFIG=$KAFKA_EXTRA_CONFIG"; cat "$KAFKA_EXTRA_CONFIG"; } >> "$state/server.properties"
  fi
}

java_args() {
  # "$libs/*" stays quoted: java expands the classpath wildcard itself.
  # shellcheck disable=SC2206
  JAVA_ARGS=($heap -XX:+UseG1GC -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$libs/*")
}

format() {
  if [[ -f "$state/data/meta.properties" ]]; then return 0; fi
  local cluster_id="${KAFKA_CLUSTER_ID:-}"
  java_args
  [[ -n "$cluster_id" ]] || cluster_id="$(java "${JAVA_ARGS[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
  # shellcheck disable=SC2086 # KAFKA_FORMAT_ARGS is a list of words on purpose
  java "${JAVA_ARGS[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$state/server.properties" --ignore-formatted ${KAFKA_FORMAT_ARGS:-} >"$state/format.log" 2>&1 \
    || { cat "$state/format.log" >&2; exit 1; }
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

prepare() {
  fetch
  if alive; then log "already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; exit 0; fi
  if port_open; then log "port $port is taken by another process"; exit 1; fi
  if [[ "${KAFKA_FRESH:-0}" == "1" ]]; then rm -rf "$state"; fi
  write_config
  format
}

start() {
  prepare
  local started=$SECONDS
  # setsid: the broker gets its own process group, so a test runner's Ctrl-C does not
  # kill it half-way; `stop` ends it explicitly.
  java_args
  setsid java "${JAVA_ARGS[@]}" kafka.Kafka "$state/server.properties" >"$logfile" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  until grep -q "Kafka Server started" "$logfile" 2>/dev/null && port_open; do
    if ! alive; then log "broker exited during start-up:"; tail -50 "$logfile" >&2; exit 1; fi
    if (( SECONDS - started > timeout )); then log "broker did not serve within ${timeout}s"; tail -50 "$logfile" >&2; stop; exit 1; fi
    sleep 0.2
  done
  log "Kafka $version serving on 127.0.0.1:$port (pid $(cat "$pidfile"), $((SECONDS - started))s)"
}

run() {
  prepare
  java_args
  exec java "${JAVA_ARGS[@]}" kafka.Kafka "$state/server.properties"
}

stop() {
  if ! alive; then rm -f "$pidfile"; return 0; fi
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then log "broker did not stop in 30s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
  log "stopped broker on 127.0.0.1:$port"
}

kill_now() {
  if alive; then kill -KILL "$(cat "$pidfile")" 2>/dev/null || true; fi
  rm -f "$pidfile"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  run) run ;;
  stop) stop ;;
  kill) kill_now ;;
  status) alive ;;
  *) echo "usage: $0 fetch|start|stop|kill|status|run" >&2; exit 2 ;;
esac
