#!/usr/bin/env bash
# A locked-down Kafka broker for tests, as enterprises run theirs: scripts/kafka/broker.sh's
# one KRaft node, with
#   - clients on a SASL_PLAINTEXT listener that takes SCRAM-SHA-512 only;
#   - the StandardAuthorizer with allow.everyone.if.no.acl.found=false: nothing is allowed
#     without an ACL, except to the super user `admin`;
#   - the SCRAM users made when storage is formatted (`kafka-storage format --add-scram`), so
#     they exist before the broker serves: `admin` and those of KAFKA_SCRAM_USERS.
# The broker talks to itself (transaction markers) as `admin` over SCRAM; the controller
# listener takes SASL PLAIN with the same admin password (a KRaft controller cannot take SCRAM:
# the credentials live in the metadata it serves), so no anonymous principal is ever a super user.
#
#   KAFKA_PORT=19092 KAFKA_ADMIN_PASSWORD=admin-secret \
#   KAFKA_SCRAM_USERS='poller=poller-secret' KAFKA_FRESH=1 scripts/kafka/secure-broker.sh start
#   scripts/kafka/secure-broker.sh stop          (and kill, status, run: as broker.sh)
#
# Environment: broker.sh's (KAFKA_PORT, KAFKA_STATE_DIR, KAFKA_FRESH, ...), and
#   KAFKA_ADMIN_PASSWORD  the super user's SCRAM (and controller PLAIN) password  (required)
#   KAFKA_SCRAM_USERS     more SCRAM-SHA-512 users, `name=password` separated by spaces; names and
#                         passwords without spaces, commas or `]` (a test broker's, not a vault)
# The admin client's settings: security.protocol=SASL_PLAINTEXT, sasl.mechanism=SCRAM-SHA-512,
# username admin. Grant ACLs with kafka-acls (kafka.admin.AclCommand) or an admin client.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
state="${KAFKA_STATE_DIR:-$root/.cache/kafka/broker-$port}"

case "${1:-}" in
  start | run)
    admin_password="${KAFKA_ADMIN_PASSWORD:?KAFKA_ADMIN_PASSWORD is required}"
    # Beside the state directory, not in it: KAFKA_FRESH=1 wipes that before the config is read.
    extra="$state.secure.properties"
    mkdir -p "$(dirname "$extra")"
    (umask 077 && cat > "$extra" <<PROPS
listeners=SASL_PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_password";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$admin_password" user_admin="$admin_password";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin
PROPS
    )
    scram="--add-scram SCRAM-SHA-512=[name=admin,password=$admin_password]"
    for user in ${KAFKA_SCRAM_USERS:-}; do
      scram+=" --add-scram SCRAM-SHA-512=[name=${user%%=*},password=${user#*=}]"
    done
    export KAFKA_EXTRA_CONFIG="$extra" KAFKA_FORMAT_ARGS="$scram ${KAFKA_FORMAT_ARGS:-}"
    ;;
esac
exec bash "$here/broker.sh" "$@"
