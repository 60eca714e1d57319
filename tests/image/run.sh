#!/usr/bin/env bash
# Builds the container image from the Dockerfile with buildah (no Docker daemon) and
# runs it with podman as the cluster would: uid 65532, read-only root filesystem, the
# certificate mounted read-only. Then, on loopback only:
#   - the image's user, entrypoint and default command are the documented ones;
#   - /healthz answers, and /readyz once the baked-in policies have loaded;
#   - a `kubectl edit` of a Flux-managed ConfigMap is denied on /validate, and
#     Flux's own apply of it is allowed; an audit line per decision on stdout;
#   - the root filesystem is read-only and the process runs as 65532;
#   - SIGTERM ends it with exit code 0.
# Reports the image size, uncompressed and compressed (gzip layers, as a registry
# stores them). Ends with "image: N passed, N failed".
#
# The base images are made locally when missing (tests/image/base-images.sh).
# Environment: IMAGE (tag, default localhost/driftgate:test), STORAGE_DRIVER (vfs).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
image=${IMAGE:-localhost/driftgate:test}
storage=(--storage-driver="${STORAGE_DRIVER:-vfs}")
# Facts of this kind of machine: crun refuses its hybrid cgroups, and root lacks
# CAP_SYS_RESOURCE, so the default (higher) ulimits cannot be set.
run_flags=(--runtime=runc --ulimit nofile=20000:20000 --ulimit nproc=1024:1024)
work=$(mktemp -d /var/tmp/driftgate-image.XXXXXX)
container=driftgate-image-test-$$
passed=0 failed=0

