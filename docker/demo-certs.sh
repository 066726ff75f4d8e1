#!/bin/sh
# The compose demo's init container (docker/compose.yaml, service demo-certs):
# a throw-away CA, the broker's and the gateway's server certificates, and the
# gateway's random broker password, in the volume at $CERTS (default /certs).
# Runs in the broker image (openssl, mosquitto_passwd, the mosquitto group).
# Keeps what an earlier run made; `docker compose down -v` starts afresh.
#
#   /certs/ca.pem                      the demo CA (everyone trusts only this)
#   /certs/broker/broker.{pem,key}     CN/SAN broker     root:mosquitto 0640
#   /certs/broker/passwd               usp-gateway's password hash
#   /certs/gateway/server.{pem,key}    SAN gateway       owned by uid 10001
#   /certs/gateway/mqtt.password       the gateway's broker password
set -eu
certs=${CERTS:-/certs}
usp_uid=${USP_UID:-10001}
days=${DAYS:-30}

if [ -s "$certs/ca.pem" ] && [ -s "$certs/gateway/mqtt.password" ]; then
  echo "demo-certs: keeping the demo CA and certificates in $certs"
  exit 0
fi

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$certs/broker" "$certs/gateway"

# The CA: P-256, valid for $days days; its key never leaves this container.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$work/ca.key" -out "$work/ca.pem" -days "$days" \
  -subj "/O=USP demo/CN=USP compose demo CA (not for production)" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

# leaf NAME DNS-NAME: a server certificate for DNS-NAME (and localhost, for
# clients on the host through the published ports).
leaf() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$work/$1.key" -out "$work/$1.csr" -subj "/O=USP demo/CN=$2" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
    "subjectAltName=DNS:$2,DNS:localhost,IP:127.0.0.1" > "$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days "$days" -extfile "$work/$1.ext" -out "$work/$1.pem" 2>/dev/null
}
leaf broker broker
leaf server gateway

# The gateway's broker password: random, in a file only the gateway reads, and
# hashed for mosquitto's password_file.
password=$(openssl rand -hex 24)
printf '%s\n' "$password" > "$work/mqtt.password"
: > "$work/passwd"
mosquitto_passwd -b "$work/passwd" usp-gateway "$password"

install -m 0644 "$work/ca.pem" "$certs/ca.pem"
install -m 0640 -o root -g mosquitto "$work/broker.pem" "$work/broker.key" "$work/passwd" "$certs/broker/"
chown root:mosquitto "$certs/broker" && chmod 0750 "$certs/broker"
install -m 0644 -o "$usp_uid" -g "$usp_uid" "$work/server.pem" "$certs/gateway/server.pem"
install -m 0600 -o "$usp_uid" -g "$usp_uid" "$work/server.key" "$work/mqtt.password" "$certs/gateway/"
chown "$usp_uid:$usp_uid" "$certs/gateway" && chmod 0700 "$certs/gateway"
chmod 0755 "$certs"
echo "demo-certs: made a demo CA (valid $days days), certificates for broker and gateway, and the gateway's broker password"
