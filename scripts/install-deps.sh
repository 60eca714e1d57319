#!/usr/bin/env bash
# Installs every Debian bookworm package driftgate needs to build, test and benchmark.
# Idempotent and non-interactive; skips apt entirely when everything is present.
set -euo pipefail
packages=(
  g++ cmake ninja-build pkg-config git ca-certificates
  libboost-dev libssl-dev nlohmann-json3-dev libyaml-cpp-dev libre2-dev libsimdjson-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  openssl curl kubectl wrk procps
  # the container image test (tests/image) and the alert tests (deploy/components/monitoring)
  buildah podman runc debootstrap prometheus
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
