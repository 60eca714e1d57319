#!/usr/bin/env bash
# /mutate returns a JSON Patch only when a mutate rule applies, never denies,
# and /validate never carries a patch.
source "$(dirname "$0")/lib.sh"
F=$E2E_FIXTURES
start_server

out=$(post_json "/mutate?timeout=10s" "$F/configmap-stamp-create.json")
assert_eq "mutate answers 200" 200 "$(status_of "$out")"
body=$(body_of "$out")
assert_contains "mutate with a rule: patchType" "$body" '"patchType":"JSONPatch"'
patch=$(sed -E 's/.*"patch":"([^"]*)".*/\1/' <<<"$body" | base64 -d)
assert_eq "the patch is the RFC 6902 stamp" \
  '[{"op":"add","path":"/metadata/labels/e2e.driftgate.dev~1stamped-by","value":"driftgate"}]' "$patch"

out=$(post_json /mutate "$F/configmap-plain-create.json")
assert_contains "mutate without a rule: allowed" "$(body_of "$out")" '"allowed":true'
assert_not_contains "mutate without a rule: no patch" "$(body_of "$out")" '"patch"'
assert_not_contains "mutate without a rule: no patchType" "$(body_of "$out")" '"patchType"'

out=$(post_json /validate "$F/configmap-stamp-create.json")
assert_contains "validate on a mutable object: allowed" "$(body_of "$out")" '"allowed":true'
assert_not_contains "validate never returns a patch" "$(body_of "$out")" '"patch"'

out=$(post_json /mutate "$F/configmap-kubectl-edit.json")
assert_contains "mutate never denies (decisions are /validate's)" "$(body_of "$out")" '"allowed":true'

assert_eq "patched counter" 1 "$(metric 'driftgate_admission_reviews_total{handler="mutate",outcome="patched"}')"
stop_server
