#!/usr/bin/env bash
# library.packs: the opt-in policy library (policies-library/, docs/library.md).
#  1. Each pack's kustomize Component lists every policy file of the pack, under the
#     key <pack>-<file> (kustomize has no globs: a file left out would be missing in
#     the cluster while `driftgate test` passes).
#  2. With kubectl: an overlay of deploy/overlays/cert-manager plus the components
#     renders, and its ConfigMap holds the default set and every library policy.
#  3. `driftgate check` accepts each pack, all packs together, and the library beside
#     the default set (unique names); `driftgate test` passes each pack's cases (run
#     per pack: a case's expected violations are those of its own pack).
# Usage: tests/library/run.sh DRIFTGATE_BINARY SOURCE_DIR
set -euo pipefail
binary=$1 source_dir=$2
library="$source_dir/policies-library"
packs=(pss-baseline pss-restricted best-practices)
work=$(mktemp -d "${TMPDIR:-/tmp}/driftgate-library.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Every policy file is listed in its pack's Component, and nothing else is.
for pack in "${packs[@]}"; do
  want=$(cd "$library/$pack" && for f in *.yaml; do [ "$f" = kustomization.yaml ] || echo "$pack-$f=$f"; done | sort)
  have=$(sed -nE 's/^ *- ([^ ]+=[^ ]+\.yaml)$/\1/p' "$library/$pack/kustomization.yaml" | sort)
  [ "$want" = "$have" ] || fail "$pack/kustomization.yaml must list, under files:
$(sed 's/^/      - /' <<<"$want")"
  [ "$(ls "$library/$pack/tests" | wc -l)" -gt 0 ] || fail "$pack has no PolicyTest files"
done
echo "ok: every pack's Component lists its policy files"

# 2. The components render into the deployed ConfigMap.
if command -v kubectl >/dev/null; then
  cp -r "$source_dir/deploy" "$source_dir/policies" "$library" "$work/"
  mkdir -p "$work/deploy/overlays/with-library"
  cat >"$work/deploy/overlays/with-library/kustomization.yaml" <<'YAML'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../cert-manager
components:
  - ../../../policies-library/pss-restricted
  - ../../../policies-library/best-practices
YAML
  kubectl kustomize "$work/deploy/overlays/with-library" >"$work/rendered.yaml" || fail "the overlay with the library components does not render"
  [ "$(grep -c '^kind: ConfigMap$' "$work/rendered.yaml")" = 1 ] || fail "expected one ConfigMap (the components merge into driftgate-policies)"
  for f in "$source_dir"/policies/*.yaml "$library"/*/*.yaml; do
    name=$(basename "$f")
    [ "$name" = kustomization.yaml ] && continue
    pack=$(basename "$(dirname "$f")")
    key=$name
    [ "$pack" = policies ] || key="$pack-$name"
    grep -qE "^  $key: \|" "$work/rendered.yaml" || fail "the rendered ConfigMap has no key $key"
  done
  echo "ok: deploy/overlays/cert-manager + the components render one ConfigMap with every policy"
  # The packs enforce on spec.ephemeralContainers: the webhook must be sent
  # `kubectl debug`'s pods/ephemeralcontainers (once, though pss-restricted includes
  # pss-baseline), as `driftgate webhook-config` registers it for them.
  [ "$(grep -cE -- "^ *- pods/ephemeralcontainers$" "$work/rendered.yaml")" = 1 ] ||
    fail "the rendered ValidatingWebhookConfiguration does not send pods/ephemeralcontainers exactly once"
  "$binary" webhook-config --policies "$library/pss-baseline" | grep -q 'pods/ephemeralcontainers' ||
    fail "driftgate webhook-config does not register pods/ephemeralcontainers for pss-baseline"
  echo "ok: the webhook is sent pods/ephemeralcontainers (kubectl debug)"
else
  echo "NOT RUN: the kustomize render (kubectl is not installed; scripts/install-deps.sh installs it)"
fi

# 3. The packs load and pass their own cases.
for pack in "${packs[@]}"; do
  "$binary" check "$library/$pack" || fail "driftgate check $pack"
  "$binary" test "$library/$pack" >"$work/$pack.out" 2>&1 || { cat "$work/$pack.out"; fail "driftgate test $pack"; }
  tail -n 1 "$work/$pack.out"
done
"$binary" check "$library" || fail "driftgate check on the whole library (duplicate names?)"
# The default set's policy files (its tests/ read fixtures by relative paths) beside
# the whole library: every name must be unique.
mkdir -p "$work/all/default"
cp "$source_dir"/policies/*.yaml "$work/all/default/"
cp -r "$library" "$work/all/library"
"$binary" check "$work/all" || fail "the library beside the default set does not load"
echo "ok: every pack loads and passes its cases"
