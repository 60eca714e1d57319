#include "admission/object_review.h"

#include <gtest/gtest.h>

#include <string>

#include "admission/review.h"
#include "json/parse.h"
#include "json/yaml.h"

namespace driftgate::admission {
namespace {

json::Document yaml(const std::string& text) {
  auto doc = json::parse_yaml(text);
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error());
  return std::move(*doc);
}

struct Judged {
  json::Document review;
  const json::Value& request() const { return *review.root.find("request"); }
};

Judged create_of(const std::string& object_yaml, const RequestDefaults& who = {.uid = "u", .username = "ci"}) {
  auto object = yaml(object_yaml);
  json::Arena arena;
  auto review = json::parse(review_for_object(object.root, {.default_namespace = "team-a"}, who, arena));
  EXPECT_TRUE(review.ok());
  return {std::move(*review)};
}

TEST(ReviewForObject, ANamespacedObjectWithoutNamespaceGetsTheDefaultInRequestAndObject) {
  auto r = create_of("{apiVersion: apps/v1, kind: Deployment, metadata: {name: web}}");
  EXPECT_EQ(r.request().string_at("namespace"), "team-a");
  EXPECT_EQ(r.request().find("object")->find("metadata")->string_at("namespace"), "team-a");
  EXPECT_EQ(r.request().string_at("operation"), "CREATE");
  EXPECT_EQ(r.request().find("resource")->string_at("resource"), "deployments");
  EXPECT_EQ(r.request().find("resource")->string_at("group"), "apps");
  // Its own namespace wins.
  auto own = create_of("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: apps}}");
  EXPECT_EQ(own.request().string_at("namespace"), "apps");
}

TEST(ReviewForObject, AClusterScopedObjectHasNoNamespaceEvenIfTheManifestWritesOne) {
  auto r = create_of("{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, metadata: {name: view, namespace: x}}");
  EXPECT_EQ(r.request().find("namespace"), nullptr);
  EXPECT_EQ(r.request().find("object")->find("metadata")->find("namespace"), nullptr);
  // A Namespace carries its own name, as the API server sends it.
  auto ns = create_of("{apiVersion: v1, kind: Namespace, metadata: {name: kyverno}}");
  EXPECT_EQ(ns.request().string_at("namespace"), "kyverno");
}

TEST(ReviewForObject, ACustomResourceOutsideTheTableCountsAsNamespaced) {
  auto r = create_of("{apiVersion: example.com/v1, kind: Widget, metadata: {name: w}}");
  EXPECT_EQ(r.request().string_at("namespace"), "team-a");
  EXPECT_EQ(r.request().find("resource")->string_at("resource"), "widgets");
}

TEST(ReviewForObject, TheIdentityIsTheGivenUserAndGroupsAndTheReviewDecodes) {
  auto r = create_of("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}",
                     {.uid = "scan-1", .username = "driftgate:ci", .groups = {"driftgate:ci", "x"}});
  const json::Value& user = *r.request().find("userInfo");
  EXPECT_EQ(user.string_at("username"), "driftgate:ci");
  ASSERT_EQ(user.find("groups")->size(), 2u);
  EXPECT_EQ(user.find("groups")->items()[1].as_string(), "x");
  EXPECT_EQ(r.request().string_at("uid"), "scan-1");
  auto decoded = decode(r.review.root);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_EQ(decoded->request.namespace_, "team-a");
  EXPECT_EQ(decoded->request.name, "c");
}

TEST(ReviewForObject, AnUpdateCarriesTheOldObject) {
  auto object = yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: n}, data: {a: '2'}}");
  auto live = yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: n}, data: {a: '1'}}");
  json::Arena arena;
  auto review = json::parse(review_for_object(object.root, {.operation = "UPDATE", .old_object = &live.root}, {}, arena));
  ASSERT_TRUE(review.ok());
  const json::Value& request = *review->root.find("request");
  EXPECT_EQ(request.string_at("operation"), "UPDATE");
  EXPECT_EQ(request.find("oldObject")->find("data")->string_at("a"), "1");
}

}  // namespace
}  // namespace driftgate::admission
