#!/usr/bin/env bash
# npm run demo: the whole thing on one machine, in one command.
#
# Starts a Kafka broker, the Wolkvox simulator with live traffic (emails "sent" every second)
# and the poller, waits until the poller is ready, then follows the email.sent topic with the
# CLI (`replay --follow --format table`), one line per event as it arrives. Locally, the
# subscriber (apps/subscriber) runs too: a `[subscriber] handled ...` line per event it handled.
# Ctrl-C stops all of it: the follower, the subscriber, the poller (SIGTERM: the cycle in flight finishes), the simulator and
# the broker.
#
# Where the broker comes from:
#   - Docker Compose (docker-compose.yml: apache/kafka, the simulator and the poller, built
#     from the Dockerfile) when `docker compose` exists and a Docker engine answers;
#   - otherwise a local JVM broker from scripts/kafka/broker.sh (needs java 17+ and mvn), and
#     the simulator and poller from dist/ (built here when missing).
# DEMO_MODE=compose|local forces one.
#
# Environment (all optional):
#   DEMO_KAFKA_PORT   broker port on 127.0.0.1          (default 9092)
#   DEMO_SIM_PORT     simulator port                    (default 8089)
#   DEMO_HTTP_PORT    poller health and metrics port    (default 8080)
#   DEMO_LIVE_PER_SECOND  emails the simulator "sends" per second (default 2)
#   DEMO_FORMAT       table | json                      (default table)
#   DEMO_DIR          logs, pids and the CLI's settings (default .cache/demo)
#   DEMO_FLEET        1: a fleet (docs/FLEET.md) instead: three operations (0010, 0020, 0030),
#                     each with a simulator of its own (DEMO_SIM_PORT and the next two ports),
#                     shared by two replicas (DEMO_HTTP_PORT and the next one); local mode only
#
# While it runs (local mode), $DEMO_DIR/cli.env holds the poller's settings (`npm run cli` reads
# it) and $DEMO_DIR/pids the processes it started, one `name pid` a line.
set -euo pipefail
# Output through a pipe whose reader is gone (`npm run demo | tee log`, then Ctrl-C) must not
# kill this script: SIGPIPE would end it on the first line its exit trap writes, before it stops
# anything. Ignored, a write to a closed pipe only fails, and the trap goes on.
trap '' PIPE

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

kafka_port="${DEMO_KAFKA_PORT:-9092}"
sim_port="${DEMO_SIM_PORT:-8089}"
http_port="${DEMO_HTTP_PORT:-8080}"
live="${DEMO_LIVE_PER_SECOND:-2}"
format="${DEMO_FORMAT:-table}"
token="dev-token"
logs="${DEMO_DIR:-$root/.cache/demo}"
mkdir -p "$logs"

say() { printf '\033[1m[demo]\033[0m %s\n' "$*" >&2 || true; }
die() { say "$*"; exit 1; }

fleet="${DEMO_FLEET:-}"
mode="${DEMO_MODE:-}"
if [[ -n "$fleet" ]]; then
  [[ "$mode" != compose ]] || die "DEMO_FLEET runs in local mode only (DEMO_MODE=local)"
  mode=local
fi
if [[ -z "$mode" ]]; then
  if docker compose version >/dev/null 2>&1 && docker info >/dev/null 2>&1; then mode=compose; else mode=local; fi
fi

# The first run reads the ten minutes before now, then keeps up with the live traffic.
start_at="$(node -e 'console.log(new Date(Date.now() - 600e3).toISOString())')"

