#!/usr/bin/env bash
# Writes a manifest stream of N objects (default 5000) to stdout, as `kubectl
# kustomize` writes one: a third each ConfigMaps, Deployments (a floating image
# every tenth: an image-pinning warning) and Flux HelmReleases (both PDB fields
# every hundredth: a conflicting-fields denial). For docs/ci.md's speed figure:
#   bench/scan/manifests.sh 5000 > /tmp/m.yaml
#   /usr/bin/time -f '%U user %S sys %e s %M KiB' build/webhook/cli/driftgate scan --manifests /tmp/m.yaml --policies policies >/dev/null
set -euo pipefail
n=${1:-5000}
digest=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
awk -v n="$n" -v digest="$digest" 'BEGIN {
  for (i = 0; i < n; i++) {
    if (i > 0) print "---"
    ns = "team-" (i % 20)
    if (i % 3 == 0) {
      printf "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-%d\n  namespace: %s\n  labels:\n    app.kubernetes.io/name: app-%d\ndata:\n  LOG_LEVEL: info\n  POOL_SIZE: \"20\"\n  config.yaml: |\n    server:\n      port: 8080\n      timeout: 30s\n", i, ns, i
    } else if (i % 3 == 1) {
      image = (i % 10 == 1) ? "nginx:1.27" : "nginx:1.27@sha256:" digest
      printf "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-%d\n  namespace: %s\n  labels:\n    app.kubernetes.io/version: 1.9.%d\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web-%d\n  template:\n    metadata:\n      labels:\n        app: web-%d\n    spec:\n      containers:\n      - name: web\n        image: %s\n        ports:\n        - containerPort: 8080\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n", i, ns, i, i, i, image
    } else {
      extra = (i % 100 == 2) ? "        maxUnavailable: 1\n" : ""
      printf "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: release-%d\n  namespace: %s\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: kyverno\n      version: 3.3.x\n      sourceRef:\n        kind: HelmRepository\n        name: kyverno\n        namespace: flux-system\n  values:\n    admissionController:\n      replicas: 3\n      podDisruptionBudget:\n        enabled: true\n        minAvailable: 1\n%s", i, ns, extra
    }
  }
}'
