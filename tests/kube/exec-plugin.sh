#!/bin/sh
# A credential plugin for tests/kube/client_test.cc, configured through the
# kubeconfig's exec env: counts its runs in $DG_EXEC_COUNT, keeps what kubectl
# would pass in KUBERNETES_EXEC_INFO in $DG_EXEC_INFO, and prints an
# ExecCredential with $DG_EXEC_TOKEN and $DG_EXEC_EXPIRY; fails like a real
# plugin when $DG_EXEC_FAIL is set.
echo run >> "$DG_EXEC_COUNT"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$DG_EXEC_INFO"
if [ -n "$DG_EXEC_FAIL" ]; then
  echo "error: the SSO session has expired; run 'aws sso login' first" >&2
  echo "second line that nobody needs" >&2
  exit 255
fi
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' \
  "$DG_EXEC_API" "$DG_EXEC_TOKEN" "$DG_EXEC_EXPIRY"
