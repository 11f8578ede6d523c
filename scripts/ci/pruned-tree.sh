#!/usr/bin/env bash
# The image's tree without Docker: repeats the Dockerfile's build steps on the image's Node
# (npm ci, build, npm prune --omit=dev, on a copy holding only what the Dockerfile copies),
# then starts the simulator and the poller from that pruned tree the way the image runs them
# (NODE_ENV=production, nothing but dist/, node_modules and package.json), waits for
# /health/ready and for one event on the topic, read with the pruned tree's own CLI.
# It catches a runtime dependency left in devDependencies before a user's `docker build` does.
#
#   scripts/ci/pruned-tree.sh            Node 26 (the Dockerfile's NODE_VERSION)
#   PRUNED_NODE_MAJOR=24 scripts/ci/pruned-tree.sh
#
# The broker: KAFKA_BROKERS when set (nothing is started or stopped), else a JVM broker of its
# own from scripts/kafka/broker.sh on a free port, stopped at the end.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
major="${PRUNED_NODE_MAJOR:-$(sed -n 's/^ARG NODE_VERSION=\([0-9]*\).*/\1/p' "$root/Dockerfile")}"
[[ -n "$major" ]] || { echo "pruned-tree: no ARG NODE_VERSION in the Dockerfile" >&2; exit 1; }
PATH="$("$root/scripts/ci/node.sh" "$major"):$PATH"
export PATH

say() { echo "[pruned-tree] $*" >&2; }
free_port() { node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
# The broker's port and the next (its controller's), below the ephemeral range, where outgoing
# connections cannot take them before the broker binds.
broker_port() {
  node -e '
    const net = require("node:net");
    const free = (p) => new Promise((ok) => { const s = net.createServer(); s.once("error", () => ok(false)); s.listen(p, "127.0.0.1", () => s.close(() => ok(true))); });
    (async () => { for (let i = 0; i < 50; i++) { const p = 20000 + Math.floor(Math.random() * 12000); if ((await free(p)) && (await free(p + 1))) { console.log(p); return; } } process.exit(1); })();'
}
started=$SECONDS

work="$(mktemp -d "${TMPDIR:-/tmp}/pruned-tree.XXXXXX")"
sim_pid=""
poller_pid=""
broker_env=()
cleanup() {
  local status=$?
  for pid in "$poller_pid" "$sim_pid"; do
    [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "$poller_pid" "$sim_pid"; do
    [[ -n "$pid" ]] && wait "$pid" 2>/dev/null || true
  done
  if ((${#broker_env[@]})); then env "${broker_env[@]}" bash "$root/scripts/kafka/broker.sh" stop || true; fi
  if ((status != 0)); then
    for log in "$work"/*.log; do [[ -f "$log" ]] && { say "--- $log"; tail -20 "$log" >&2; }; done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

say "node $(node --version), npm $(npm --version), in $work"
# What the Dockerfile COPYs into its build stage, minus what .dockerignore leaves out.
tar -C "$root" --exclude='*.spec.ts' --exclude='*.tsbuildinfo' \
  -cf - package.json package-lock.json tsconfig.json tsconfig.build.json apps libs |
  tar -C "$work" -xf -
mkdir -p "$work/app" && mv "$work"/{package.json,package-lock.json,tsconfig.json,tsconfig.build.json,apps,libs} "$work/app/"
app="$work/app"

t=$SECONDS
(cd "$app" && npm ci --no-audit --no-fund --loglevel=error) >"$work/npm-ci.log" 2>&1 ||
  { say "npm ci failed"; exit 1; }
(cd "$app" && npm run build && npm prune --omit=dev --no-audit --no-fund) >"$work/build.log" 2>&1 ||
  { say "build or prune failed"; exit 1; }
# The runtime stage keeps only these three.
find "$app" -mindepth 1 -maxdepth 1 ! -name dist ! -name node_modules ! -name package.json -exec rm -rf {} +
say "npm ci, build and prune: $((SECONDS - t)) s; node_modules $(du -sm "$app/node_modules" | cut -f1) MB"

if [[ -n "${KAFKA_BROKERS:-}" ]]; then
  brokers="$KAFKA_BROKERS"
else
  kafka_port="$(broker_port)"
  broker_env=(KAFKA_PORT="$kafka_port" KAFKA_STATE_DIR="$work/kafka")
  env "${broker_env[@]}" KAFKA_FRESH=1 bash "$root/scripts/kafka/broker.sh" start
  brokers="127.0.0.1:$kafka_port"
fi

sim_port="$(free_port)"
http_port="$(free_port)"
token="pruned-tree-token"
topic="pruned-tree-$(date +%s)-$$"
runtime=(env -i PATH="$PATH" HOME="$work" NODE_ENV=production KAFKAJS_NO_PARTITIONER_WARNING=1)

(cd "$app" && exec "${runtime[@]}" SIM_HOST=127.0.0.1 SIM_PORT="$sim_port" SIM_TOKEN="$token" \
  SIM_LIVE_PER_SECOND=2 node dist/apps/simulator/src/main.js) >"$work/simulator.log" 2>&1 &
sim_pid=$!

(cd "$app" && exec "${runtime[@]}" WOLKVOX_SERVER=0010 WOLKVOX_TOKEN="$token" \
  WOLKVOX_BASE_URL="http://127.0.0.1:$sim_port" KAFKA_BROKERS="$brokers" \
  EMAIL_SENT_TOPIC="$topic.events" EMAIL_DEAD_LETTER_TOPIC="$topic.dlq" \
  POLLER_PROGRESS_TOPIC="$topic.progress" POLLER_INSTANCE_ID=pruned-tree \
  POLL_START_AT="$(node -e 'console.log(new Date(Date.now() - 600e3).toISOString())')" \
  POLL_INTERVAL_SECONDS=2 POLL_SETTLE_SECONDS=1 HTTP_PORT="$http_port" \
  node dist/apps/poller/src/main.js) >"$work/poller.log" 2>&1 &
poller_pid=$!

t=$SECONDS
status() { node -e "fetch('$1').then(r => console.log(r.status), () => console.log(0))"; }
until [[ "$(status "http://127.0.0.1:$http_port/health/ready")" == 200 ]]; do
  kill -0 "$poller_pid" 2>/dev/null || { say "the poller exited"; exit 1; }
  ((SECONDS - t < 120)) || { say "the poller was not ready within 120 s"; exit 1; }
  sleep 1
done
say "ready $((SECONDS - t)) s after start"

t=$SECONDS
# grep without -q reads to the end: -q would leave at the first match, and the replay's next
# write would fail on the closed pipe (a non-zero pipeline under pipefail, then a retry).
until (cd "$app" && "${runtime[@]}" KAFKA_BROKERS="$brokers" LOG_LEVEL=warn \
  node dist/apps/poller/src/cli/main.js replay --from-beginning --topic "$topic.events" \
  --format json 2>>"$work/replay.log" | grep '"type":"email.sent"' >/dev/null); do
  ((SECONDS - t < 60)) || { say "no email.sent event on $topic.events within 60 s"; exit 1; }
  sleep 1
done
say "an email.sent event on $topic.events $((SECONDS - t)) s after ready"
rss="$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$poller_pid/status" 2>/dev/null || echo '?')"
say "poller peak RSS ${rss} MB on node $(node --version); total $((SECONDS - started)) s"
say "ok"
