#include "manifests/manifests.h"

#include <gtest/gtest.h>

#include <string>

namespace driftgate::manifests {
namespace {

Set read(const std::string& text, const std::string& file = "rendered.yaml") {
  Set set;
  read_text(file, text, set);
  return set;
}

// helm template's shape: a leading ---, a Source comment per document, an empty
// document from a template that rendered nothing.
TEST(Manifests, HelmTemplateStreamKeepsDocumentLineAndSource) {
  auto set = read(R"(---
# Source: kyverno/templates/sa.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: kyverno
---
# Source: kyverno/templates/empty.yaml
---
# Source: kyverno/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: kyverno, namespace: kyverno}
)");
  ASSERT_TRUE(set.problems.empty()) << set.problems.front().str();
  ASSERT_EQ(set.objects.size(), 2u);
  EXPECT_EQ(set.objects[0].document, 1u);
  EXPECT_EQ(set.objects[0].line, 3);
  EXPECT_EQ(set.objects[0].source, "kyverno/templates/sa.yaml");
  EXPECT_EQ(set.objects[1].document, 3u);
  EXPECT_EQ(set.objects[1].line, 11);
  EXPECT_EQ(set.objects[1].source, "kyverno/templates/deploy.yaml");
  EXPECT_EQ(set.objects[1].object.string_at("kind"), "Deployment");
}

TEST(Manifests, WhatIsNotAnObjectIsAProblemWithFileAndLine) {
  auto set = read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- just\n- a list\n---\n"
                  "apiVersion: v1\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Secret\n");
  EXPECT_EQ(set.objects.size(), 1u);
  ASSERT_EQ(set.problems.size(), 3u);
  EXPECT_EQ(set.problems[0].str(), "rendered.yaml:5: document 2: not a Kubernetes object (a mapping with apiVersion, kind and metadata)");
  EXPECT_EQ(set.problems[1].str(), "rendered.yaml:8: document 3: not a Kubernetes object: missing kind");
  EXPECT_EQ(set.problems[2].str(), "rendered.yaml:11: document 4: not a Kubernetes object: missing metadata");
}

// A document that does not parse is an error at its line; the others are judged.
TEST(Manifests, MalformedYamlNamesItsDocumentAndLineAndTheOthersAreRead) {
  auto set = read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\n"
                  "metadata: {name: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  ASSERT_EQ(set.objects.size(), 2u);
  EXPECT_EQ(set.objects[1].object.find("metadata")->string_at("name"), "c");
  EXPECT_EQ(set.objects[1].line, 9);
  ASSERT_EQ(set.problems.size(), 1u);
  EXPECT_EQ(set.problems[0].file, "rendered.yaml");
  EXPECT_EQ(set.problems[0].str().rfind("rendered.yaml:", 0), 0u) << set.problems[0].str();
  EXPECT_NE(set.problems[0].message.find("document 2: malformed YAML at line"), std::string::npos) << set.problems[0].str();
  // A JSON file that does not parse is one error.
  auto json = read("{\"apiVersion\": ", "x.json");
  EXPECT_TRUE(json.objects.empty());
  ASSERT_EQ(json.problems.size(), 1u);
}

TEST(Manifests, AJsonListGivesEachItemItsOwnLine) {
  auto set = read(R"({
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "annotations": {"x": "[{,\"items\""}}},
    {
      "apiVersion": "v1",
      "kind": "ConfigMap",
      "metadata": {"name": "b"}
    }
  ]
})", "list.json");
  ASSERT_TRUE(set.problems.empty()) << set.problems.front().str();
  ASSERT_EQ(set.objects.size(), 2u);
  EXPECT_EQ(set.objects[0].item, 0);
  EXPECT_EQ(set.objects[0].line, 5);
  EXPECT_EQ(set.objects[1].item, 1);
  EXPECT_EQ(set.objects[1].line, 6);
  EXPECT_EQ(set.objects[1].object.find("metadata")->string_at("name"), "b");
}

TEST(Manifests, KustomizeFilesAreNotedNotJudged) {
  auto set = read("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
                  "deploy/kustomization.yaml");
  EXPECT_TRUE(set.objects.empty());
  EXPECT_TRUE(set.problems.empty());
  ASSERT_EQ(set.notes.size(), 1u);
  EXPECT_NE(set.notes[0].message.find("a kustomize file"), std::string::npos);
}

// Documents are split at their markers and parsed one by one: a marker inside a
// block scalar is indented, "--- {inline}" starts on the marker's line, "..."
// ends a document, and the numbers are those of YAML::LoadAll.
TEST(Manifests, DocumentMarkersSplitTheStreamExactly) {
  auto set = read(R"(# a comment before the first marker is no document
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data:
  script: |
    echo one
    ---
    echo two
--- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
---
...
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
)");
  ASSERT_TRUE(set.problems.empty()) << set.problems.front().str();
  ASSERT_EQ(set.objects.size(), 3u);
  EXPECT_EQ(set.objects[0].object.find("data")->string_at("script"), "echo one\n---\necho two\n");
  EXPECT_EQ(set.objects[0].line, 3);
  EXPECT_EQ(set.objects[1].document, 2u);
  EXPECT_EQ(set.objects[1].line, 11);
  EXPECT_EQ(set.objects[2].document, 4u);  // document 3 is the empty one
  EXPECT_EQ(set.objects[2].line, 14);
  EXPECT_EQ(set.objects[2].object.find("metadata")->string_at("name"), "c");
}

}  // namespace
}  // namespace driftgate::manifests
