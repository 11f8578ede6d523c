#!/usr/bin/env bash
# A Kafka broker behind a private CA, the way brokers run on premises: scripts/kafka/broker.sh
# with two TLS listeners added through its KAFKA_EXTRA_CONFIG hook.
#
#   scripts/kafka/tls-broker.sh certs    make the CA, the broker's keystore and truststore and a
#                                        client certificate (kept when they exist)
#   scripts/kafka/tls-broker.sh start    certs, then start the broker and wait until it serves
#   scripts/kafka/tls-broker.sh stop     stop it (broker.sh stop)
#
# Listeners on 127.0.0.1 (the controller stays on KAFKA_PORT + 1, as in broker.sh):
#   KAFKA_PORT        PLAINTEXT, between the broker and itself           (default 9092)
#   KAFKA_TLS_PORT    SSL, server certificate only                       (default KAFKA_PORT + 2)
#   KAFKA_MTLS_PORT   SSL with ssl.client.auth=required                  (default KAFKA_PORT + 3)
#
# KAFKA_TLS_DIR (default .cache/kafka/tls, shared by every port: making it takes keytool
# a while, the broker needs no rebuild of it) receives, for clients:
#   ca.pem            the private CA's certificate (KAFKA_SSL_CA_FILE, NODE_EXTRA_CA_CERTS)
#   client.pem        a client certificate the CA signed (KAFKA_SSL_CERT_FILE)
#   client-key.pem    its private key, encrypted (KAFKA_SSL_KEY_FILE)
#   client-key.pass   the key's passphrase (KAFKA_SSL_KEY_PASSPHRASE_FILE)
# and, for the broker, broker.p12 (keystore) and truststore.p12 (PKCS12, made with keytool).
# Everything here is generated for tests: it lives under .cache/ and is never committed.
# Other variables go to broker.sh as they are (KAFKA_FRESH, KAFKA_STATE_DIR, ...).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

port="${KAFKA_PORT:-9092}"
tls_port="${KAFKA_TLS_PORT:-$((port + 2))}"
mtls_port="${KAFKA_MTLS_PORT:-$((port + 3))}"
dir="${KAFKA_TLS_DIR:-$root/.cache/kafka/tls}"
# The stores' password: test material only, on loopback.
storepass=test-only-store

log() { echo "[kafka-tls] $*" >&2; }

kt() { keytool -noprompt -storetype PKCS12 -storepass "$storepass" "$@"; }

# A key pair in `$1.p12`, signed by the CA, with the CA in its chain.
signed() {
  local name="$1" dname="$2" ext="$3"
  kt -genkeypair -keystore "$dir/$name.p12" -alias "$name" -dname "$dname" \
    -keyalg RSA -keysize 2048 -validity 30
  kt -certreq -keystore "$dir/$name.p12" -alias "$name" -file "$dir/$name.csr"
  kt -gencert -keystore "$dir/ca.p12" -alias ca -infile "$dir/$name.csr" -outfile "$dir/$name.crt" \
    -rfc -validity 30 -ext "$ext"
  kt -importcert -keystore "$dir/$name.p12" -alias ca -file "$dir/ca.pem"
  kt -importcert -keystore "$dir/$name.p12" -alias "$name" -file "$dir/$name.crt"
}

fresh() { openssl x509 -checkend 86400 -noout -in "$1" >/dev/null 2>&1; }

certs() {
  # Kept while every certificate has a day left (they are made for 30 days).
  if [[ -f "$dir/.complete" ]] && fresh "$dir/ca.pem" && fresh "$dir/broker.crt" && fresh "$dir/client.pem"; then
    return 0
  fi
  command -v keytool >/dev/null || { log "keytool not found: install a JDK 17+"; exit 1; }
  command -v openssl >/dev/null || { log "openssl not found (apt-get install openssl)"; exit 1; }
  rm -rf "$dir" && mkdir -p "$dir"
  kt -genkeypair -keystore "$dir/ca.p12" -alias ca -dname "CN=wolkvox-poller test CA" \
    -keyalg RSA -keysize 2048 -validity 30 -ext bc:c -ext KeyUsage=keyCertSign,cRLSign
  kt -exportcert -keystore "$dir/ca.p12" -alias ca -rfc -file "$dir/ca.pem"
  # The poller connects to 127.0.0.1: Node checks that address against the IP SAN.
  signed broker "CN=localhost" "SAN=ip:127.0.0.1,dns:localhost"
  signed client "CN=wolkvox-poller" "ExtendedKeyUsage=clientAuth"
  kt -importcert -keystore "$dir/truststore.p12" -alias ca -file "$dir/ca.pem"
  # The client's certificate and key as PEM, the key encrypted with a passphrase kept in a file.
  openssl pkcs12 -in "$dir/client.p12" -passin "pass:$storepass" -clcerts -nokeys \
    | openssl x509 -out "$dir/client.pem"
  openssl rand -hex 16 > "$dir/client-key.pass"
  openssl pkcs12 -in "$dir/client.p12" -passin "pass:$storepass" -nocerts -nodes \
    | openssl pkey -aes256 -passout "file:$dir/client-key.pass" -out "$dir/client-key.pem"
  touch "$dir/.complete"
  log "CA, broker and client certificates in $dir"
}

# Written at each start: the ports may change from one start to the next, the certificates not.
listeners() {
  cat > "$dir/server-$port.properties" <<PROPS
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1)),TLS://127.0.0.1:$tls_port,MTLS://127.0.0.1:$mtls_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port,TLS://127.0.0.1:$tls_port,MTLS://127.0.0.1:$mtls_port
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,TLS:SSL,MTLS:SSL
ssl.keystore.type=PKCS12
ssl.keystore.location=$dir/broker.p12
ssl.keystore.password=$storepass
ssl.key.password=$storepass
ssl.truststore.type=PKCS12
ssl.truststore.location=$dir/truststore.p12
ssl.truststore.password=$storepass
ssl.client.auth=none
listener.name.mtls.ssl.client.auth=required
PROPS
}

case "${1:-}" in
  certs) certs ;;
  start)
    certs
    listeners
    # broker.sh copies it into the broker's own server.properties.
    KAFKA_EXTRA_CONFIG="$dir/server-$port.properties" bash "$here/broker.sh" start
    rm -f "$dir/server-$port.properties"
    log "TLS on 127.0.0.1:$tls_port, TLS with client certificates on 127.0.0.1:$mtls_port (CA: $dir/ca.pem)"
    ;;
  stop) bash "$here/broker.sh" stop ;;
  *) echo "usage: $0 certs|start|stop" >&2; exit 2 ;;
esac
