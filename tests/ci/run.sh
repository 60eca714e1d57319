#!/usr/bin/env bash
# ci.workflows: runs the exact commands of docs/ci.md's GitHub Actions workflow and
# GitLab CI job on a real `kubectl kustomize` render of the fixture repositories.
# The commands are taken out of docs/ci.md, so the page and the test cannot differ:
# every single-line `run: kubectl|driftgate …` of the ```yaml block under
# "## GitHub Actions", and every `- kubectl|driftgate …` under `script:` of the
# block under "## GitLab CI". The installation steps are replaced by putting the
# built binary on PATH.
# Usage: tests/ci/run.sh DRIFTGATE_BINARY SOURCE_DIR
set -euo pipefail
binary=$1 source_dir=$2
command -v kubectl >/dev/null || { echo "kubectl is not installed (scripts/install-deps.sh installs it)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/driftgate-ci.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
ln -s "$(realpath "$binary")" "$work/bin/driftgate"
export PATH="$work/bin:$PATH"

fail() { echo "FAIL: $*" >&2; exit 1; }

# The yaml block that follows a heading of docs/ci.md.
block_after() {
  awk -v heading="$1" '
    $0 == heading { found = 1; next }
    found && /^```yaml$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$source_dir/docs/ci.md"
}
github=$(block_after "## GitHub Actions" | sed -nE 's/^ *run: ((kubectl|driftgate) .*)$/\1/p')
gitlab=$(block_after "## GitLab CI" | awk '/^  script:/ { s = 1; next } s && /^  [a-z_]+:/ { s = 0 } s' |
         sed -nE 's/^ *- ((kubectl|driftgate) .*)$/\1/p')
[ "$(wc -l <<<"$github")" -eq 2 ] || fail "expected 2 commands in the GitHub workflow, found: $github"
[ "$(wc -l <<<"$gitlab")" -eq 2 ] || fail "expected 2 commands in the GitLab job, found: $gitlab"

valid_junit() {
  if command -v xmllint >/dev/null; then xmllint --noout "$1"
  elif command -v python3 >/dev/null; then python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1"
  else echo "no XML parser (xmllint, python3): JUnit well-formedness not checked"; fi
}

# run_commands NAME REPO COMMANDS: runs them in a copy of the repository; the
# exit status of the last (the scan) is the result, the ones before must succeed.
run_commands() {
  local name=$1 repo=$2 commands=$3 dir="$work/$1" status=0
  cp -rL "$source_dir/tests/ci/$repo" "$dir"
  local last
  last=$(tail -n 1 <<<"$commands")
  while IFS= read -r command; do
    if [ "$command" = "$last" ]; then
      (cd "$dir" && bash -c "$command") >"$dir/out.txt" 2>&1 || status=$?
    else
      (cd "$dir" && bash -c "$command") || fail "$name: '$command' failed"
    fi
  done <<<"$commands"
  echo "$status" >"$dir/status"
  echo "--- $name: $last (exit $status)"
  cat "$dir/out.txt"
}

expect_in() {  # FILE TEXT
  grep -qF -- "$2" "$1" || fail "$1 does not contain: $2"
}

for ci in github gitlab; do
  commands=${!ci}
  run_commands "$ci-bad" repo "$commands"
  d="$work/$ci-bad"
  [ "$(cat "$d/status")" = 3 ] || fail "$ci: the conflicting HelmRelease must fail the scan with exit 3"
  line=$(grep -n '^kind: HelmRelease' "$d/rendered.yaml" | cut -d: -f1)
  deployment_line=$(grep -n '^kind: Deployment' "$d/rendered.yaml" | cut -d: -f1)
  line=$((line - 1)) deployment_line=$((deployment_line - 1))   # the document starts at apiVersion
  expect_in "$d/out.txt" "  $line: document"
  expect_in "$d/out.txt" "HelmRelease kyverno/kyverno"
  expect_in "$d/out.txt" "spec.values.admissionController.podDisruptionBudget.minAvailable"
  expect_in "$d/out.txt" "image-pinning/"
  expect_in "$d/driftgate-junit.xml" "spec.values.admissionController.podDisruptionBudget.minAvailable"
  expect_in "$d/driftgate-junit.xml" 'failures="1"'
  valid_junit "$d/driftgate-junit.xml"
  if [ "$ci" = github ]; then
    expect_in "$d/out.txt" "::error file=rendered.yaml,line=$line,title=conflicting-fields/helmrelease-values::HelmRelease kyverno/kyverno: spec.values.admissionController.podDisruptionBudget.minAvailable"
    expect_in "$d/out.txt" "::warning file=rendered.yaml,line=$deployment_line,title=image-pinning/template-containers::Deployment default/web:"
  fi

  run_commands "$ci-clean" repo-clean "$commands"
  [ "$(cat "$work/$ci-clean/status")" = 0 ] || fail "$ci: the clean repository must pass"
  grep -q "failures=\"0\"" "$work/$ci-clean/driftgate-junit.xml" || fail "$ci: clean JUnit has failures"
  valid_junit "$work/$ci-clean/driftgate-junit.xml"
done
# What `flux build kustomization` writes: the same objects with Flux's labels. A
# manifest is what Git holds, so `frozen` must not refuse it as a manual CREATE:
# the clean repository still passes with the labels on.
flux_dir="$work/flux-built"
cp -rL "$source_dir/tests/ci/repo-clean" "$flux_dir"
cat >"$flux_dir/kustomization.yaml" <<'EOF'
resources: [deploy]
labels:
  - pairs: {kustomize.toolkit.fluxcd.io/name: apps, kustomize.toolkit.fluxcd.io/namespace: flux-system}
EOF
(cd "$flux_dir" && kubectl kustomize . >flux-built.yaml) || fail "kubectl kustomize of the Flux-labelled repository failed"
expect_in "$flux_dir/flux-built.yaml" "kustomize.toolkit.fluxcd.io/name: apps"
status=0
(cd "$flux_dir" && driftgate scan --manifests flux-built.yaml --policies policies) >"$flux_dir/out.txt" 2>&1 || status=$?
[ "$status" = 0 ] || { cat "$flux_dir/out.txt"; fail "Flux-labelled manifests of the clean repository must pass (exit $status)"; }
echo "--- flux-built: the clean repository with Flux's labels passes"
echo "ci.workflows: ok"