# wait_ready SECONDS [PORT [PID]]: until the poller on PORT (default $http_port) answers ready.
wait_ready() {
  local port="${2:-$http_port}" pid="${3:-${poller_pid:-}}"
  local url="http://127.0.0.1:$port/health/ready" deadline=$((SECONDS + ${1:-120}))
  until [[ "$(node -e "fetch('$url').then(r => console.log(r.status), () => console.log(0))")" == 200 ]]; do
    if ((SECONDS > deadline)); then return 1; fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 1
  done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
if [[ "$mode" == compose ]]; then
  compose() { docker compose --project-directory "$root" "$@"; }
  stop_all() {
    trap - EXIT INT TERM
    say "stopping: docker compose down"
    compose down --volumes --timeout 40 >/dev/null 2>&1 || true
  }
  trap stop_all EXIT
  trap 'exit 130' INT TERM
  say "Docker engine found: docker compose up (broker, simulator, poller)"
  POLL_START_AT="$start_at" SIM_LIVE_PER_SECOND="$live" compose up --build --detach --wait \
    || die "docker compose up failed: see 'docker compose logs'"
  wait_ready 180 || die "the poller did not become ready: docker compose logs poller"
  say "ready. health: http://127.0.0.1:$http_port/health/ready  metrics: http://127.0.0.1:$http_port/metrics"
  say "poller log: docker compose logs -f poller. Ctrl-C stops everything."
  say "events as they arrive:"
  compose exec -T poller node dist/apps/poller/src/cli/main.js \
    replay --from-beginning --follow --format "$format" || true
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# A fleet: three operations, a simulator each, two replicas.
operations=(0010)
replicas=1
if [[ -n "$fleet" ]]; then
  operations=(0010 0020 0030)
  replicas=2
fi
ports=("$kafka_port" "$((kafka_port + 1))")
for i in "${!operations[@]}"; do ports+=("$((sim_port + i))"); done
for ((r = 0; r < replicas; r++)); do ports+=("$((http_port + r))"); done
for port in "${ports[@]}"; do
  port_free "$port" || die "port $port is taken; choose others with DEMO_KAFKA_PORT, DEMO_SIM_PORT, DEMO_HTTP_PORT"
done
if [[ ! -f dist/apps/poller/src/main.js || ! -f dist/apps/simulator/src/main.js || ! -f dist/apps/poller/src/cli/main.js ||
  ! -f dist/apps/subscriber/src/main.js ]]; then
  say "building (npm run build)"
  npm run --silent build
fi

broker_env=(KAFKA_PORT="$kafka_port" KAFKA_STATE_DIR="$logs/kafka-$kafka_port")
# Each child runs in a session of its own (setsid): Ctrl-C reaches only this script, whose trap
# stops them in order: follower, subscriber, poller (given time to finish its cycle), simulator,
# broker.
# Their output goes to files, never to this script's stdout or stderr, which may be a dead pipe.
sim_pids=()
poller_pids=()
follow_pid=""
subscriber_pid=""
reader_pid=""
cli_env="$logs/cli.env"
pids="$logs/pids"
: >"$pids"
remember() { echo "$1 $2" >>"$pids"; }

stop_all() {
  trap - EXIT INT TERM HUP
  say "stopping"
  rm -f "$cli_env"
  if [[ -n "$follow_pid" ]]; then
    kill -TERM "$follow_pid" 2>/dev/null || true
    wait "$follow_pid" 2>/dev/null || true
  fi
  if [[ -n "$subscriber_pid" ]]; then
    kill -TERM "$subscriber_pid" 2>/dev/null || true
    wait "$subscriber_pid" 2>/dev/null || true
  fi
  if [[ -n "$reader_pid" ]]; then
    # Its own process group (setsid): tail, grep and sed end together, and are waited for.
    kill -TERM -- "-$reader_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$reader_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  local pid
  # SIGTERM: no new cycle; the one in flight commits or is abandoned whole. Replicas together.
  for pid in "${poller_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${poller_pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for pid in "${sim_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  env "${broker_env[@]}" bash scripts/kafka/broker.sh stop >>"$logs/demo.log" 2>&1 || true
  say "stopped. Logs are in $logs"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

say "starting a Kafka broker on 127.0.0.1:$kafka_port (scripts/kafka/broker.sh; log $logs/kafka-$kafka_port/broker.log)"
env "${broker_env[@]}" KAFKA_FRESH=1 bash scripts/kafka/broker.sh start >>"$logs/demo.log" 2>&1 \
  || { tail -5 "$logs/demo.log" >&2 || true; die "the broker did not start (log $logs/demo.log)"; }
remember broker "$(cat "$logs/kafka-$kafka_port/broker.pid")"

# One simulator per operation (the default demo's one keeps its names).
sim_name() { if [[ -n "$fleet" ]]; then echo "simulator-$1"; else echo simulator; fi; }
for i in "${!operations[@]}"; do
  name="$(sim_name "${operations[$i]}")"
  say "starting the Wolkvox simulator$([[ -n "$fleet" ]] && echo " of operation ${operations[$i]}") on 127.0.0.1:$((sim_port + i)), $live emails a second (log $logs/$name.log)"
  SIM_HOST=127.0.0.1 SIM_PORT="$((sim_port + i))" SIM_TOKEN="$token" SIM_LIVE_PER_SECOND="$live" \
    SIM_SEED="demo-${operations[$i]}" setsid node dist/apps/simulator/src/main.js >"$logs/$name.log" 2>&1 &
  sim_pids+=($!)
  remember "$name" "$!"
done

# The poller's settings, in a file: the poller starts from it, and `npm run cli` reads it while
# the demo runs, so the README's commands work here as written. The token is the simulator's.
printf '%s\n' "$token" >"$logs/token"
if [[ -z "$fleet" ]]; then
  cat >"$cli_env" <<SETTINGS
WOLKVOX_SERVER=0010
WOLKVOX_TOKEN_FILE=$logs/token
WOLKVOX_BASE_URL=http://127.0.0.1:$sim_port
SETTINGS
else
  # The fleet's operations file: an entry per operation, its own simulator and start.
  node -e '
    const [file, token, simPort, startAt, ...servers] = process.argv.slice(1);
    const operations = servers.map((server, i) => ({
      WOLKVOX_SERVER: server,
      WOLKVOX_TOKEN_FILE: token,
      WOLKVOX_BASE_URL: `http://127.0.0.1:${Number(simPort) + i}`,
      POLL_START_AT: startAt,
    }));
    require("node:fs").writeFileSync(file, JSON.stringify({ operations }, null, 2) + "\n");
  ' "$logs/operations.json" "$logs/token" "$sim_port" "$start_at" "${operations[@]}"
  cat >"$cli_env" <<SETTINGS
POLLER_OPERATIONS_FILE=$logs/operations.json
POLLER_FLEET_GROUP=demo-fleet
POLLER_FLEET_SESSION_TIMEOUT_SECONDS=6
SETTINGS
fi
cat >>"$cli_env" <<SETTINGS
KAFKA_BROKERS=127.0.0.1:$kafka_port
POLL_START_AT=$start_at
POLL_INTERVAL_SECONDS=5
POLL_SETTLE_SECONDS=2
POLL_LOOKBACK_SECONDS=120
HTTP_PORT=$http_port
SETTINGS

mapfile -t settings <"$cli_env"
poller_name() { if [[ -n "$fleet" ]]; then echo "poller-$1"; else echo poller; fi; }
for ((r = 0; r < replicas; r++)); do
  name="$(poller_name "$((r + 1))")"
  say "starting the poller$([[ -n "$fleet" ]] && echo " replica $((r + 1)) of $replicas"), health and metrics on 127.0.0.1:$((http_port + r)) (log $logs/$name.log)"
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" "${settings[@]}" HTTP_PORT="$((http_port + r))" \
    POLLER_INSTANCE_ID="$name" setsid node dist/apps/poller/src/main.js >"$logs/$name.log" 2>&1 &
  poller_pids+=($!)
  remember "$name" "$!"
done
poller_pid="${poller_pids[0]}"

for ((r = 0; r < replicas; r++)); do
  name="$(poller_name "$((r + 1))")"
  wait_ready 120 "$((http_port + r))" "${poller_pids[$r]}" ||
    { tail -20 "$logs/$name.log" >&2 || true; die "the poller $name did not become ready"; }
done
if [[ -n "$fleet" ]]; then
  for ((r = 0; r < replicas; r++)); do
    runs="$(node -e "fetch('http://127.0.0.1:$((http_port + r))/health/ready').then(r => r.json()).then(b => console.log(Object.keys(b.details.fleet.operations).join(', ') || 'none yet'), () => console.log('?'))")"
    say "replica $((r + 1)): health http://127.0.0.1:$((http_port + r))/health/ready, runs operations $runs"
  done
else
  say "ready. health: http://127.0.0.1:$http_port/health/ready  metrics: http://127.0.0.1:$http_port/metrics"
fi
# The subscriber (apps/subscriber): the other end, one line per event it handled. It writes to
# its log like the other children; a reader of that log (a process group of its own: tail, grep,
# sed) prints its lines here, and a dead terminal ends only the reader.
say "starting the subscriber, group demo-subscriber (log $logs/subscriber.log); its lines start with [subscriber]"
rm -f "$logs/handled-keys.demo-subscriber.txt"
env -i PATH="$PATH" HOME="${HOME:-/tmp}" KAFKA_BROKERS="127.0.0.1:$kafka_port" \
  SUBSCRIBER_GROUP_ID=demo-subscriber NO_COLOR=1 \
  SUBSCRIBER_HANDLED_KEYS_FILE="$logs/handled-keys.demo-subscriber.txt" \
  setsid node dist/apps/subscriber/src/main.js >"$logs/subscriber.log" 2>&1 &
subscriber_pid=$!
remember subscriber "$subscriber_pid"
# shellcheck disable=SC2016 # expanded by the inner bash
setsid bash -c 'tail -n +1 --pid="$1" -F "$2" 2>/dev/null |
  grep --line-buffered -E " (handled|already handled|refused|dead letter) " |
  sed -u "s/^.*\[Subscriber\] /[subscriber] /" >&2' subscriber-log "$subscriber_pid" "$logs/subscriber.log" &
reader_pid=$!
remember subscriber-log-reader "$reader_pid"

say "in another terminal, the CLI finds this demo's settings ($cli_env):"
if [[ -n "$fleet" ]]; then
  say "  npm run cli -- operations    npm run cli -- checkpoint --operation 0020"
  say "  kill one replica (kill -9 on a pid of $logs/pids) and watch the other take its operations"
else
  say "  npm run cli -- checkpoint    npm run cli -- budget    npm run cli -- reconcile"
fi
say "Ctrl-C stops everything. Events as they arrive:"

KAFKA_BROKERS="127.0.0.1:$kafka_port" LOG_LEVEL=warn \
  setsid node dist/apps/poller/src/cli/main.js replay --from-beginning --follow --format "$format" \
  2>"$logs/follow.log" &
follow_pid=$!
remember follower "$follow_pid"
# `wait` returns when the follower ends (its stdout closed: it exits) or a signal arrives (then
# the traps run); either way the EXIT trap stops the rest.
wait "$follow_pid" || true
