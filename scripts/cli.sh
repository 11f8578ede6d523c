#!/usr/bin/env bash
# npm run cli -- <command>: the operator's CLI (dist/apps/poller/src/cli/main.js), with two
# conveniences for a checkout:
#   - it builds first (npm run build) when dist/ is missing or older than a source file;
#   - while `npm run demo` runs and the shell sets neither KAFKA_BROKERS nor WOLKVOX_SERVER, it
#     uses the demo's settings ($DEMO_DIR/cli.env, written by scripts/demo.sh), and says so.
# In an image or a pruned tree, run `node dist/apps/poller/src/cli/main.js` directly.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
main="$root/dist/apps/poller/src/cli/main.js"

if [[ -d "$root/apps" ]]; then
  if [[ ! -f "$main" ]] \
    || [[ -n "$(find "$root/apps" "$root/libs" "$root"/tsconfig*.json -newer "$main" \( -name '*.ts' -o -name '*.json' \) -print -quit)" ]]; then
    echo "building first (npm run build): dist/ is missing or older than the sources" >&2
    (cd "$root" && npm run --silent build) >&2
  fi
fi

demo_env="${DEMO_DIR:-$root/.cache/demo}/cli.env"
if [[ -f "$demo_env" && -z "${KAFKA_BROKERS:-}${WOLKVOX_SERVER:-}" ]]; then
  echo "using the running demo's settings ($demo_env)" >&2
  # One NAME=value a line, unquoted (the demo starts its poller from the same lines).
  while IFS= read -r line; do if [[ "$line" == *=* ]]; then export "$line"; fi; done <"$demo_env"
fi
exec node "$main" "$@"