dangling_images() { buildah "${storage[@]}" images --quiet --no-trunc --filter dangling=true 2>/dev/null | sort -u; }
build_containers() { buildah "${storage[@]}" containers --quiet --notruncate 2>/dev/null | sort -u; }
dangling_before=$(dangling_images)
containers_before=$(build_containers)
cleanup() {
  podman "${storage[@]}" rm -f -t 0 "$container" >/dev/null 2>&1 || true
  # A build that failed or was interrupted can leave its working containers, which
  # pin their images: only the ones this run made go.
  comm -13 <(echo "$containers_before") <(build_containers) | xargs -r buildah "${storage[@]}" rm >/dev/null 2>&1 || true
  # What this run left untagged: the build stage, and the image the previous run had
  # tagged. With the vfs driver every layer is a full copy, so they would fill the
  # disk run after run. Only images that were not dangling before this run go.
  comm -13 <(echo "$dangling_before") <(dangling_images) | xargs -r buildah "${storage[@]}" rmi >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok   [image] $*"; }
not_ok() { failed=$((failed + 1)); echo "FAIL [image] $*" >&2; }
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
finish() {
  echo "image: $passed passed, $failed failed"
  ((failed == 0))
  exit
}

tests/image/base-images.sh

# --- build -------------------------------------------------------------------------
start=$(date +%s)
# Without --layers: each stage is committed once, not once per step (with vfs, a
# step's layer is a full copy of the stage's file system: 11 GB for one build).
if buildah "${storage[@]}" bud --pull=never --isolation=chroot --network=host \
     -f Dockerfile -t "$image" . >"$work/build.log" 2>&1; then
  ok "buildah bud built $image from the Dockerfile in $(( $(date +%s) - start ))s"
else
  tail -n 60 "$work/build.log" >&2
  not_ok "buildah bud of the Dockerfile failed (build log above)"
  finish
fi

inspect() { podman "${storage[@]}" image inspect --format "$1" "$image"; }
check "the image runs as 65532:65532" [ "$(inspect '{{.Config.User}}')" = 65532:65532 ]
check "the entrypoint is /usr/local/bin/driftgate" [ "$(inspect '{{json .Config.Entrypoint}}')" = '["/usr/local/bin/driftgate"]' ]
check "the default command serves /etc/driftgate/policies with /etc/driftgate/tls" \
  [ "$(inspect '{{json .Config.Cmd}}')" = '["serve","--policies","/etc/driftgate/policies","--tls-cert","/etc/driftgate/tls/tls.crt","--tls-key","/etc/driftgate/tls/tls.key"]' ]

# Sizes: uncompressed as stored, compressed as pushed (gzip layers in an OCI layout).
uncompressed=$(inspect '{{.Size}}')
buildah "${storage[@]}" push --quiet --compression-format gzip "$image" "oci:$work/oci" >/dev/null 2>&1 || true
compressed=$(find "$work/oci/blobs" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "image: size $(mib "$uncompressed") uncompressed, $(mib "$compressed") compressed (gzip)"
size_is_sane() { [ "$uncompressed" -gt 0 ] && [ "$uncompressed" -lt $((150 * 1048576)) ]; }
check "the image is under 150 MiB uncompressed" size_is_sane
rm -rf "$work/oci"

# --- run ---------------------------------------------------------------------------
# The certificate as the driftgate-tls Secret would mount it: read-only, readable by
# the image's user (a Secret volume's default mode is 0644).
certs/dev-certs.sh "$work/certs" >/dev/null
chmod 0755 "$work/certs"
chmod 0644 "$work/certs"/*
podman "${storage[@]}" run "${run_flags[@]}" -d --name "$container" \
  --network=host --read-only --user 65532:65532 \
  -v "$work/certs:/etc/driftgate/tls:ro" \
  "$image" serve --policies /etc/driftgate/policies \
  --tls-cert /etc/driftgate/tls/tls.crt --tls-key /etc/driftgate/tls/tls.key \
  --listen 127.0.0.1:0 --threads 2 >/dev/null
logs() { podman "${storage[@]}" logs "$container" 2>&1; }
port=""
for _ in $(seq 100); do
  port=$(logs | sed -nE 's/.*"event":"listening".*"address":"127\.0\.0\.1:([0-9]+)".*/\1/p' | tail -n 1)
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  logs | tail -n 20 >&2
  not_ok "the container did not log its listening address within 10 s (log above)"
  finish
fi
ok "the container listens on 127.0.0.1:$port"
url=https://127.0.0.1:$port
curl_tls=(curl -sS --max-time 10 --cacert "$work/certs/ca.crt")

check "/healthz answers ok" [ "$("${curl_tls[@]}" "$url/healthz")" = ok ]
ready=""
for _ in $(seq 50); do
  ready=$("${curl_tls[@]}" -o /dev/null -w '%{http_code}' "$url/readyz" || true)
  [ "$ready" = 200 ] && break
  sleep 0.1
done
check "/readyz is 200: the image's default policies loaded" [ "$ready" = 200 ]

review() { "${curl_tls[@]}" -H 'Content-Type: application/json' --data @"$1" "$url/validate"; }
denied=$(review tests/fixtures/configmap-kubectl-edit.json || true)
check "a kubectl edit of a Flux-managed ConfigMap is denied" \
  grep -q '"allowed":false' <<<"$denied"
check "the denial names the owner and the path" \
  grep -q 'managed by Flux Kustomization flux-system/apps; change data.LOG_LEVEL in Git instead' <<<"$denied"
allowed=$(review tests/fixtures/configmap-flux-apply.json || true)
check "Flux's apply of the same ConfigMap is allowed" grep -q '"allowed":true' <<<"$allowed"
decisions=$(logs | grep -c '"type":"decision"' || true)
check "one audit line per decision on stdout ($decisions)" [ "$decisions" = 2 ]

check "the process runs as uid 65532" \
  [ "$(podman "${storage[@]}" exec "$container" sh -c 'id -u')" = 65532 ]
check "the container was started with a read-only root filesystem" \
  [ "$(podman "${storage[@]}" inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$container")" = true ]
# As root, so that only a read-only root file system can refuse it (podman mounts
# tmpfs on /tmp, /var/tmp and /run of a --read-only container, so those stay writable).
write_refused=$(podman "${storage[@]}" exec --user 0 "$container" sh -c 'touch /etc/driftgate-write-test 2>&1' || true)
check "a write to /etc, even as root, is refused as a read-only file system" \
  grep -q 'Read-only file system' <<<"$write_refused"

# --- stop --------------------------------------------------------------------------
podman "${storage[@]}" kill --signal TERM "$container" >/dev/null
code=$(timeout 30 podman "${storage[@]}" wait "$container" 2>/dev/null || echo timeout)
check "SIGTERM ends the server with exit code 0 (got $code)" [ "$code" = 0 ]
check "the server logged its shutdown" grep -q '"event":"shutdown_started"' <<<"$(logs)"
finish
