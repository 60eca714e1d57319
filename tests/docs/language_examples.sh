#!/usr/bin/env bash
# docs.language_examples: every ```yaml block of docs/language.md is an example that
# must load, so the reference cannot drift from the loader and the engine. Each block
# is written to its own folder as policy.yaml and
#   - `driftgate check` must accept it (exit 0), and
#   - when it holds a `kind: PolicyTest`, `driftgate test` must pass every case.
# HTML comments on the lines just above the fence change that:
#   <!-- not-a-policy -->         a fragment (a match block, an object, a PolicyTest
#                                 shown without its policy): not run
#   <!-- check-fails: TEXT -->    an example of a load error: `check` must exit 1 and
#                                 print TEXT (e.g. "policy.yaml:9:13: policy ...")
# Usage: tests/docs/language_examples.sh DRIFTGATE_BINARY SOURCE_DIR
set -euo pipefail
binary=$1 source_dir=$2
doc="$source_dir/docs/language.md"
[ -f "$doc" ] || { echo "FAIL: $doc is missing" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/driftgate-lang-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT

checked=0 tested=0 refused=0 fragments=0 failures=0
fail() { echo "FAIL: docs/language.md:$1: $2" >&2; failures=$((failures + 1)); }

# run_block LINE FILE SKIP EXPECT_FAIL
run_block() {
  local line=$1 file=$2 skip=$3 expected=$4 out status
  if [ "$skip" = 1 ]; then fragments=$((fragments + 1)); return; fi
  local dir
  dir=$(dirname "$file")
  status=0
  out=$("$binary" check "$dir" 2>&1) || status=$?
  if [ -n "$expected" ]; then
    refused=$((refused + 1))
    [ "$status" = 1 ] || { fail "$line" "check should refuse this example (exit 1), got exit $status: $out"; return; }
    grep -qF -- "$expected" <<<"$out" || fail "$line" "check's errors do not contain \"$expected\"; they are: $out"
    return
  fi
  checked=$((checked + 1))
  [ "$status" = 0 ] || { fail "$line" "check failed (exit $status): $out"; return; }
  if grep -q '^kind: PolicyTest' "$file"; then
    tested=$((tested + 1))
    status=0
    out=$("$binary" test "$dir" 2>&1) || status=$?
    [ "$status" = 0 ] || fail "$line" "test failed (exit $status): $out"
  fi
}

n=0 inside=0 skip=0 expected="" start=0 file=""
while IFS= read -r text || [ -n "$text" ]; do
  n=$((n + 1))
  if [ "$inside" = 1 ]; then
    if [ "$text" = '```' ]; then
      inside=0
      run_block "$start" "$file" "$skip" "$expected"
      skip=0 expected=""
    else
      printf '%s\n' "$text" >>"$file"
    fi
    continue
  fi
  case $text in
    '<!-- not-a-policy -->') skip=1 ;;
    '<!-- check-fails: '*' -->')
      expected=${text#'<!-- check-fails: '}
      expected=${expected%' -->'} ;;
    '```yaml')
      inside=1 start=$n
      mkdir -p "$work/$n"
      file="$work/$n/policy.yaml"
      : >"$file" ;;
    *'```yaml') fail "$n" "an indented \`\`\`yaml block is not run: start it at the margin" ;;
    *) skip=0 expected="" ;;  # markers apply to the fence right below them only
  esac
done <"$doc"
[ "$inside" = 0 ] || fail "$start" "unterminated \`\`\`yaml block"

echo "docs/language.md: $checked examples checked ($tested with PolicyTest cases run), $refused load errors as documented, $fragments fragments not run"
[ $((checked + refused)) -gt 0 ] || { echo "FAIL: no example was run" >&2; exit 1; }
[ "$failures" = 0 ] || { echo "$failures examples failed" >&2; exit 1; }
