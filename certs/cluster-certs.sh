#!/usr/bin/env bash
# Makes the certificates driftgate serves in a cluster, for the script-certs overlay:
#   - a private CA (ECDSA P-256, 3 years, CA:TRUE, pathlen 0)
#   - a serving certificate (ECDSA P-256, 90 days, serverAuth) for the Service names
#     driftgate, driftgate.driftgate-system, driftgate.driftgate-system.svc and
#     driftgate.driftgate-system.svc.cluster.local
#   - secret.yaml: the `driftgate-tls` Secret (type kubernetes.io/tls, plus ca.crt),
#     whose ca.crt the overlay copies into the caBundle of both webhook configurations.
#
# Usage: certs/cluster-certs.sh [--out DIR] [--rotate | --rotate-ca | --drop-previous-ca]
#                               [--service NAME] [--namespace NS]
#   --out DIR            where to write (default: deploy/overlays/script-certs/generated)
#   (no flag)            idempotent: keeps a valid CA and serving certificate; issues
#                        what is missing, and renews a serving certificate that is
#                        within 30 days of its end or no longer matches the names
#   --rotate             re-issues the serving certificate (new key) with the same CA
#   --rotate-ca          CA rotation, step 1: a new CA; both CAs are trusted (ca.crt
#                        of the Secret, caBundle); the serving certificate is unchanged
#   --drop-previous-ca   CA rotation, step 3 (after --rotate): trust only the new CA
# After each run: kubectl apply -k deploy/overlays/script-certs (docs/install.md).
#
# Files in DIR: ca.key (keep it secret, never in Git), ca.crt, ca-previous.crt (during a
# CA rotation), ca-bundle.crt, tls.key, tls.crt, secret.yaml.
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
out="$repo_root/deploy/overlays/script-certs/generated"
service=driftgate
namespace=driftgate-system
mode=ensure
ca_days=1095
serving_days=90
renew_within_seconds=$((30 * 24 * 3600))

die() { echo "cluster-certs: $*" >&2; exit 1; }
say() { echo "cluster-certs: $*" >&2; }

