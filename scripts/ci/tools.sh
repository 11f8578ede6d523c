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

java -version 2>&1 | head -1
mvn -version 2>&1 | head -1
promtool --version 2>&1 | head -1
command -v prometheus >/dev/null || { echo "tools: prometheus binary missing after install" >&2; exit 1; }
kubectl version --client 2>&1 | head -1
