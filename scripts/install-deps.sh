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
  # JUnit well-formedness in ci.workflows (xmllint)
  libxml2-utils
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# kubectl is not in Debian bookworm's archive (it has kubernetes-client 1.20, too old
# for kustomize v5): on a plain Debian machine it comes from the Kubernetes project's
# own apt repository, which must be configured first.
if [[ " ${missing[*]} " == *" kubectl "* ]] && ! apt-cache show kubectl >/dev/null 2>&1; then
  echo "install-deps: kubectl is not available from the configured apt sources; add the Kubernetes" \
       "project's apt repository (see its install docs for Debian), then run this again" >&2
fi
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
