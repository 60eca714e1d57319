#include "path/path.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "json/parse.h"

namespace driftgate::path {
namespace {

using Kind = Segment::Kind;

Path must_parse(std::string_view text) {
  auto p = Path::parse(text);
  EXPECT_TRUE(p.ok()) << text << ": " << (p.ok() ? "" : p.error());
  return p.ok() ? *p : Path{};
}

std::string parse_error(std::string_view text, const ParseLimits& limits = {}) {
  auto p = Path::parse(text, limits);
  EXPECT_FALSE(p.ok()) << "expected an error for: " << text;
  return p.ok() ? "" : p.error();
}

json::Document doc(std::string_view text) {
  auto d = json::parse(text);
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error());
  return d.ok() ? std::move(*d) : json::Document{};
}

// Every location the path reaches, printed, with the value printed as JSON.
std::vector<std::pair<std::string, std::string>> reach(std::string_view path_text, const json::Value& root,
                                                       const Location& base = {}) {
  Path p = must_parse(path_text);
  Scratch scratch;
  std::vector<std::pair<std::string, std::string>> out;
  walk(p, root, scratch, [&](const Location& at, const json::Value& v) { out.emplace_back(at.str(), json::to_string(v)); },
       base);
  return out;
}

std::vector<std::string> locations(std::string_view path_text, const json::Value& root) {
  std::vector<std::string> out;
  for (auto& [at, value] : reach(path_text, root)) out.push_back(at);
  return out;
}

using Reached = std::vector<std::pair<std::string, std::string>>;
using Strings = std::vector<std::string>;

// ---- parse ---------------------------------------------------------------------

TEST(PathParse, DottedKeys) {
  Path p = must_parse("spec.replicas");
  ASSERT_EQ(p.segments().size(), 2u);
  EXPECT_EQ(p.segments()[0], (Segment{Kind::Key, "spec", 0}));
  EXPECT_EQ(p.segments()[1], (Segment{Kind::Key, "replicas", 0}));
  EXPECT_FALSE(p.has_wildcard());
  EXPECT_FALSE(p.is_root());
  EXPECT_TRUE(must_parse("under_score-and-dash.x9").segments().size() == 2);
}

TEST(PathParse, QuotedKeysHoldDotsSlashesAndEscapes) {
  Path p = must_parse(R"(metadata.labels["app.kubernetes.io/name"])");
  ASSERT_EQ(p.segments().size(), 3u);
  EXPECT_EQ(p.segments()[2], (Segment{Kind::Key, "app.kubernetes.io/name", 0}));

  Path escaped = must_parse(R"(a["say \"hi\" \\ bye"])");
  EXPECT_EQ(escaped.segments()[1].key, R"(say "hi" \ bye)");

  Path leading = must_parse(R"(["kubectl.kubernetes.io/restartedAt"].x)");
  EXPECT_EQ(leading.segments()[0].key, "kubectl.kubernetes.io/restartedAt");
  EXPECT_EQ(leading.segments()[1].key, "x");

  EXPECT_EQ(must_parse(R"(a[""])").segments()[1], (Segment{Kind::Key, "", 0}));
  // A `*` in a quoted key is a glob (language 1.1); `\*` is a literal star.
  EXPECT_EQ(must_parse(R"(a["[\*]"])").segments()[1].key, "[*]");
  EXPECT_EQ(must_parse(R"(a["[*]"])").segments()[1].kind, Kind::KeyGlob);
}

