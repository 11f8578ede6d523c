#!/usr/bin/env bash
# Installs what CI's operations checks need, from Debian's own packages and only when missing:
#   promtool (package `prometheus`): `promtool check/test rules` and the Prometheus e2e test;
#   kubectl (package `kubernetes-client`): `kubectl kustomize deploy/k8s`.
# Also java and mvn for the local Kafka broker (scripts/kafka/broker.sh), and openssl for the
# TLS broker's certificates (scripts/kafka/tls-broker.sh).
# Prints the version of each tool; exits non-zero when one cannot be installed.
set -euo pipefail

need=()
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
# keytool comes with the JRE; openssl turns the TLS test's client key into PEM (tls-broker.sh).
command -v openssl >/dev/null || need+=(openssl)
command -v promtool >/dev/null || need+=(prometheus)
command -v kubectl >/dev/null || need+=(kubernetes-client)
if ((${#need[@]})); then
  echo "installing ${need[*]} (apt)"
  # The `prometheus` package would start a server as a service: CI only wants its binaries.
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# The package's own service, when the machine runs an init system, is not ours to keep running.
if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus || true
fi

# Not `tool --version | head -1`: head leaves after one line, the tool's next write meets a
# closed pipe, and pipefail turns that SIGPIPE into a failed CI (seen: mvn, 1 s into a run).
version() {
  command -v "$1" >/dev/null || { echo "tools: $1 missing after install" >&2; exit 1; }
  local out
  out="$("$@" 2>&1)" || { echo "tools: '$*' failed: $out" >&2; exit 1; }
  echo "${out%%$'\n'*}"
}
version java -version
version mvn -version
version promtool --version
command -v prometheus >/dev/null || { echo "tools: prometheus binary missing after install" >&2; exit 1; }
version kubectl version --client
