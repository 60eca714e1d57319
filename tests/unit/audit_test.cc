#include "audit/audit.h"

#include <gtest/gtest.h>

#include "admission/handle.h"
#include "json/parse.h"
#include "test_support.h"

namespace driftgate {
namespace {

using testing::at;
using testing::policies;

// A Secret managed by Flux, edited by hand: the denial must name the changed key,
// and no log line may carry the Secret's values.
const std::string kSecretEdit = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
  "uid":"secret-1","kind":{"group":"","version":"v1","kind":"Secret"},"resource":{"group":"","version":"v1","resource":"secrets"},
  "name":"db","namespace":"apps","operation":"UPDATE","userInfo":{"username":"alice","groups":["devs"]},"dryRun":true,
  "options":{"fieldManager":"kubectl-edit"},
  "object":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"apps","labels":{"kustomize.toolkit.fluxcd.io/name":"apps"}},
            "data":{"password":"aHVudGVyMi1uZXc="},"stringData":{"token":"s3cr3t-new-token"}},
  "oldObject":{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"apps","labels":{"kustomize.toolkit.fluxcd.io/name":"apps"}},
            "data":{"password":"aHVudGVyMg=="}}}})";

const std::string kGuard = R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: gitops-ownership}
spec:
  match:
    objectSelector:
      anyOf: [{labels: {kustomize.toolkit.fluxcd.io/name: "*"}}]
  rules:
    - {name: no-manual-edits, frozen: {}}
)";

TEST(AuditTest, DecisionLineHasTheContractFieldsAndNoObjectContents) {
  auto set = policies(kGuard);
  auto out = admission::handle(kSecretEdit, engine::Endpoint::Validate, *set, at("2026-11-22T12:00:00Z"));
  ASSERT_EQ(out.http_status, 200) << out.error;
  EXPECT_EQ(out.audit_line.find('\n'), std::string::npos);  // one line
  for (const char* secret : {"aHVudGVyMi1uZXc=", "aHVudGVyMg==", "s3cr3t-new-token", "hunter2"})
    EXPECT_EQ(out.audit_line.find(secret), std::string::npos) << secret << " leaked into " << out.audit_line;
  auto doc = json::parse(out.audit_line);
  ASSERT_TRUE(doc.ok()) << out.audit_line;
  const json::Value& line = doc->root;
  EXPECT_EQ(line.string_at("type"), "decision");
  EXPECT_EQ(line.string_at("time"), "2026-11-22T12:00:00Z");
  EXPECT_EQ(line.string_at("uid"), "secret-1");
  EXPECT_EQ(line.string_at("user"), "alice");
  EXPECT_EQ(line.find("groups")->size(), 1u);
  EXPECT_EQ(line.string_at("operation"), "UPDATE");
  EXPECT_EQ(line.string_at("kind"), "Secret");
  EXPECT_EQ(line.string_at("version"), "v1");
  EXPECT_EQ(line.string_at("namespace"), "apps");
  EXPECT_EQ(line.string_at("name"), "db");
  EXPECT_EQ(line.string_at("decision"), "denied");
  EXPECT_EQ(line.string_at("fieldManager"), "kubectl-edit");
  EXPECT_TRUE(line.find("dryRun")->as_bool());
  EXPECT_TRUE(line.find("latencyMicros")->is_integer());
  const json::Value& violation = line.find("violations")->items()[0];
  EXPECT_EQ(violation.string_at("policy"), "gitops-ownership");
  EXPECT_EQ(violation.string_at("rule"), "no-manual-edits");
  EXPECT_EQ(violation.string_at("mode"), "Enforce");
  ASSERT_EQ(violation.find("paths")->size(), 2u);
  EXPECT_EQ(violation.find("paths")->items()[0].as_string(), "data.password");
  EXPECT_EQ(violation.find("paths")->items()[1].as_string(), "stringData.token");
  // The response goes to the writer, not to a log, and still carries no values.
  EXPECT_EQ(out.body.find("s3cr3t"), std::string::npos);
}

TEST(AuditTest, EventLinesAreDistinguishableFromDecisions) {
  auto line = audit::event_line(
      at("2026-11-22T12:00:00Z"), "error", "policy_reload_failed", "bad \"policy\"",
      audit::EventFields().add("generation", 3u).add("directory", "/p\"x").add("errors", std::vector<std::string>{"a", "b\n"}));
  // The schema log readers rely on, byte for byte: common fields first, then the
  // event's own in the order given, every string escaped by the writer.
  EXPECT_EQ(line,
            R"({"type":"event","time":"2026-11-22T12:00:00Z","level":"error","event":"policy_reload_failed",)"
            R"("message":"bad \"policy\"","generation":3,"directory":"/p\"x","errors":["a","b\n"]})");
  auto doc = json::parse(line);
  ASSERT_TRUE(doc.ok()) << line;
  EXPECT_EQ(doc->root.string_at("type"), "event");
  EXPECT_EQ(doc->root.string_at("level"), "error");
  EXPECT_EQ(doc->root.string_at("event"), "policy_reload_failed");
  EXPECT_EQ(doc->root.string_at("message"), "bad \"policy\"");
  EXPECT_EQ(doc->root.find("generation")->as_integer(), 3);
}

}  // namespace
}  // namespace driftgate
