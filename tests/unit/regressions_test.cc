// Regression tests for what the fuzzers (tests/fuzz/) found. Each reproducer is
// also in tests/fuzz/corpus/<target>/regression-*.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <fstream>
#include <sstream>
#include <string>

#include "admission/handle.h"
#include "json/parse.h"
#include "json/yaml.h"
#include "path/path.h"
#include "policy/loader.h"
#include "util/time.h"

namespace driftgate {
namespace {

std::string read_corpus(const std::string& target, const std::string& name) {
  std::ifstream in(std::string(DRIFTGATE_SOURCE_DIR) + "/tests/fuzz/corpus/" + target + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// loader_fuzz: a Policy without spec threw YAML::InvalidNode out of the loader
// (std::terminate): the strict reader assigned the missing node instead of
// copying it. Now it is the error it always was meant to be.
TEST(FuzzRegressions, APolicyWithoutSpecIsAnErrorNotACrash) {
  const std::string text = read_corpus("loader_fuzz", "regression-policy-without-spec.yaml");
  ASSERT_NE(text.find("kind: Policy"), std::string::npos);
  auto loaded = policy::load_sources({{"policies/p.yaml", text}});
  EXPECT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error_text().find("missing spec"), std::string::npos) << loaded.error_text();
}

// review_fuzz: a break-glass-until in year 1013 overflowed the nanosecond
// TimePoint (signed overflow, UBSan). Times outside 1677..2262 are now unparseable.
TEST(FuzzRegressions, Rfc3339OutsideTheNanosecondRangeIsRefused) {
  EXPECT_FALSE(parse_rfc3339("1013-11-22T18:00:00Z").has_value());
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59Z").has_value());
  EXPECT_FALSE(parse_rfc3339("1600-01-01T00:00:00+01:00").has_value());
  EXPECT_TRUE(parse_rfc3339("2262-01-01T00:00:00Z").has_value());
  EXPECT_TRUE(parse_rfc3339("1700-01-01T00:00:00Z").has_value());
  EXPECT_TRUE(parse_rfc3339("2026-11-22T18:00:00.123456789Z").has_value());
}

TEST(FuzzRegressions, BreakGlassInYear1013IsAnUnparseableTimeNotUndefinedBehaviour) {
  std::string review = read_corpus("review_fuzz", "regression-break-glass-year-1013.json");
  ASSERT_FALSE(review.empty());
  auto set = policy::load_sources({{"p.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: guard}
spec:
  match: {operations: [CREATE, UPDATE, DELETE]}
  breakGlass: {groups: [oncall], maxWindow: 4h}
  rules:
    - name: frozen
      frozen: {}
)"}});
  ASSERT_TRUE(set.ok()) << set.error_text();
  auto now = *parse_rfc3339("2026-11-22T16:00:00Z");
  admission::Outcome outcome = admission::handle(review, engine::Endpoint::Validate, *set.set, now);
  EXPECT_EQ(outcome.http_status, 200) << outcome.body;
}

// path_fuzz: `*.**.**.…` (40 `**`) timed out on a 25-line document: a node was
// reached once per split of its depth among the `**`s. Each (segment, node) is
// now walked once; every location is visited exactly once, as with one `**`.
TEST(FuzzRegressions, ManyDescendantSegmentsVisitEachLocationOnce) {
  auto doc = json::parse_yaml(R"(
metadata: {name: web, labels: {a: x, b: y}}
spec:
  values: "image: {tag: 1.2.3}"
  template: {spec: {containers: [{name: app, ports: [{containerPort: 80}]}, {name: side}]}}
  matrix: [[1, 2], [3, [4, 5]], []]
)");
  ASSERT_TRUE(doc.ok());
  auto visits_of = [&](std::string_view text) {
    auto p = path::Path::parse(text);
    EXPECT_TRUE(p.ok()) << text;
    std::map<std::string, int> visits;
    path::Scratch scratch;
    if (p.ok()) path::walk(*p, doc->root, scratch, [&](const path::Location& at, const json::Value&) { ++visits[at.str()]; });
    return visits;
  };
  const auto once = visits_of("*.**");
  ASSERT_GT(once.size(), 20u);
  for (const auto& [where, count] : once) EXPECT_EQ(count, 1) << where;
  EXPECT_EQ(visits_of("*.**.**.**"), once);
  std::string reproducer = read_corpus("path_fuzz", "regression-many-descendants");
  ASSERT_FALSE(reproducer.empty());
  EXPECT_EQ(visits_of(reproducer), once);
  // `**` with a key between them still finds every match once.
  auto names = visits_of("**.name.**");
  EXPECT_EQ(names, (std::map<std::string, int>{{"metadata.name", 1},
                                               {"spec.template.spec.containers[0].name", 1},
                                               {"spec.template.spec.containers[1].name", 1}}));
}

// The same split problem in path::covers (frozen's ignore patterns with `**`,
// checked at every changed node): `**.a.**.a.….b` against 36 `a` steps and no `b`
// tried each of the C(36,18) ways to place the `a`s before answering no (most of
// an hour; CTest's timeout would fail it). Now each (segment, step) is tried once.
TEST(FuzzRegressions, CoversWithManyDescendantsAnswersWithoutTryingEverySplit) {
  std::string pattern;
  for (int i = 0; i < 18; ++i) pattern += "**.a.";
  auto many = path::Path::parse(pattern + "b", {.max_segments = 64, .max_length = 1024});
  ASSERT_TRUE(many.ok()) << many.error();
  path::Location only_a, ends_in_b;
  for (int i = 0; i < 36; ++i) {
    only_a.push_key("a");
    ends_in_b.push_key("a");
  }
  ends_in_b.push_key("b");
  EXPECT_FALSE(path::covers(*many, only_a));
  EXPECT_TRUE(path::covers(*many, ends_in_b));
  only_a.push_key("c");
  EXPECT_FALSE(path::covers(*many, only_a));
}

// json_fuzz: {"a":1,"a":null,"a":2} was not equal to itself; a repeated key now
// counts once, with its first value, as Value::find reads it.
TEST(FuzzRegressions, ObjectWithRepeatedKeysEqualsItself) {
  auto doc = json::parse(R"({"a":1,"a":null,"a":2})");
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->root == doc->root);
  auto printed = json::parse(json::to_string(doc->root));
  ASSERT_TRUE(printed.ok());
  EXPECT_TRUE(doc->root == printed->root);
  auto first_only = json::parse(R"({"a":1})");
  EXPECT_TRUE(doc->root == first_only->root);
  auto other = json::parse(R"({"a":2})");
  EXPECT_FALSE(doc->root == other->root);
}

// yaml_value_fuzz: a repeated mapping key made a `**` walk and a lookup of the
// same location see different values. Repeated keys are now an error.
TEST(FuzzRegressions, YamlRepeatedKeyIsAnError) {
  std::string text = read_corpus("yaml_value_fuzz", "regression-duplicate-key.yaml");
  ASSERT_FALSE(text.empty());
  auto doc = json::parse_yaml(text);
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().find("duplicate key \"b\""), std::string::npos) << doc.error();
  auto simple = json::parse_yaml("a: 1\nb: {c: 1, c: 2}\n");
  ASSERT_FALSE(simple.ok());
  EXPECT_NE(simple.error().find("duplicate key \"c\" at line 2"), std::string::npos) << simple.error();
}

// loader_fuzz: yaml-cpp 0.7's LoadAll loops forever (allocating) on a ',' where
// no node can start at the top level. The loader now reports it.
TEST(FuzzRegressions, PolicyFileWithATopLevelCommaIsAnErrorNotAHang) {
  for (std::string text : {std::string(","), std::string("!a,"), std::string("'x',"), std::string("- a\n,"),
                           read_corpus("loader_fuzz", "regression-loadall-comma-loop.yaml")}) {
    auto started = std::chrono::steady_clock::now();
    auto result = policy::load_sources({{"bad.yaml", text}});
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    ASSERT_FALSE(result.ok()) << text;
    ASSERT_EQ(result.errors.size(), 1u) << result.error_text();
    EXPECT_NE(result.errors[0].message.find("a ',' outside a flow collection"), std::string::npos)
        << result.error_text();
  }
  // Several documents still load.
  auto multi = policy::load_sources({{"multi.yaml", "---\n---\napiVersion: v1\nkind: ConfigMap\n...\n---\n"}});
  EXPECT_TRUE(multi.errors.empty()) << multi.error_text();
}

// json_fuzz: 18446744073709551615 (read as a double) printed as
// "18446744073709551616", which json::parse refuses as an integer too large.
TEST(FuzzRegressions, HugeWholeDoublesPrintAsDoubles) {
  auto doc = json::parse(read_corpus("json_fuzz", "regression-uint64-max.json"));
  ASSERT_TRUE(doc.ok()) << doc.error();
  std::string printed = json::to_string(doc->root);
  EXPECT_EQ(printed, "[18446744073709551616.0,9223372036854775808.0,1e+19]");
  auto again = json::parse(printed);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_TRUE(doc->root == again->root);
  EXPECT_EQ(json::to_string(json::parse("[1.0,-2,1.5]")->root), "[1,-2,1.5]");  // unchanged below 2^63
}

// yaml_value_fuzz: `.nan` was not equal to itself, so an unchanged NaN in a
// `|yaml` value counted as a change (frozen, immutable).
TEST(FuzzRegressions, NanEqualsNan) {
  auto doc = json::parse_yaml(read_corpus("yaml_value_fuzz", "regression-nan.yaml"));
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_TRUE(doc->root == doc->root);
  auto a = json::parse_yaml("x: .nan");
  auto b = json::parse_yaml("x: .NaN");
  auto c = json::parse_yaml("x: 1.5");
  EXPECT_TRUE(a->root == b->root);
  EXPECT_FALSE(a->root == c->root);
}

}  // namespace
}  // namespace driftgate