while (($#)); do
  case "$1" in
    --out) [[ $# -ge 2 ]] || die "--out needs a directory"; out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    --service) [[ $# -ge 2 ]] || die "--service needs a name"; service=$2; shift 2 ;;
    --namespace) [[ $# -ge 2 ]] || die "--namespace needs a name"; namespace=$2; shift 2 ;;
    --rotate) [[ $mode == ensure ]] || die "give one of --rotate, --rotate-ca, --drop-previous-ca"; mode=rotate; shift ;;
    --rotate-ca) [[ $mode == ensure ]] || die "give one of --rotate, --rotate-ca, --drop-previous-ca"; mode=rotate-ca; shift ;;
    --drop-previous-ca) [[ $mode == ensure ]] || die "give one of --rotate, --rotate-ca, --drop-previous-ca"; mode=drop-previous-ca; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

command -v openssl >/dev/null || die "openssl not found"
umask 077
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out"

dns_names=("$service" "$service.$namespace" "$service.$namespace.svc" "$service.$namespace.svc.cluster.local")
san=$(printf 'DNS:%s,' "${dns_names[@]}"); san=${san%,}

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
random_serial() { echo "0x$(openssl rand -hex 16)"; }

make_ca() {
  local stamp; stamp=$(date -u +%Y%m%d%H%M%S)
  new_key ca.key.new
  openssl req -x509 -new -key ca.key.new -sha256 -days "$ca_days" \
    -subj "/O=driftgate/CN=driftgate-ca-$stamp" -set_serial "$(random_serial)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out ca.crt.new
  mv ca.key.new ca.key
  mv ca.crt.new ca.crt
  say "new CA: $(openssl x509 -in ca.crt -noout -subject -enddate | tr '\n' ' ')"
}

make_serving() {
  local ext; ext=$(mktemp)
  trap 'rm -f "$ext" tls.csr' RETURN
  cat >"$ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
  new_key tls.key.new
  openssl req -new -key tls.key.new -subj "/O=driftgate/CN=$service.$namespace.svc" -out tls.csr
  openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -set_serial "$(random_serial)" \
    -sha256 -days "$serving_days" -extfile "$ext" -out tls.crt.new 2>/dev/null
  mv tls.key.new tls.key
  mv tls.crt.new tls.crt
  say "new serving certificate: $(openssl x509 -in tls.crt -noout -enddate)"
}

# Why the serving certificate needs re-issuing, or nothing when it is fine.
serving_problem() {
  [[ -s tls.crt && -s tls.key ]] || { echo "missing"; return; }
  openssl verify -CAfile ca-bundle.crt tls.crt >/dev/null 2>&1 || { echo "not signed by a trusted CA"; return; }
  openssl x509 -in tls.crt -noout -checkend "$renew_within_seconds" >/dev/null || { echo "ends within 30 days"; return; }
  local have; have=$(openssl x509 -in tls.crt -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr -d ' \n')
  [[ $have == "$san" ]] || { echo "names differ ($have)"; return; }
  local key_pub cert_pub
  key_pub=$(openssl pkey -in tls.key -pubout 2>/dev/null) cert_pub=$(openssl x509 -in tls.crt -noout -pubkey)
  [[ $key_pub == "$cert_pub" ]] || echo "tls.key does not match tls.crt"
}

write_bundle() {
  if [[ -s ca-previous.crt ]]; then cat ca.crt ca-previous.crt >ca-bundle.crt; else cat ca.crt >ca-bundle.crt; fi
}

b64() { base64 -w0 <"$1"; }

write_secret() {
  cat >secret.yaml.new <<EOF
# Written by certs/cluster-certs.sh; do not edit, do not commit (holds a private key).
apiVersion: v1
kind: Secret
metadata:
  name: driftgate-tls
  namespace: $namespace
  labels:
    app.kubernetes.io/name: driftgate
    app.kubernetes.io/part-of: driftgate
type: kubernetes.io/tls
data:
  tls.crt: $(b64 tls.crt)
  tls.key: $(b64 tls.key)
  ca.crt: $(b64 ca-bundle.crt)
EOF
  mv secret.yaml.new secret.yaml
}

# The CA.
if [[ -e ca.key && ! -e ca.crt ]] || [[ -e ca.crt && ! -e ca.key ]]; then
  die "$out holds only one of ca.key and ca.crt; restore the other or remove both to start over"
fi
if [[ ! -e ca.key ]]; then
  [[ $mode == ensure ]] || die "no CA in $out yet: run without --${mode} first"
  make_ca
fi
case "$mode" in
  rotate-ca)
    [[ ! -e ca-previous.crt ]] || die "a CA rotation is already under way: finish it (--rotate, apply, --drop-previous-ca, apply) first"
    cp ca.crt ca-previous.crt
    make_ca
    say "both CAs are trusted now; serving certificate unchanged (signed by the previous CA)"
    ;;
  drop-previous-ca)
    [[ -e ca-previous.crt ]] || die "no CA rotation under way (no ca-previous.crt)"
    openssl verify -CAfile ca.crt tls.crt >/dev/null 2>&1 ||
      die "the serving certificate is still signed by the previous CA: run --rotate and apply it first"
    rm -f ca-previous.crt
    say "only the current CA is trusted now"
    ;;
esac
write_bundle

# The serving certificate.
if [[ $mode == rotate ]]; then
  make_serving
elif problem=$(serving_problem) && [[ -n $problem ]]; then
  say "serving certificate: $problem; issuing a new one"
  make_serving
fi
openssl verify -CAfile ca-bundle.crt tls.crt >/dev/null || die "internal error: tls.crt does not verify against ca-bundle.crt"

write_secret
say "wrote $out/secret.yaml; next: kubectl apply -k deploy/overlays/script-certs"
case "$mode" in
  rotate-ca) say "CA rotation step 1 of 3 done; after applying, wait for the webhook configurations to hold both CAs, then run --rotate" ;;
  rotate) [[ -e ca-previous.crt ]] && say "CA rotation step 2 of 3 done; after applying and the Pods reloading (docs/install.md), run --drop-previous-ca" ;;
esac
exit 0
