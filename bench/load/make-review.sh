#!/usr/bin/env bash
# Writes a ~15 KB AdmissionReview: a human's `kubectl set image` UPDATE of a
# Flux-managed Deployment, with object and oldObject (3 containers, env, probes,
# resources, volumes: the size of a real production Deployment). Deterministic.
# Usage: bench/load/make-review.sh OUT.json
set -euo pipefail
out=${1:?usage: make-review.sh OUT.json}

deployment() {  # deployment IMAGE_TAG RESOURCE_VERSION GENERATION
  local tag=$1 rv=$2 gen=$3
  printf '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"users-api","namespace":"users",'
  printf '"uid":"6f1c2a9e-3b7d-4c55-9a11-2f0e8d7c4b10","resourceVersion":"%s","generation":%s,' "$rv" "$gen"
  printf '"creationTimestamp":"2026-10-01T08:00:00Z",'
  printf '"labels":{"app.kubernetes.io/name":"users-api","app.kubernetes.io/part-of":"accounts","app.kubernetes.io/version":"4.12.%s",' "$tag"
  printf '"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system","team":"identity"},'
  printf '"annotations":{"deployment.kubernetes.io/revision":"%s","meta.example.com/owner":"identity-team@example.com"},' "$gen"
  printf '"managedFields":[{"manager":"kustomize-controller","operation":"Apply","apiVersion":"apps/v1","time":"2026-11-20T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{}},"f:spec":{"f:replicas":{},"f:template":{}}}}]},'
  printf '"spec":{"replicas":6,"revisionHistoryLimit":10,"progressDeadlineSeconds":600,'
  printf '"selector":{"matchLabels":{"app.kubernetes.io/name":"users-api"}},'
  printf '"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%%","maxUnavailable":0}},'
  printf '"template":{"metadata":{"labels":{"app.kubernetes.io/name":"users-api","team":"identity"},'
  printf '"annotations":{"prometheus.io/scrape":"true","prometheus.io/port":"9090"}},"spec":{'
  printf '"serviceAccountName":"users-api","terminationGracePeriodSeconds":45,'
  printf '"securityContext":{"runAsNonRoot":true,"runAsUser":10001,"fsGroup":10001,"seccompProfile":{"type":"RuntimeDefault"}},'
  printf '"containers":['
  local c
  for c in 0 1 2; do
    ((c > 0)) && printf ','
    local name image
    case $c in
      0) name=api image="registry.example.com/identity/users-api:4.12.$tag" ;;
      1) name=envoy image="registry.example.com/mesh/envoy:1.31.2@sha256:3b1f6d5e8c0a2947f1e6b5d4c3a2918f7e6d5c4b3a29180f7e6d5c4b3a291807" ;;
      2) name=log-shipper image="registry.example.com/obs/vector:0.41.1" ;;
    esac
    printf '{"name":"%s","image":"%s","imagePullPolicy":"IfNotPresent",' "$name" "$image"
    printf '"ports":[{"name":"http-%s","containerPort":%d,"protocol":"TCP"}],' "$c" $((8080 + c))
    printf '"env":['
    local e
    for e in $(seq 0 14); do
      ((e > 0)) && printf ','
      printf '{"name":"USERS_API_SETTING_%02d","value":"value-%s-%02d-lorem-ipsum-dolor"}' "$e" "$name" "$e"
    done
    printf '],"envFrom":[{"configMapRef":{"name":"users-api-%s"}}],' "$name"
    printf '"resources":{"requests":{"cpu":"250m","memory":"256Mi"},"limits":{"cpu":"1","memory":"512Mi"}},'
    printf '"readinessProbe":{"httpGet":{"path":"/ready","port":%d},"periodSeconds":5,"failureThreshold":3},' $((8080 + c))
    printf '"livenessProbe":{"httpGet":{"path":"/live","port":%d},"periodSeconds":10,"failureThreshold":6},' $((8080 + c))
    printf '"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}},'
    printf '"volumeMounts":[{"name":"tmp","mountPath":"/tmp"},{"name":"config","mountPath":"/etc/users-api","readOnly":true}]}'
  done
  printf '],"volumes":[{"name":"tmp","emptyDir":{}},{"name":"config","configMap":{"name":"users-api-config"}}]}}},'
  printf '"status":{"observedGeneration":%s,"replicas":6,"readyReplicas":6,"availableReplicas":6,"updatedReplicas":6}}' "$gen"
}

{
  printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{'
  printf '"uid":"bench-0001-deployment-set-image",'
  printf '"kind":{"group":"apps","version":"v1","kind":"Deployment"},'
  printf '"resource":{"group":"apps","version":"v1","resource":"deployments"},'
  printf '"requestKind":{"group":"apps","version":"v1","kind":"Deployment"},'
  printf '"requestResource":{"group":"apps","version":"v1","resource":"deployments"},'
  printf '"name":"users-api","namespace":"users","operation":"UPDATE",'
  printf '"userInfo":{"username":"alice@example.com","groups":["developers","system:authenticated"]},'
  printf '"object":'
  deployment 7 88421 15
  printf ',"oldObject":'
  deployment 6 88410 14
  printf ',"dryRun":false,"options":{"kind":"UpdateOptions","apiVersion":"meta.k8s.io/v1","fieldManager":"kubectl-set"}}}\n'
} >"$out"
echo "make-review: wrote $out ($(stat -c %s "$out") bytes)" >&2
