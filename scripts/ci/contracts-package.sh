#!/usr/bin/env bash
# The contracts package as a team outside this repository gets it:
#   1. `npm pack ./libs/contracts` (its prepack builds it without this repository's aliases);
#   2. the tarball holds the build, its declarations, the JSON Schemas, the AsyncAPI document,
#      the test vectors, the example and the CHANGELOG, and nothing names `@app/`;
#   3. a fresh project in a temp dir (its own package.json, plain Node resolution) installs the
#      tarball, kafkajs and @types/node from the npm registry, compiles the README's kafkajs
#      example and scripts/ci/contracts-package/check-consumer.ts with this repository's
#      TypeScript in strict mode, every declaration checked;
#   4. runs the check against a real broker (KAFKA_BROKERS, or one started here): three events
#      committed after one aborted, read with read_committed, decoded equal to what was sent.
# Keeps the tarball in dist/ (CONTRACTS_PACK_DIR), as CI's artifact for a team to install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

fail() { echo "contracts-package: $*" >&2; exit 1; }

pack_dir="${CONTRACTS_PACK_DIR:-$root/dist}"
work="$(mktemp -d "${TMPDIR:-/tmp}/contracts-package.XXXXXX")"
broker_env=()
cleanup() {
  if ((${#broker_env[@]})); then env "${broker_env[@]}" bash scripts/kafka/broker.sh stop || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$pack_dir"
tarball="$pack_dir/$(npm pack ./libs/contracts --pack-destination "$pack_dir" --silent | tail -1)"
[[ -f "$tarball" ]] || fail "npm pack made no tarball"
echo "contracts-package: packed $tarball"

listing="$(tar -tzf "$tarball")"
for expected in package/package.json package/README.md package/CHANGELOG.md \
  package/dist/index.js package/dist/index.d.ts package/asyncapi.json \
  package/schema/email-sent.v1.schema.json package/schema/dead-letter.v1.schema.json \
  package/test-vectors/idempotency-keys.json package/examples/consume-email-sent.ts; do
  grep -qxF "$expected" <<<"$listing" || fail "the tarball has no ${expected#package/}"
done
if grep -E '\.spec\.|/src/' <<<"$listing"; then fail "the tarball ships sources or specs"; fi
mkdir -p "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
if grep -rlE "from '@app/|require\('@app/|import\('@app/" "$work/unpacked/package/dist"; then
  fail "the build imports an alias of this repository"
fi

project="$work/subscriber"
mkdir -p "$project"
cp scripts/ci/contracts-package/check-consumer.ts scripts/ci/contracts-package/tsconfig.json \
  libs/contracts/examples/consume-email-sent.ts "$project/"
cat >"$project/package.json" <<'JSON'
{ "name": "outside-subscriber", "private": true, "type": "module" }
JSON
types_node="$(node -p 'require("./node_modules/@types/node/package.json").version')"
(cd "$project" && npm install --no-audit --no-fund --loglevel=error \
  "$tarball" kafkajs@2.2.4 "@types/node@$types_node") || fail "npm install of the tarball failed"
node "$root/node_modules/typescript/bin/tsc" -p "$project" ||
  fail "the example and the check do not compile against the installed package"

if [[ -z "${KAFKA_BROKERS:-}" ]]; then
  port="$(node -e '
    const net = require("node:net");
    const free = (port) => new Promise((ok) => {
      const server = net.createServer().once("error", () => ok(false));
      server.listen(port, "127.0.0.1", () => server.close(() => ok(true)));
    });
    (async () => {
      for (;;) {
        const port = 20000 + Math.floor(Math.random() * 12000);
        if ((await free(port)) && (await free(port + 1))) return console.log(port);
      }
    })();')"
  broker_env=(KAFKA_PORT="$port" KAFKA_STATE_DIR="$work/kafka")
  env "${broker_env[@]}" KAFKA_FRESH=1 bash scripts/kafka/broker.sh start
  export KAFKA_BROKERS="127.0.0.1:$port"
fi
(cd "$project" && node out/check-consumer.js) || fail "the outside consumer's check failed"
echo "contracts-package: ok"
