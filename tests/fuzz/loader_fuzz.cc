// Bytes as one policy file -> policy::load_sources: errors or a PolicySet, never a
// crash or a hang. A set that loads is also evaluated against a few requests, so
// odd-but-valid policies reach the engine.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "admission/handle.h"
#include "fuzz_support.h"

namespace {
constexpr const char* kReviews[] = {
    R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"","version":"v1","kind":"ConfigMap"},"resource":{"group":"","version":"v1","resource":"configmaps"},"name":"app-config","namespace":"apps","operation":"UPDATE","userInfo":{"username":"alice@example.com","groups":["devs","oncall"]},"object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app-config","namespace":"apps","labels":{"kustomize.toolkit.fluxcd.io/name":"apps","kustomize.toolkit.fluxcd.io/namespace":"flux-system","app.kubernetes.io/version":"1.2.0"},"annotations":{"driftgate.dev/break-glass-until":"2026-11-22T17:00:00Z","driftgate.dev/break-glass-reason":"INC-1"}},"data":{"LOG_LEVEL":"debug","values":"a: {password: x, existingSecret: y}\nlist: [1, 2]"}},"oldObject":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app-config","namespace":"apps","labels":{"kustomize.toolkit.fluxcd.io/name":"apps","app.kubernetes.io/version":"1.3.0"}},"data":{"LOG_LEVEL":"info","values":"a: {b: 1}"}},"dryRun":false}})",
    R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u2","kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},"name":"web","namespace":"apps","operation":"CREATE","userInfo":{"username":"bob","groups":["system:authenticated"]},"object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"apps","labels":{"team":"a"}},"spec":{"replicas":2,"hostNetwork":true,"template":{"spec":{"containers":[{"name":"a","image":"nginx:latest"},{"name":"b","image":"BAD IMAGE"}]}}}}}})",
    R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u3","kind":{"group":"","version":"v1","kind":"Secret"},"resource":{"group":"","version":"v1","resource":"secrets"},"name":"s","namespace":"kube-system","operation":"DELETE","userInfo":{"username":"system:serviceaccount:flux-system:kustomize-controller"},"oldObject":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","namespace":"kube-system"},"data":{"k":"dg=="}}}})",
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace driftgate;
  std::vector<policy::SourceFile> files{{"fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size)}};
  policy::LoadResult result = policy::load_sources(files);
  if (!result.ok()) {
    FUZZ_CHECK(!result.errors.empty(), "a failed load reports no error");
    for (const policy::Diagnostic& d : result.errors) (void)d.str();
    (void)result.error_text();
    return 0;
  }
  for (const char* review : kReviews) {
    for (auto endpoint : {engine::Endpoint::Validate, engine::Endpoint::Mutate}) {
      admission::Outcome outcome = admission::handle(review, endpoint, *result.set, fuzz::fixed_now());
      FUZZ_CHECK(outcome.http_status == 200, outcome.body);
    }
  }
  return 0;
}