TEST(PathParse, KeyGlobsMatchKeysAndPrintAsWritten) {
  const json::Document d = doc(R"({"metadata": {"annotations": {
    "container.apparmor.security.beta.kubernetes.io/web": "runtime/default",
    "container.apparmor.security.beta.kubernetes.io/proxy": "unconfined",
    "other.io/x": "y", "a*b": "literal", "axb": "not-literal"}}})");
  const json::Value& object = d.root;
  Path p = must_parse(R"(metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"])");
  EXPECT_TRUE(p.has_wildcard());
  EXPECT_EQ(p.str(), R"(metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"])");
  EXPECT_EQ(locations(p.str(), object),
            (Strings{R"(metadata.annotations["container.apparmor.security.beta.kubernetes.io/web"])",
                     R"(metadata.annotations["container.apparmor.security.beta.kubernetes.io/proxy"])"}));
  EXPECT_EQ(locations(R"(metadata.annotations["a\*b"])", object), (Strings{R"(metadata.annotations["a*b"])"}));
  EXPECT_EQ(must_parse(R"(metadata.annotations["a\*b"])").str(), R"(metadata.annotations["a\*b"])");
  EXPECT_FALSE(must_parse(R"(metadata.annotations["a\*b"])").has_wildcard());
  EXPECT_EQ(locations(R"(metadata.annotations["a*b"])", object).size(), 2u);  // a*b and axb
  EXPECT_EQ(locations(R"(metadata.annotations["*.io/*"])", object).size(), 3u);
  // covers() and reads() know globs too.
  static constexpr std::string_view kKeys[] = {"metadata", "annotations", "other.io/x"};
  EXPECT_TRUE(must_parse(R"(metadata.annotations["other.*"])").may_touch(kKeys));
  EXPECT_FALSE(must_parse(R"(metadata.annotations["fluxcd.io/*"])").may_touch(kKeys));
  EXPECT_EQ(must_parse(R"(spec.containers[*].x["a*"].y)").head().str(), "spec.containers");
}

TEST(PathParse, IndicesAndWildcards) {
  Path p = must_parse("containers[0].ports[12]");
  ASSERT_EQ(p.segments().size(), 4u);
  EXPECT_EQ(p.segments()[1], (Segment{Kind::Index, "", 0}));
  EXPECT_EQ(p.segments()[3], (Segment{Kind::Index, "", 12}));
  EXPECT_FALSE(p.has_wildcard());

  Path any = must_parse("containers[*].image");
  EXPECT_EQ(any.segments()[1].kind, Kind::AnyIndex);
  EXPECT_TRUE(any.has_wildcard());

  Path star = must_parse("metadata.labels.*");
  EXPECT_EQ(star.segments()[2].kind, Kind::AnyKey);
  EXPECT_TRUE(star.has_wildcard());

  Path deep = must_parse("spec.values.**.minAvailable");
  EXPECT_EQ(deep.segments()[2].kind, Kind::Descendants);
  EXPECT_EQ(deep.segments()[3].key, "minAvailable");
  EXPECT_TRUE(deep.has_wildcard());

  EXPECT_EQ(must_parse("*").segments()[0].kind, Kind::AnyKey);
  EXPECT_EQ(must_parse("**").segments()[0].kind, Kind::Descendants);
  EXPECT_EQ(must_parse("[*]").segments()[0].kind, Kind::AnyIndex);
  EXPECT_EQ(must_parse("[3]").segments()[0], (Segment{Kind::Index, "", 3}));
}

TEST(PathParse, YamlStep) {
  Path p = must_parse("spec.source.helm.values|yaml.controller.podDisruptionBudget");
  ASSERT_EQ(p.segments().size(), 7u);
  EXPECT_EQ(p.segments()[4].kind, Kind::Yaml);
  EXPECT_EQ(p.segments()[5].key, "controller");
  EXPECT_FALSE(p.has_wildcard());

  Path at_end = must_parse("data[\"values.yaml\"]|yaml");
  EXPECT_EQ(at_end.segments().back().kind, Kind::Yaml);
  Path twice = must_parse("a|yaml|yaml.b");
  EXPECT_EQ(twice.segments()[1].kind, Kind::Yaml);
  EXPECT_EQ(twice.segments()[2].kind, Kind::Yaml);
  Path after_index = must_parse("sources[*].helm.values|yaml[0]");
  EXPECT_EQ(after_index.segments()[4].kind, Kind::Yaml);
  EXPECT_EQ(after_index.segments()[5], (Segment{Kind::Index, "", 0}));
}

TEST(PathParse, ErrorsGiveTheCharacterPosition) {
  EXPECT_EQ(parse_error(""), "invalid path \"\" at character 1: a path must not be empty");
  EXPECT_EQ(parse_error("a..b"),
            "invalid path \"a..b\" at character 3: expected a key (letters, digits, '_' or '-'; quote others as "
            "[\"...\"]), '*' or '**'");
  EXPECT_EQ(parse_error("spec."), "invalid path \"spec.\" at character 6: expected a key after '.'");
  EXPECT_EQ(parse_error("a b"), "invalid path \"a b\" at character 2: expected '.', '[' or '|yaml'");
  EXPECT_EQ(parse_error("a|json"), "invalid path \"a|json\" at character 2: expected '.', '[' or '|yaml'");
  EXPECT_EQ(parse_error("spec.$x"),
            "invalid path \"spec.$x\" at character 6: expected a key (letters, digits, '_' or '-'; quote others as "
            "[\"...\"]), '*' or '**'");
  EXPECT_EQ(parse_error("a["), "invalid path \"a[\" at character 3: expected an index, '*' or a quoted key after '['");
  EXPECT_EQ(parse_error("a[x]"), "invalid path \"a[x]\" at character 3: expected an index, '*' or a quoted key after '['");
  EXPECT_EQ(parse_error("a[1"), "invalid path \"a[1\" at character 4: expected ']'");
  EXPECT_EQ(parse_error("a[*x]"), "invalid path \"a[*x]\" at character 4: expected ']'");
  EXPECT_EQ(parse_error("a[\"x"), "invalid path \"a[\"x\" at character 5: unterminated quoted key");
  EXPECT_EQ(parse_error(R"(a["x\)"), "invalid path \"a[\"x\\\" at character 6: unterminated escape in quoted key");
  EXPECT_EQ(parse_error(R"(a["\n"])"),
            "invalid path \"a[\"\\n\"]\" at character 5: only \\\", \\\\ and \\* are escapes in a quoted key");
  EXPECT_EQ(parse_error("a**"), "invalid path \"a**\" at character 2: expected '.', '[' or '|yaml'");
  EXPECT_EQ(parse_error("|yaml"), parse_error("|yaml"));  // no key before the step
  EXPECT_NE(parse_error("|yaml").find("at character 1"), std::string::npos);
}

TEST(PathParse, Limits) {
  std::string long_key(1024, 'k');
  EXPECT_TRUE(Path::parse(long_key).ok());
  EXPECT_NE(parse_error(long_key + "k").find("longer than the limit of 1024 characters"), std::string::npos);
  EXPECT_NE(parse_error("abcdef", {.max_segments = 64, .max_length = 5}).find("limit of 5 characters"),
            std::string::npos);

  std::string segments = "a";
  for (int i = 1; i < 64; ++i) segments += ".a";
  EXPECT_EQ(must_parse(segments).segments().size(), 64u);
  EXPECT_NE(parse_error(segments + ".a").find("more than the limit of 64 segments"), std::string::npos);
  EXPECT_NE(parse_error("a[1][2][3]", {.max_segments = 3, .max_length = 1024}).find("limit of 3 segments"),
            std::string::npos);

  EXPECT_EQ(must_parse("a[100000000]").segments()[1].index, 100000000u);
  EXPECT_NE(parse_error("a[99999999999999999999999]").find("index too large"), std::string::npos);
}

// ---- printing ------------------------------------------------------------------

TEST(PathPrint, RoundTripsEverySyntax) {
  for (const char* text :
       {"spec.replicas", R"(metadata.labels["app.kubernetes.io/name"])", "containers[0]", "containers[*].image",
        "metadata.labels.*", "*", "**", "spec.values.**", "spec.values.**.minAvailable", "values|yaml.a.b",
        "a|yaml[0]|yaml", R"(a["say \"hi\" \\"])", R"(["a.b"].c)", "[*]", "[2].x", R"(a[""])", "*.**.*"}) {
    Path p = must_parse(text);
    EXPECT_EQ(p.str(), text);
    EXPECT_EQ(must_parse(p.str()).segments(), p.segments()) << text;
  }
}

TEST(PathPrint, NormalisesQuotingOfPlainKeys) {
  EXPECT_EQ(must_parse(R"(metadata["labels"]["app"])").str(), "metadata.labels.app");
  EXPECT_EQ(must_parse(R"(["spec"].x)").str(), "spec.x");
  EXPECT_EQ(must_parse("a.[0]").str(), "a[0]");
}

TEST(PathPrint, JoinAndSplitAtLastWildcard) {
  Path joined = must_parse("spec.values.**").join(must_parse("minAvailable"));
  EXPECT_EQ(joined.str(), "spec.values.**.minAvailable");
  EXPECT_EQ(Path{}.join(must_parse("a[1]")).str(), "a[1]");

  auto [prefix, rest] = must_parse("spec.values.**.minAvailable").split_at_last_wildcard();
  EXPECT_EQ(prefix.str(), "spec.values.**");
  EXPECT_EQ(rest.str(), "minAvailable");

  auto [p2, r2] = must_parse("a[*].b[*].c.d").split_at_last_wildcard();
  EXPECT_EQ(p2.str(), "a[*].b[*]");
  EXPECT_EQ(r2.str(), "c.d");

  auto [p3, r3] = must_parse("spec.replicas").split_at_last_wildcard();
  EXPECT_TRUE(p3.is_root());
  EXPECT_EQ(r3.str(), "spec.replicas");

  auto [p4, r4] = must_parse("a.*").split_at_last_wildcard();
  EXPECT_EQ(p4.str(), "a.*");
  EXPECT_TRUE(r4.is_root());
}

// ---- walk ----------------------------------------------------------------------

const char* kDeployment = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "web", "tier": "front"}, "annotations": null},
  "spec": {"replicas": 3, "template": {"spec": {"containers": [
    {"name": "app", "image": "ghcr.io/acme/web:1.2"},
    {"name": "proxy", "image": "envoy:v1.30", "ports": [{"containerPort": 8080}, null, {"containerPort": 9901}]},
    {"name": "no-image", "image": null}
  ]}}}
})";

TEST(PathWalk, KeysReachOneNode) {
  auto d = doc(kDeployment);
  EXPECT_EQ(reach("spec.replicas", d.root), (Reached{{"spec.replicas", "3"}}));
  EXPECT_EQ(reach("kind", d.root), (Reached{{"kind", "\"Deployment\""}}));
  EXPECT_EQ(reach(R"(metadata.labels["app.kubernetes.io/name"])", d.root),
            (Reached{{R"(metadata.labels["app.kubernetes.io/name"])", "\"web\""}}));
}

TEST(PathWalk, WhatIsNotThereYieldsNothing) {
  auto d = doc(kDeployment);
  EXPECT_TRUE(reach("spec.missing", d.root).empty());
  EXPECT_TRUE(reach("spec.replicas.deeper", d.root).empty());      // through a number
  EXPECT_TRUE(reach("spec.template.spec.containers[7]", d.root).empty());
  EXPECT_TRUE(reach("spec[0]", d.root).empty());                   // index into an object
  EXPECT_TRUE(reach("spec.template.spec.containers.name", d.root).empty());  // key into an array
  EXPECT_TRUE(reach("metadata.labels.*.x", d.root).empty());
}

TEST(PathWalk, NullCountsAsNotReached) {
  auto d = doc(kDeployment);
  EXPECT_TRUE(reach("metadata.annotations", d.root).empty());
  EXPECT_TRUE(reach("spec.template.spec.containers[2].image", d.root).empty());
  EXPECT_EQ(locations("spec.template.spec.containers[1].ports[*]", d.root),
            (Strings{"spec.template.spec.containers[1].ports[0]", "spec.template.spec.containers[1].ports[2]"}));
  auto null_root = doc("null");
  EXPECT_TRUE(reach("**", null_root.root).empty());
}

TEST(PathWalk, AnyIndexYieldsRealIndices) {
  auto d = doc(kDeployment);
  EXPECT_EQ(reach("spec.template.spec.containers[*].image", d.root),
            (Reached{{"spec.template.spec.containers[0].image", "\"ghcr.io/acme/web:1.2\""},
                     {"spec.template.spec.containers[1].image", "\"envoy:v1.30\""}}));
  EXPECT_EQ(reach("spec.template.spec.containers[1].name", d.root),
            (Reached{{"spec.template.spec.containers[1].name", "\"proxy\""}}));
  EXPECT_EQ(locations("spec.template.spec.containers[*].ports[*].containerPort", d.root),
            (Strings{"spec.template.spec.containers[1].ports[0].containerPort",
                     "spec.template.spec.containers[1].ports[2].containerPort"}));
}

TEST(PathWalk, AnyKeyVisitsEveryMemberAndQuotesOddKeys) {
  auto d = doc(kDeployment);
  EXPECT_EQ(reach("metadata.labels.*", d.root),
            (Reached{{R"(metadata.labels["app.kubernetes.io/name"])", "\"web\""}, {"metadata.labels.tier", "\"front\""}}));
  // `*` skips null members and does not step into arrays.
  EXPECT_EQ(locations("metadata.*", d.root), (Strings{"metadata.name", "metadata.labels"}));
  EXPECT_TRUE(reach("spec.template.spec.containers.*", d.root).empty());
}

TEST(PathWalk, DescendantsVisitTheNodeItselfAndEverythingBelow) {
  auto d = doc(R"({"a":{"b":1,"n":null},"c":[2,{"d":"x"}]})");
  EXPECT_EQ(locations("**", d.root), (Strings{"", "a", "a.b", "c", "c[0]", "c[1]", "c[1].d"}));
  EXPECT_EQ(reach("a.**", d.root), (Reached{{"a", R"({"b":1,"n":null})"}, {"a.b", "1"}}));
  EXPECT_EQ(locations("c.**", d.root), (Strings{"c", "c[0]", "c[1]", "c[1].d"}));
}

TEST(PathWalk, DescendantsFindAKeyAtAnyDepth) {
  auto d = doc(R"({"spec":{"values":{
      "minAvailable": 1,
      "admissionController": {"podDisruptionBudget": {"minAvailable": 1, "maxUnavailable": 1}},
      "list": [{"minAvailable": "50%"}]}}})");
  EXPECT_EQ(reach("spec.values.**.minAvailable", d.root),
            (Reached{{"spec.values.minAvailable", "1"},
                     {"spec.values.admissionController.podDisruptionBudget.minAvailable", "1"},
                     {"spec.values.list[0].minAvailable", "\"50%\""}}));
}

TEST(PathWalk, YamlStepParsesYamlStrings) {
  auto d = doc(R"({"spec":{"source":{"helm":{"values":"controller:\n  replicas: 2\n  pdb:\n    minAvailable: 1\n"}}}})");
  EXPECT_EQ(reach("spec.source.helm.values|yaml.controller.replicas", d.root),
            (Reached{{"spec.source.helm.values|yaml.controller.replicas", "2"}}));
  EXPECT_EQ(locations("spec.source.helm.values|yaml.**.minAvailable", d.root),
            (Strings{"spec.source.helm.values|yaml.controller.pdb.minAvailable"}));
}

TEST(PathWalk, YamlStepParsesJsonStrings) {
  auto d = doc(R"({"data":{"config.json":"{\"a\": {\"b\": [10, 20]}}"}})");
  EXPECT_EQ(reach(R"(data["config.json"]|yaml.a.b[1])", d.root),
            (Reached{{R"(data["config.json"]|yaml.a.b[1])", "20"}}));
}

TEST(PathWalk, YamlStepYieldsNothingForInvalidYamlOrNonStrings) {
  auto d = doc(R"({"bad":"a: [1, 2\nb: {","num":5,"obj":{"a":1},"empty":""})");
  EXPECT_TRUE(reach("bad|yaml", d.root).empty());
  EXPECT_TRUE(reach("bad|yaml.a", d.root).empty());
  EXPECT_TRUE(reach("num|yaml", d.root).empty());
  EXPECT_TRUE(reach("obj|yaml.a", d.root).empty());
  EXPECT_TRUE(reach("empty|yaml", d.root).empty()) << "an empty document is null, not reached";
}

TEST(PathWalk, YamlOfTheSameStringIsParsedOnceAndStaysValid) {
  auto d = doc(R"({"v":"a: 1\nb: [x, y]\n"})");
  Path p = must_parse("v|yaml.b[*]");
  Scratch scratch;
  std::vector<const json::Value*> first, second;
  walk(p, d.root, scratch, [&](const Location&, const json::Value& v) { first.push_back(&v); });
  walk(p, d.root, scratch, [&](const Location&, const json::Value& v) { second.push_back(&v); });
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first, second) << "the second walk reuses the parsed document";
  EXPECT_EQ(first[1]->as_string(), "y");
}

TEST(PathWalk, BaseLocationIsPrepended) {
  auto d = doc(R"({"minAvailable":1,"maxUnavailable":2})");
  Location base;
  base.push_key("spec");
  base.push_key("values");
  base.push_index(3);
  EXPECT_EQ(reach("minAvailable", d.root, base), (Reached{{"spec.values[3].minAvailable", "1"}}));
}

TEST(PathWalk, LookupFindsWhatWalkReached) {
  auto d = doc(kDeployment);
  Scratch scratch;
  int seen = 0;
  walk(must_parse("**"), d.root, scratch, [&](const Location& at, const json::Value& v) {
    ++seen;
    EXPECT_EQ(lookup(d.root, at, scratch), &v) << at.str();
  });
  EXPECT_GT(seen, 20);

  Location missing;
  missing.push_key("spec");
  missing.push_key("nope");
  EXPECT_EQ(lookup(d.root, missing, scratch), nullptr);
  Location null_member;
  null_member.push_key("metadata");
  null_member.push_key("annotations");
  EXPECT_EQ(lookup(d.root, null_member, scratch), nullptr);
  EXPECT_EQ(lookup(d.root, Location{}, scratch), &d.root);
}

TEST(PathWalk, LookupThroughYaml) {
  auto d = doc(R"({"v":"a:\n  b: 7\n"})");
  Scratch scratch;
  Location at;
  at.push_key("v");
  at.push_yaml();
  at.push_key("a");
  at.push_key("b");
  const json::Value* found = lookup(d.root, at, scratch);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->as_integer(), 7);
}

// ---- locations -----------------------------------------------------------------

TEST(PathLocation, PrintsInPathSyntax) {
  Location at;
  EXPECT_EQ(at.str(), "");
  EXPECT_TRUE(at.empty());
  at.push_key("spec");
  at.push_key("containers");
  at.push_index(1);
  at.push_key("image");
  EXPECT_EQ(at.str(), "spec.containers[1].image");
  at.pop();
  at.push_key("a/b.c");
  EXPECT_EQ(at.str(), R"(spec.containers[1]["a/b.c"])");

  Location y;
  y.push_key("values");
  y.push_yaml();
  y.push_key("x");
  EXPECT_EQ(y.str(), "values|yaml.x");

  Location quoted;
  quoted.push_key("say \"hi\"");
  EXPECT_EQ(quoted.str(), R"(["say \"hi\""])");
  EXPECT_EQ(must_parse(quoted.str()).segments()[0].key, "say \"hi\"");
}

TEST(PathLocation, JsonPointerEscapesTildeAndSlash) {
  Location at;
  EXPECT_EQ(at.json_pointer(), "");
  at.push_key("metadata");
  at.push_key("annotations");
  at.push_key("driftgate.dev/last~by");
  EXPECT_EQ(at.json_pointer(), "/metadata/annotations/driftgate.dev~1last~0by");
  Location idx;
  idx.push_key("items");
  idx.push_index(0);
  idx.push_key("");
  EXPECT_EQ(idx.json_pointer(), "/items/0/");
  Location tricky;
  tricky.push_key("~1");
  EXPECT_EQ(tricky.json_pointer(), "/~01") << "'~' is escaped before '/' would be";
}

// ---- covers --------------------------------------------------------------------

// Whether `pattern` covers the concrete path (keys, indices, |yaml) written as text.
bool covered(std::string_view pattern, std::string_view concrete) {
  Path steps = must_parse(concrete);  // the Location borrows its keys: keep it alive
  Location at;
  for (const Segment& s : steps.segments()) {
    switch (s.kind) {
      case Kind::Key: at.push_key(s.key); break;
      case Kind::Index: at.push_index(s.index); break;
      case Kind::Yaml: at.push_yaml(); break;
      default: ADD_FAILURE() << "not concrete: " << concrete;
    }
  }
  return covers(must_parse(pattern), at);
}

TEST(PathCovers, APathCoversItselfAndWhatIsBelow) {
  EXPECT_TRUE(covered("metadata.annotations", "metadata.annotations"));
  EXPECT_TRUE(covered("metadata.annotations", R"(metadata.annotations["kubectl.kubernetes.io/restartedAt"])"));
  EXPECT_TRUE(covered("status", "status.conditions[0].type"));
  EXPECT_FALSE(covered("metadata.annotations", "metadata"));
  EXPECT_FALSE(covered("metadata.annotations", "metadata.labels.x"));
  EXPECT_FALSE(covered("metadata.annotations", "metadataX.annotations"));
  EXPECT_TRUE(covers(Path{}, Location{})) << "the root covers everything";
  EXPECT_TRUE(covered("a", "a"));
}

TEST(PathCovers, IndicesAndWildcards) {
  EXPECT_TRUE(covered("a[1]", "a[1].b"));
  EXPECT_FALSE(covered("a[1]", "a[2].b"));
  EXPECT_TRUE(covered("a[*].image", "a[5].image"));
  EXPECT_FALSE(covered("a[*].image", "a[5].name"));
  EXPECT_FALSE(covered("a[*]", "a.b")) << "[*] matches indices only";
  EXPECT_TRUE(covered("labels.*", R"(labels["x/y"])"));
  EXPECT_FALSE(covered("labels.*", "labels[0]")) << "* matches keys only";
  EXPECT_FALSE(covered("labels.*", "labels"));
}

TEST(PathCovers, DescendantsCoverAnyDepthIncludingZero) {
  EXPECT_TRUE(covered("**", "a.b[3].c"));
  EXPECT_TRUE(covers(must_parse("**"), Location{}));
  EXPECT_TRUE(covered("spec.**", "spec"));
  EXPECT_TRUE(covered("spec.**.x", "spec.x"));
  EXPECT_TRUE(covered("spec.**.x", "spec.a[0].b.x"));
  EXPECT_TRUE(covered("spec.**.x", "spec.a.x.deeper"));
  EXPECT_FALSE(covered("spec.**.x", "spec.a.y"));
  EXPECT_FALSE(covered("spec.**.x", "other.x"));
}

TEST(PathCovers, YamlSteps) {
  EXPECT_TRUE(covered("values|yaml.a", "values|yaml.a.b"));
  EXPECT_TRUE(covered("values", "values|yaml.a"));
  EXPECT_FALSE(covered("values.a", "values|yaml.a"));
  EXPECT_FALSE(covered("values|yaml.a", "values.a"));
}

}  // namespace
}  // namespace driftgate::path
