#!/usr/bin/env bash
# Checks the operations kit in deploy/ without a cluster or a Prometheus server:
#   - the alert rules load (`promtool check rules`) and pass their unit tests (`promtool test rules`),
#     and each alert has a test case and a runbook line in docs/OPERATIONS.md;
#   - the Kubernetes base and the example overlay render (`kubectl kustomize`), and the rendered
#     Deployment keeps what the poller's guarantees and the security baseline rely on;
#   - the Grafana dashboard is valid JSON.
# The queries themselves are run against a live poller by test/prometheus.e2e-spec.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

fail() { echo "ops-kit: $*" >&2; exit 1; }

promtool check rules deploy/prometheus/wolkvox-poller.rules.yml
promtool test rules deploy/prometheus/wolkvox-poller.rules.test.yml
# Every alert has its runbook line in docs/OPERATIONS.md, and a promtool test case.
for alert in $(sed -n 's/^ *- alert: *//p' deploy/prometheus/wolkvox-poller.rules.yml); do
  grep -q "^| \`$alert\` " docs/OPERATIONS.md || fail "$alert has no runbook line in docs/OPERATIONS.md"
  grep -q "alertname: $alert\b" deploy/prometheus/wolkvox-poller.rules.test.yml ||
    fail "$alert has no test in deploy/prometheus/wolkvox-poller.rules.test.yml"
done

# Renders an overlay and fails unless each further argument appears in what it renders.
renders() {
  local dir=$1 rendered expected
  shift
  rendered="$(kubectl kustomize "$dir")" || fail "kubectl kustomize $dir failed"
  for expected in "$@"; do
    grep -qF -- "$expected" <<<"$rendered" || fail "$dir renders without '$expected'"
  done
  printf '%s\n' "$rendered"
}

# What every overlay keeps: the non-root read-only container and the probes.
BASELINE=('runAsNonRoot: true' 'readOnlyRootFilesystem: true' 'allowPrivilegeEscalation: false'
  'path: /health/ready' 'path: /health/live' 'kind: Service')

for dir in deploy/k8s deploy/example-operation; do
  # One replica (a second would only wait on standby), a rollout that cannot stall on a standby
  # pod, and the token as a file.
  rendered="$(renders "$dir" "${BASELINE[@]}" 'replicas: 1' 'maxUnavailable: 1' \
    'name: WOLKVOX_TOKEN_FILE')"
  if grep -qE 'WOLKVOX_TOKEN:|name: WOLKVOX_TOKEN$' <<<"$rendered"; then
    fail "$dir passes the token as a variable; it must be the mounted file"
  fi
  echo "$dir: renders $(grep -c '^kind:' <<<"$rendered") objects"
done

# The fleet overlay: replicas that share the operations file, the tokens one Secret of files,
# and no process-wide token or server (the poller refuses them beside the file).
rendered="$(renders deploy/fleet "${BASELINE[@]}" 'replicas: 3' \
  'POLLER_OPERATIONS_FILE: /etc/wolkvox/operations.json' 'mountPath: /etc/wolkvox' \
  'name: wolkvox-token-0010' 'operations.json: |' 'kind: PodDisruptionBudget')"
if grep -qE 'WOLKVOX_TOKEN_FILE$|WOLKVOX_SERVER:' <<<"$rendered"; then
  fail "deploy/fleet sets a token file or a server for the process; they belong to the file's entries"
fi
echo "deploy/fleet: renders $(grep -c '^kind:' <<<"$rendered") objects"

node -e 'JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))' \
  deploy/grafana/wolkvox-poller.dashboard.json || fail "the dashboard is not valid JSON"
echo "ops-kit: rules, manifests and dashboard ok"
