#!/usr/bin/env bash
# Makes development/test certificates with openssl into DIR (default certs/dev/):
#   ca.crt ca.key          a private CA (10 years)
#   tls.crt tls.key        serving certificate signed by the CA (825 days), SANs:
#                          localhost, 127.0.0.1, ::1, driftgate, driftgate.driftgate-system,
#                          driftgate.driftgate-system.svc, driftgate.driftgate-system.svc.cluster.local
#   client.crt client.key  client certificate signed by the CA (CN=kube-apiserver),
#                          for `driftgate serve --client-ca DIR/ca.crt`
# Names follow a kubernetes.io/tls Secret, so the files can be mounted as they are.
# Idempotent: when every file exists, chains to ca.crt and is valid for another day,
# nothing is done. Keys are ECDSA P-256: fast handshakes, accepted by the API server.
# Usage: certs/dev-certs.sh [DIR]     (FORCE=1 regenerates)
set -euo pipefail

dir=${1:-"$(cd "$(dirname "$0")" && pwd)/dev"}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cd "$dir"

files=(ca.crt ca.key tls.crt tls.key client.crt client.key)
if [[ "${FORCE:-0}" != 1 ]]; then
  all_good=1
  for f in "${files[@]}"; do [[ -s $f ]] || all_good=0; done
  if ((all_good)); then
    for c in ca.crt tls.crt client.crt; do
      openssl x509 -in "$c" -noout -checkend 86400 >/dev/null 2>&1 || all_good=0
    done
    openssl verify -CAfile ca.crt tls.crt client.crt >/dev/null 2>&1 || all_good=0
  fi
  if ((all_good)); then
    echo "dev-certs: certificates in $dir are present and valid" >&2
    exit 0
  fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
umask 077

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# CA
new_key "$tmp/ca.key"
openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days 3650 -subj "/O=driftgate dev/CN=driftgate dev CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$tmp/ca.crt"

# Serving certificate
new_key "$tmp/tls.key"
cat >"$tmp/server.ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,DNS:driftgate,DNS:driftgate.driftgate-system,DNS:driftgate.driftgate-system.svc,DNS:driftgate.driftgate-system.svc.cluster.local
EXT
openssl req -new -key "$tmp/tls.key" -subj "/O=driftgate dev/CN=driftgate.driftgate-system.svc" -out "$tmp/tls.csr"
openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -sha256 -days 825 \
  -extfile "$tmp/server.ext" -out "$tmp/tls.crt" 2>/dev/null

# Client certificate (what the API server presents with an AdmissionConfiguration kubeconfig)
new_key "$tmp/client.key"
cat >"$tmp/client.ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
EXT
openssl req -new -key "$tmp/client.key" -subj "/O=driftgate dev/CN=kube-apiserver" -out "$tmp/client.csr"
openssl x509 -req -in "$tmp/client.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial -sha256 -days 825 \
  -extfile "$tmp/client.ext" -out "$tmp/client.crt" 2>/dev/null

openssl verify -CAfile "$tmp/ca.crt" "$tmp/tls.crt" "$tmp/client.crt" >/dev/null
# Replace the set together, keys private, certificates readable.
for f in "${files[@]}"; do
  case $f in *.key) chmod 600 "$tmp/$f" ;; *) chmod 644 "$tmp/$f" ;; esac
  mv -f "$tmp/$f" "$dir/$f"
done
echo "dev-certs: wrote ${files[*]} to $dir" >&2
