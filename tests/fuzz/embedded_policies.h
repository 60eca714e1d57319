#pragma once
// The policy set review_fuzz and http_fuzz evaluate against when policies/ holds
// no policy files yet: the contract example of shared/design/policy-language.md
// plus one rule of every type, so every rule's code is reachable from a review.
namespace driftgate::fuzz {

inline constexpr const char* kEmbeddedPolicies = R"yaml(
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata:
  name: gitops-ownership
spec:
  description: Objects that Flux or Argo CD apply from Git are changed in Git only.
  mode: Enforce
  match:
    operations: [CREATE, UPDATE, DELETE]
    kinds: ["*"]
    namespaces: ["*"]
    excludeNamespaces: [kube-system, driftgate-system]
    objectSelector:
      anyOf:
        - labels: {kustomize.toolkit.fluxcd.io/name: "*"}
        - labels: {helm.toolkit.fluxcd.io/name: "*"}
        - annotations: {argocd.argoproj.io/tracking-id: "*"}
        - labels: {argocd.argoproj.io/instance: "*"}
      noneOf:
        - annotations: {kustomize.toolkit.fluxcd.io/reconcile: disabled}
    excludeSubjects:
      users: ["system:serviceaccount:flux-system:*", "system:serviceaccount:argocd:argocd-application-controller",
              "system:kube-controller-manager", "system:serviceaccount:kube-system:*"]
      groups: ["system:nodes"]
  breakGlass:
    groups: [oncall]
    maxWindow: 4h
  rules:
    - name: no-manual-edits
      frozen:
        ignore:
          - metadata.annotations["kubectl.kubernetes.io/restartedAt"]
          - spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]
      message: "{{kind}} {{namespace}}/{{name}} is managed by {{owner}}; change {{paths}} in Git instead"
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata:
  name: every-rule-type
spec:
  mode: Enforce
  match:
    operations: [CREATE, UPDATE, DELETE]
  breakGlass:
    users: [oncall@example.com]
    groups: [oncall]
    maxWindow: 1h
  rules:
    - name: exclusive-values
      exclusive:
        at: spec.values.**
        fields: [existingSecret, password]
      message: "{{policy}} {{paths}} at {{kind}} {{namespace}}/{{name}} by {{user}} ({{operation}}, {{now}})"
    - name: exclusive-root
      exclusive:
        fields: [data, binaryData, 'metadata.labels["x/y"]']
    - name: require-team
      require: [metadata.labels.team, "spec.template.spec.containers[*].resources"]
    - name: forbid-host
      forbid: [spec.hostNetwork, "spec.template.spec.containers[*].securityContext.privileged", "data.config|yaml.debug"]
    - name: image-pattern
      pattern: {path: "spec.template.spec.containers[*].image", regex: "^[a-z0-9./-]+(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$"}
    - name: no-latest
      pattern: {path: "**", regex: ":latest$", negate: true}
    - name: immutable-selector
      immutable: [spec.selector, "data.settings|yaml.cluster.name"]
    - name: monotonic-version
      monotonic: {path: 'metadata.labels["app.kubernetes.io/version"]', order: semver}
    - name: monotonic-generation
      monotonic: {path: spec.revision, order: integer}
    - name: monotonic-time
      monotonic: {path: 'metadata.annotations["deploy.example.com/at"]', order: time}
    - name: stamp
      mutate:
        patch:
          - {op: add, path: /metadata/labels/driftgate.dev~1checked, value: "{{user}}"}
          - {op: replace, path: /metadata/annotations/x, value: {nested: ["{{kind}}", 1, true]}}
          - {op: remove, path: /metadata/annotations/y}
    - name: stamp-break-glass
      mutate:
        when: breakGlass
        patch:
          - {op: add, path: /metadata/annotations/driftgate.dev~1last-break-glass-by, value: "{{user}}"}
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata:
  name: warn-and-audit
spec:
  mode: Warn
  match:
    kinds: [ConfigMap, apps/Deployment, "*/v1/Secret"]
    namespaces: ["app*"]
  rules:
    - name: values-yaml
      forbid: ["data.values|yaml.**.password"]
---
apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata:
  name: audit-only
spec:
  mode: Audit
  rules:
    - name: everything-frozen
      frozen: {}
)yaml";

}  // namespace driftgate::fuzz
