#!/usr/bin/env bash
# Three Kafka nodes (KRaft, each a combined broker+controller) on loopback, from the same jars
# as the single broker: each node is scripts/kafka/broker.sh with KAFKA_EXTRA_CONFIG making it
# one voter of a three-node quorum. For failover tests and benchmarks, not the whole suite.
#
#   scripts/kafka/cluster.sh start            format (if new) and start the three, wait until all serve
#   scripts/kafka/cluster.sh stop             stop the three (SIGTERM, then SIGKILL)
#   scripts/kafka/cluster.sh kill <node>      SIGKILL node 1, 2 or 3 (a crash)
#   scripts/kafka/cluster.sh stop-node <node> stop one node cleanly (SIGTERM)
#   scripts/kafka/cluster.sh restart <node>   start a stopped or killed node again, wait until it serves
#   scripts/kafka/cluster.sh status           one line per node: up or down; exit 0 when all are up
#   scripts/kafka/cluster.sh brokers          the bootstrap list (127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3)
#   scripts/kafka/cluster.sh port <node>      the node's client port
#
# Which node leads a partition or coordinates a transactional id is asked of the cluster by
# the tests themselves (test/support/kafka-cluster.ts), with the client they already use.
#
# Environment (all optional):
#   KAFKA_CLUSTER_PORT  client port of node 1; node n listens on base+2(n-1) and its controller
#                       on the port after it                             (default 19092)
#   KAFKA_CLUSTER_DIR   state of the three nodes                         (default .cache/kafka/cluster-<base>)
#   KAFKA_FRESH=1       wipe the nodes' data before `start`
#   KAFKA_HEAP_OPTS     JVM flags per node          (default -Xms128m -Xmx512m -XX:TieredStopAtLevel=1:
#                       the quick compiler only, so three nodes start sooner on a small machine)
#   KAFKA_EXTRA_CONFIG  more server.properties lines for every node, after the cluster's own
#
# Replication: internal topics (offsets, transaction state) have 3 replicas with
# min.insync.replicas 2, so any one node can be lost. broker.session.timeout.ms is 3 s rather
# than Kafka's 9 s: a killed node keeps leading its partitions (and coordinating its
# transactional ids) until the controller fences it, and no client setting can beat that; see
# docs/OPERATIONS.md, "Losing a broker".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
base="${KAFKA_CLUSTER_PORT:-19092}"
dir="${KAFKA_CLUSTER_DIR:-$root/.cache/kafka/cluster-$base}"
nodes=(1 2 3)
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m -XX:TieredStopAtLevel=1}"

log() { echo "[cluster] $*" >&2; }
port_of() { echo $((base + 2 * ($1 - 1))); }
node_dir() { echo "$dir/node-$1"; }

check_node() {
  [[ "${1:-}" =~ ^[123]$ ]] || { echo "usage: $0 ${2:-kill} 1|2|3" >&2; exit 2; }
}

voters() {
  local list=() n
  for n in "${nodes[@]}"; do list+=("$n@127.0.0.1:$(($(port_of "$n") + 1))"); done
  (IFS=,; echo "${list[*]}")
}

brokers() {
  local list=() n
  for n in "${nodes[@]}"; do list+=("127.0.0.1:$(port_of "$n")"); done
  (IFS=,; echo "${list[*]}")
}

write_node_config() {
  local n="$1" file
  file="$(node_dir "$n").properties"
  mkdir -p "$dir"
  cat > "$file" <<PROPS
node.id=$n
controller.quorum.voters=$(voters)
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
# The controller fences a node that stopped heartbeating after this long; until then it keeps
# leading its partitions. Kafka's default is 9 s.
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=500
PROPS
  if [[ -n "${KAFKA_EXTRA_CONFIG:-}" ]]; then cat "$KAFKA_EXTRA_CONFIG" >> "$file"; fi
}

cluster_id() {
  # One id for the three nodes, kept with the cluster's state so a restart formats nothing.
  if [[ ! -s "$dir/cluster.id" ]]; then
    mkdir -p "$dir"
    java -cp "$root/.cache/kafka/${KAFKA_VERSION:-4.4.0}/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1 > "$dir/cluster.id"
  fi
  cat "$dir/cluster.id"
}

node() {
  local n="$1" command="$2"
  KAFKA_PORT="$(port_of "$n")" KAFKA_STATE_DIR="$(node_dir "$n")" \
    KAFKA_EXTRA_CONFIG="$(node_dir "$n").properties" KAFKA_CLUSTER_ID="$(cluster_id)" KAFKA_FRESH=0 \
    bash "$here/broker.sh" "$command"
}

start() {
  bash "$here/broker.sh" fetch
  if [[ "${KAFKA_FRESH:-0}" == "1" ]]; then stop_all; rm -rf "$dir"; fi
  local n pids=() failed=0
  for n in "${nodes[@]}"; do write_node_config "$n"; done
  cluster_id >/dev/null
  # Together: a node serves only once a quorum of controllers (two of three) is up.
  for n in "${nodes[@]}"; do node "$n" start & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  if (( failed )); then log "a node did not start; stopping the cluster"; stop_all; exit 1; fi
  log "three nodes serving: $(brokers)"
}

stop_all() {
  local n pids=()
  for n in "${nodes[@]}"; do node "$n" stop & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
}

status() {
  local n all=0
  for n in "${nodes[@]}"; do
    if node "$n" status; then echo "node $n up 127.0.0.1:$(port_of "$n")"; else echo "node $n down 127.0.0.1:$(port_of "$n")"; all=1; fi
  done
  return "$all"
}

case "${1:-}" in
  start) start ;;
  stop) stop_all ;;
  kill) check_node "${2:-}" kill; node "$2" kill ;;
  stop-node) check_node "${2:-}" stop-node; node "$2" stop ;;
  restart) check_node "${2:-}" restart; write_node_config "$2"; node "$2" start ;;
  status) status ;;
  brokers) brokers ;;
  port) check_node "${2:-}" port; port_of "$2" ;;
  *) echo "usage: $0 start|stop|kill <n>|stop-node <n>|restart <n>|status|brokers|port <n>" >&2; exit 2 ;;
esac
