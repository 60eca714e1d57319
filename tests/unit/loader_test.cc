#include "policy/loader.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace driftgate::policy {
namespace {

namespace fs = std::filesystem;

using driftgate::testing::policy_yaml;

const std::string kMinimalSpec = "  rules:\n    - name: keep\n      frozen: {}\n";

LoadResult load(const std::string& text, const std::string& file = "policies/p.yaml") {
  return load_sources({{file, text}});
}

// 1-based line and column of the n-th occurrence of `needle` in `text`.
std::pair<int, int> position_of(const std::string& text, std::string_view needle, int occurrence = 1) {
  std::size_t at = std::string::npos;
  for (int i = 0; i < occurrence; ++i) {
    at = text.find(needle, at == std::string::npos ? 0 : at + 1);
    if (at == std::string::npos) {
      ADD_FAILURE() << "no occurrence " << occurrence << " of " << needle;
      return {0, 0};
    }
  }
  std::size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  line_start = line_start == std::string::npos || at == 0 ? 0 : line_start + 1;
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  return {line, static_cast<int>(at - line_start) + 1};
}

// Expects exactly one error; checks where it is, which policy, and what it says.
void expect_one_error(const std::string& text, std::string_view at_needle, const std::string& policy,
                      const std::string& message_part, int occurrence = 1) {
  SCOPED_TRACE(text);
  LoadResult r = load(text);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.set, nullptr) << "a set with any error is not used";
  ASSERT_EQ(r.errors.size(), 1u) << r.error_text();
  const Diagnostic& d = r.errors[0];
  // "key: ^value" finds "key: value" and points at the '^'.
  std::string needle(at_needle);
  std::size_t caret = needle.find('^');
  if (caret != std::string::npos) needle.erase(caret, 1);
  auto [line, column] = position_of(text, needle, occurrence);
  if (caret != std::string::npos) column += static_cast<int>(caret);
  EXPECT_EQ(d.file, "policies/p.yaml");
  EXPECT_EQ(d.line, line) << d.str();
  EXPECT_EQ(d.column, column) << d.str();
  EXPECT_EQ(d.policy, policy) << d.str();
  EXPECT_NE(d.message.find(message_part), std::string::npos) << d.str();
  std::string prefix = "policies/p.yaml:" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  if (!policy.empty()) prefix += "policy \"" + policy + "\": ";
  EXPECT_EQ(d.str().rfind(prefix, 0), 0u) << d.str();
  EXPECT_EQ(r.error_text(), d.str() + "\n");
}

// ---- the contract's example ----------------------------------------------------

const std::string kContractExample = R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata:
  name: gitops-ownership            # unique in the set; shown in denials and audit lines
spec:
  description: Objects that Flux or Argo CD apply from Git are changed in Git only.
  mode: Enforce                     # Enforce (deny) | Warn (allow, warning to the client) | Audit (allow, audit line only)
  match:                            # every criterion given must hold; an omitted one matches all
    operations: [CREATE, UPDATE, DELETE]   # default [CREATE, UPDATE]
    kinds: ["*"]                    # "Kind" (any group), "group/Kind" or "group/version/Kind"; core group is "core"; globs (*) in each segment
    namespaces: ["*"]               # globs; a cluster-scoped object has namespace ""
    excludeNamespaces: [kube-system, driftgate-system]
    objectSelector:                 # on the object; see "Selectors on UPDATE" below
      anyOf:                        # at least one entry holds
        - labels: {kustomize.toolkit.fluxcd.io/name: "*"}   # value is a glob; "*" means "present"
        - labels: {helm.toolkit.fluxcd.io/name: "*"}
        - annotations: {argocd.argoproj.io/tracking-id: "*"}
        - labels: {argocd.argoproj.io/instance: "*"}
      noneOf:                       # no entry holds
        - annotations: {kustomize.toolkit.fluxcd.io/reconcile: disabled}
    excludeSubjects:                # requests from these are not checked by this policy
      users: ["system:serviceaccount:flux-system:*", "system:serviceaccount:argocd:argocd-application-controller",
              "system:kube-controller-manager", "system:serviceaccount:kube-system:*"]
      groups: ["system:nodes"]
  breakGlass:                       # optional; without it this policy can never be bypassed
    groups: [oncall]                # who may break glass (users: [...] also accepted)
    maxWindow: 4h                   # Go-style duration: s, m, h
  rules:
    - name: no-manual-edits
      frozen:
        ignore:                     # changes here are runtime state, not drift
          - metadata.annotations["kubectl.kubernetes.io/restartedAt"]
          - spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]
      message: "{{kind}} {{namespace}}/{{name}} is managed by {{owner}}; change {{paths}} in Git instead"
)";

TEST(Loader, TheContractExampleLoads) {
  LoadResult r = load(kContractExample);
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.files, 1u);
  ASSERT_EQ(r.set->policies().size(), 1u);
  const Policy& p = r.set->policies()[0];
  EXPECT_EQ(p.name, "gitops-ownership");
  EXPECT_EQ(p.description, "Objects that Flux or Argo CD apply from Git are changed in Git only.");
  EXPECT_EQ(p.mode, Mode::Enforce);
  EXPECT_EQ(p.source, "policies/p.yaml:1");
  EXPECT_EQ(p.match.operations, kCreate | kUpdate | kDelete);
  EXPECT_TRUE(p.match.kinds.empty()) << "\"*\" is the same as omitting kinds";
  EXPECT_TRUE(p.match.namespaces.empty());
  ASSERT_EQ(p.match.exclude_namespaces.size(), 2u);
  EXPECT_EQ(p.match.exclude_namespaces[1].pattern(), "driftgate-system");
  ASSERT_TRUE(p.match.object_selector.has_value());
  ASSERT_EQ(p.match.object_selector->any_of.size(), 4u);
  EXPECT_EQ(p.match.object_selector->any_of[2].annotations[0].first, "argocd.argoproj.io/tracking-id");
  ASSERT_EQ(p.match.object_selector->none_of.size(), 1u);
  EXPECT_EQ(p.match.object_selector->none_of[0].annotations[0].second.pattern(), "disabled");
  EXPECT_EQ(p.match.exclude_subjects.users.size(), 4u);
  EXPECT_EQ(p.match.exclude_subjects.groups[0].pattern(), "system:nodes");
  ASSERT_TRUE(p.break_glass.has_value());
  EXPECT_EQ(p.break_glass->allowed.groups[0].pattern(), "oncall");
  EXPECT_EQ(p.break_glass->max_window, std::chrono::hours(4));
  ASSERT_EQ(p.rules.size(), 1u);
  EXPECT_EQ(p.rules[0].name, "no-manual-edits");
  const auto* frozen = std::get_if<Frozen>(&p.rules[0].spec);
  ASSERT_NE(frozen, nullptr);
  ASSERT_EQ(frozen->ignore.size(), 2u);
  EXPECT_EQ(frozen->ignore[1].path.str(), R"(spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"])");
  ASSERT_TRUE(p.rules[0].message.has_value());
  EXPECT_TRUE(p.rules[0].message->uses(Variable::Owner));
  EXPECT_TRUE(p.has_validations);
  EXPECT_FALSE(p.has_mutations);
}

TEST(Loader, EveryRuleTypeLoads) {
  LoadResult r = load(policy_yaml("all-types", R"(  mode: Warn
  match:
    kinds: [apps/v1/Deployment, core/ConfigMap]
  breakGlass: {users: [alice], maxWindow: 1h30m}
  rules:
    - {name: f, frozen: {ignore: [status]}}
    - {name: e, exclusive: {at: spec.values.**, fields: [minAvailable, maxUnavailable]}}
    - {name: r, require: ["spec.template.spec.containers[*].resources.limits"]}
    - {name: x, forbid: [spec.hostNetwork]}
    - {name: p, pattern: {path: "spec.containers[*].image", regex: "@sha256:[0-9a-f]{64}$", negate: false}}
    - {name: i, immutable: [spec.selector]}
    - {name: m, monotonic: {path: 'metadata.annotations["example.com/revision"]', order: semver}}
    - name: s
      mutate:
        when: breakGlass
        patch:
          - {op: add, path: /metadata/annotations/driftgate.dev~1by, value: "{{user}}"}
          - {op: remove, path: /metadata/labels/tmp}
)"));
  ASSERT_TRUE(r.ok()) << r.error_text();
  const Policy& p = r.set->policies()[0];
  EXPECT_EQ(p.mode, Mode::Warn);
  ASSERT_EQ(p.rules.size(), 8u);
  EXPECT_EQ(p.break_glass->max_window, std::chrono::minutes(90));
  ASSERT_EQ(p.match.kinds.size(), 2u);
  EXPECT_TRUE(p.match.kinds[0].matches("apps", "v1", "Deployment"));
  EXPECT_FALSE(p.match.kinds[0].matches("apps", "v1beta1", "Deployment"));
  EXPECT_TRUE(p.match.kinds[1].matches("", "v1", "ConfigMap")) << "core is the empty group";
  EXPECT_FALSE(p.match.kinds[1].matches("example.com", "v1", "ConfigMap"));
  const char* types[] = {"frozen", "exclusive", "require", "forbid", "pattern", "immutable", "monotonic", "mutate"};
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(rule_type_name(p.rules[i].spec), types[i]);
  EXPECT_EQ(std::get<Exclusive>(p.rules[1].spec).at.str(), "spec.values.**");
  EXPECT_EQ(std::get<Pattern>(p.rules[4].spec).regex_text, "@sha256:[0-9a-f]{64}$");
  EXPECT_EQ(std::get<Monotonic>(p.rules[6].spec).order, Order::Semver);
  const auto& mutate = std::get<Mutate>(p.rules[7].spec);
  EXPECT_EQ(mutate.when, Mutate::When::BreakGlass);
  ASSERT_EQ(mutate.patch.size(), 2u);
  EXPECT_EQ(mutate.patch[0].tokens, (std::vector<std::string>{"metadata", "annotations", "driftgate.dev/by"}));
  ASSERT_TRUE(mutate.patch[0].value.has_value());
  EXPECT_EQ(mutate.patch[0].value->as_string(), "{{user}}");
  EXPECT_EQ(mutate.patch[1].op, PatchOperation::Op::Remove);
  EXPECT_TRUE(p.has_mutations);
  EXPECT_TRUE(p.has_validations);
  // Patch values outlive the loader's YAML.
  EXPECT_NE(p.literals, nullptr);
}

// ---- each error: file:line:column, policy, what was expected -------------------

TEST(LoaderErrors, UnknownField) {
  std::string text = policy_yaml("p1", "  modee: Warn\n" + kMinimalSpec);
  expect_one_error(text, "modee", "p1",
                   "spec: unknown field \"modee\", expected one of: description, mode, match, breakGlass, rules");
}

TEST(LoaderErrors, UnknownFieldInMatch) {
  std::string text = policy_yaml("p1", "  match:\n    kind: [Pod]\n" + kMinimalSpec);
  expect_one_error(text, "kind: [Pod]", "p1", "spec.match: unknown field \"kind\", expected one of: operations, kinds");
}

TEST(LoaderErrors, UnknownTopLevelFieldNamesThePolicy) {
  std::string text = policy_yaml("p1", kMinimalSpec) + "status: {}\n";
  expect_one_error(text, "status", "p1", "unknown field \"status\", expected one of: apiVersion, kind, metadata, spec");
}

TEST(LoaderErrors, WrongType) {
  std::string text = policy_yaml("p1", "  description: [not, a, string]\n" + kMinimalSpec);
  expect_one_error(text, "[not", "p1", "spec.description: expected a string, found a list");

  std::string ops = policy_yaml("p2", "  match:\n    operations: CREATE\n" + kMinimalSpec);
  expect_one_error(ops, "CREATE", "p2", "spec.match.operations: expected a list of strings, found \"CREATE\"");

  std::string negate = policy_yaml("p3", "  rules:\n    - name: r\n      pattern: {path: a, regex: x, negate: \"yes\"}\n");
  expect_one_error(negate, "\"yes\"", "p3", "spec.rules[0].pattern.negate: expected true or false");
}

TEST(LoaderErrors, BadRegex) {
  std::string text = policy_yaml("p1", "  rules:\n    - name: r\n      pattern: {path: spec.image, regex: \"([a-z\"}\n");
  expect_one_error(text, "\"([a-z\"", "p1", "spec.rules[0].pattern.regex: invalid RE2 regex: ");
}

TEST(LoaderErrors, BadPath) {
  std::string text = policy_yaml("p1", "  rules:\n    - name: r\n      require: [spec.ok, \"spec..replicas\"]\n");
  expect_one_error(text, "\"spec..replicas\"", "p1",
                   "spec.rules[0].require[1]: invalid path \"spec..replicas\" at character 6");
}

TEST(Loader, FrozenIgnoreMayBeScopedToKinds) {
  std::string text = policy_yaml("p1", R"(  rules:
    - name: r
      frozen:
        ignore:
          - metadata.annotations["reconcile.fluxcd.io/requestedAt"]
          - {path: spec.suspend, kinds: ["*.toolkit.fluxcd.io/*"]}
          - {path: operation, kinds: ["argoproj.io/Application", "*"]}
)");
  LoadResult r = load(text);
  ASSERT_TRUE(r.ok()) << r.error_text();
  const auto* frozen = std::get_if<Frozen>(&r.set->policies()[0].rules[0].spec);
  ASSERT_NE(frozen, nullptr);
  ASSERT_EQ(frozen->ignore.size(), 3u);
  EXPECT_TRUE(frozen->ignore[0].kinds.empty()) << "a plain path is ignored for every kind";
  EXPECT_EQ(frozen->ignore[1].path.str(), "spec.suspend");
  ASSERT_EQ(frozen->ignore[1].kinds.size(), 1u);
  EXPECT_TRUE(frozen->ignore[1].kinds[0].matches("kustomize.toolkit.fluxcd.io", "v1", "Kustomization"));
  EXPECT_FALSE(frozen->ignore[1].kinds[0].matches("batch", "v1", "CronJob"));
  EXPECT_TRUE(frozen->ignore[2].kinds.empty()) << "\"*\" among the kinds is every kind";
}

TEST(LoaderErrors, FrozenIgnoreEntries) {
  auto with_ignore = [](const std::string& entry) {
    return policy_yaml("p1", "  rules:\n    - name: r\n      frozen:\n        ignore:\n          - " + entry + "\n");
  };
  struct Case {
    std::string entry, at, message;  // message after "spec.rules[0].frozen.ignore[0]"
  };
  for (const Case& c : std::vector<Case>{
           {"{path: spec.suspend}", "{path", ": expected both path and kinds"},
           {"{path: spec.suspend, kinds: [Pod], why: x}", "why", ": unknown field \"why\""},
           {"{path: spec.suspend, kinds: [\"a/b/c/D\"]}", "\"a/b/c/D\"", ".kinds[0]: invalid kind"},
           {"{path: \"spec..x\", kinds: [Pod]}", "\"spec..x\"", ".path: invalid path"},
           {"{path: spec.suspend, kinds: [\"*\", \"a/b/c/D\"]}", "\"a/b/c/D\"", ".kinds[1]: invalid kind"},
           {"{path: spec.suspend, kinds: []}", "[]", ".kinds: must name at least one kind"},
       })
    expect_one_error(with_ignore(c.entry), c.at, "p1", "spec.rules[0].frozen.ignore[0]" + c.message);
}

TEST(LoaderErrors, DuplicateRuleName) {
  std::string text = policy_yaml("p1", "  rules:\n    - name: same\n      frozen: {}\n    - name: same\n      forbid: [x]\n");
  expect_one_error(text, "name: same", "p1", "spec.rules[1]: duplicate rule name \"same\"", 2);
}

TEST(LoaderErrors, UnknownRuleTypeIsReportedWithTheMissingType) {
  std::string text = policy_yaml("p1", "  rules:\n    - name: r\n      freeze: {}\n");
  LoadResult r = load(text);
  ASSERT_EQ(r.errors.size(), 2u) << r.error_text();
  auto [line, column] = position_of(text, "freeze");
  EXPECT_EQ(r.errors[0].line, line);
  EXPECT_EQ(r.errors[0].column, column);
  EXPECT_EQ(r.errors[0].policy, "p1");
  EXPECT_NE(r.errors[0].message.find("unknown rule field \"freeze\""), std::string::npos) << r.error_text();
  EXPECT_NE(r.errors[0].message.find("frozen, exclusive, require, forbid, pattern, immutable, monotonic, mutate, expect or deny"),
            std::string::npos);
  EXPECT_NE(r.errors[1].message.find("missing rule type"), std::string::npos) << r.error_text();
}

TEST(LoaderErrors, TwoRuleTypes) {
  std::string text = policy_yaml("p1", "  rules:\n    - name: r\n      frozen: {}\n      forbid: [x]\n");
  expect_one_error(text, "name: r", "p1", "spec.rules[0]: a rule has exactly one rule type, found frozen and forbid");
}

TEST(LoaderErrors, BadMode) {
  std::string text = policy_yaml("p1", "  mode: Enforcing\n" + kMinimalSpec);
  expect_one_error(text, "Enforcing", "p1", "spec.mode: unknown mode \"Enforcing\", expected Enforce, Warn or Audit");
}

TEST(LoaderErrors, BadOperation) {
  std::string text = policy_yaml("p1", "  match:\n    operations: [CREATE, PATCH]\n" + kMinimalSpec);
  expect_one_error(text, "PATCH", "p1",
                   "spec.match.operations[1]: unknown operation \"PATCH\", expected CREATE, UPDATE, DELETE, CONNECT or *");
}

TEST(LoaderErrors, BadKindStrings) {
  for (const char* kind : {"apps//Deployment", "a/b/c/Deployment", "/Pod", "Pod/", "\"\""}) {
    std::string text = policy_yaml("p1", std::string("  match:\n    kinds: [Pod, ") + kind + "]\n" + kMinimalSpec);
    expect_one_error(text, kind, "p1", "spec.match.kinds[1]: invalid kind");
  }
  // A "*" earlier in the list does not stop the check of the rest.
  std::string text = policy_yaml("p1", "  match:\n    kinds: [\"*\", \"a/b/c/D\"]\n" + kMinimalSpec);
  expect_one_error(text, "\"a/b/c/D\"", "p1", "spec.match.kinds[1]: invalid kind");
}

TEST(LoaderErrors, BadDuration) {
  for (const char* window : {"4 hours", "4d", "0s", "h", "30", "-1h"}) {
    std::string text =
        policy_yaml("p1", std::string("  breakGlass:\n    groups: [oncall]\n    maxWindow: ") + window + "\n" + kMinimalSpec);
    expect_one_error(text, std::string("maxWindow: ^") + window, "p1",
                     "spec.breakGlass.maxWindow: invalid duration \"" + std::string(window) + "\"");
  }
}

TEST(LoaderErrors, MissingMaxWindow) {
  std::string text = policy_yaml("p1", "  breakGlass:\n    groups: [oncall]\n" + kMinimalSpec);
  expect_one_error(text, "groups: [oncall]", "p1", "spec.breakGlass: missing maxWindow");
}

TEST(LoaderErrors, BreakGlassWithoutWho) {
  std::string text = policy_yaml("p1", "  breakGlass:\n    maxWindow: 1h\n" + kMinimalSpec);
  expect_one_error(text, "maxWindow", "p1", "spec.breakGlass: name the groups (or users) who may break glass");
}

TEST(LoaderErrors, MutateWhenBreakGlassNeedsBreakGlass) {
  std::string text = policy_yaml(
      "p1", "  rules:\n    - name: stamp\n      mutate:\n        when: breakGlass\n        patch:\n"
            "          - {op: add, path: /metadata/annotations/x, value: y}\n");
  expect_one_error(text, "name: stamp", "p1", "spec.rules[0]: mutate with when: breakGlass needs the policy's spec.breakGlass");
}

TEST(LoaderErrors, UnknownTemplateVariable) {
  std::string text = policy_yaml("p1", "  rules:\n    - name: r\n      frozen: {}\n      message: \"{{kind}} {{nmae}}\"\n");
  expect_one_error(text, "\"{{kind}}", "p1", "spec.rules[0].message: unknown template variable '{{nmae}}', expected one of kind,");

  std::string in_patch = policy_yaml(
      "p2", "  rules:\n    - name: m\n      mutate:\n        patch:\n          - {op: add, path: /a, value: \"{{who}}\"}\n");
  expect_one_error(in_patch, "\"{{who}}\"", "p2", "spec.rules[0].mutate.patch[0].value: unknown template variable '{{who}}'");

  std::string unterminated = policy_yaml("p3", "  rules:\n    - name: r\n      frozen: {}\n      message: \"{{kind\"\n");
  expect_one_error(unterminated, "\"{{kind\"", "p3", "unterminated '{{'");
}

TEST(LoaderErrors, BadPatchPointer) {
  std::string text = policy_yaml(
      "p1", "  rules:\n    - name: m\n      mutate:\n        patch:\n          - {op: add, path: metadata/x, value: 1}\n");
  expect_one_error(text, "metadata/x", "p1", "a JSON Pointer must start with '/'");
  std::string tilde = policy_yaml(
      "p2", "  rules:\n    - name: m\n      mutate:\n        patch:\n          - {op: add, path: /a~2b, value: 1}\n");
  expect_one_error(tilde, "/a~2b", "p2", "'~' must be followed by 0 or 1");
}

TEST(LoaderErrors, MissingRules) {
  std::string text = policy_yaml("p1", "  mode: Warn\n");
  expect_one_error(text, "mode", "p1", "spec.rules: expected a non-empty list of rules");
}

TEST(LoaderErrors, MalformedYaml) {
  std::string text = "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: [unclosed\n";
  LoadResult r = load(text);
  ASSERT_EQ(r.errors.size(), 1u) << r.error_text();
  EXPECT_EQ(r.errors[0].file, "policies/p.yaml");
  EXPECT_GE(r.errors[0].line, 3);
  EXPECT_GT(r.errors[0].column, 0);
  EXPECT_EQ(r.errors[0].message.rfind("malformed YAML: ", 0), 0u) << r.error_text();
  EXPECT_EQ(r.set, nullptr);
}

// Regression: `forEach: [spec.containers[*], ...]` (the natural way to write it) is
// malformed YAML, and yaml-cpp's "alias not found after *" did not say why. The
// error names the line and tells to quote the path; a malformed line without `*`
// gets no such hint.
TEST(LoaderErrors, AnUnquotedStarInAFlowCollectionSaysToQuoteThePath) {
  const std::string head = "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: p}\nspec:\n"
                           "  match: {kinds: [Pod]}\n  rules:\n    - name: r\n";
  for (const std::string rule : {"      forEach: [spec.containers[*], spec.initContainers[*]]\n      deny: {}\n",
                                 "      expect: {any: securityContext.capabilities.drop[*], equals: ALL}\n"}) {
    LoadResult r = load(head + rule);
    ASSERT_EQ(r.errors.size(), 1u) << r.error_text();
    EXPECT_EQ(r.errors[0].line, 8) << r.error_text();
    EXPECT_NE(r.errors[0].message.find("must be quoted, e.g. \"spec.containers[*]\""), std::string::npos)
        << r.error_text();
  }
  LoadResult plain = load("apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: [unclosed\n");
  ASSERT_EQ(plain.errors.size(), 1u);
  EXPECT_EQ(plain.errors[0].message.find("quoted"), std::string::npos) << plain.error_text();
}

// Regression: a condition nested 10,000 levels deep ({not: {not: ...}}) was refused
// by yaml-cpp's recursion guard with only "malformed YAML: bad file", which neither
// says what is wrong nor names the limit. The error now says the nesting is too deep.
TEST(LoaderErrors, NestingDeeperThanTheYamlParserAllowsNamesTheLimit) {
  std::string deny;
  for (int i = 0; i < 10000; ++i) deny += "{not: ";
  deny += "{path: a, equals: 1}";
  deny += std::string(10000, '}');
  LoadResult r = load("apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: p}\nspec:\n"
                      "  match: {kinds: [Pod]}\n  rules:\n    - name: r\n      deny: " + deny + "\n");
  ASSERT_EQ(r.errors.size(), 1u) << r.error_text();
  EXPECT_EQ(r.errors[0].line, 8) << r.error_text();
  EXPECT_NE(r.errors[0].message.find("nesting is deeper than the YAML parser's limit of"), std::string::npos)
      << r.error_text();
  EXPECT_EQ(r.set, nullptr);
}

TEST(LoaderErrors, DuplicateFieldInAMapping) {
  // YAML parsers keep the first of two equal keys; the second must not be silently lost.
  std::string text = policy_yaml("p1", "  mode: Warn\n" + kMinimalSpec + "  mode: Enforce\n");
  expect_one_error(text, "mode", "p1", "spec: duplicate field \"mode\"", 2);
}

TEST(LoaderErrors, SeveralErrorsAreAllReported) {
  std::string a = policy_yaml("a", "  mode: Loud\n  match:\n    operations: [MAKE]\n  rules:\n"
                                  "    - name: r\n      require: [\"a..b\"]\n"
                                  "    - name: s\n      pattern: {path: x, regex: \"(\"}\n");
  std::string b = "apiVersion: driftgate.dev/v1alpha1\nkind: Policy\nmetadata: {name: b}\nspec: {rules: [{name: x, nope: 1}]}\n";
  LoadResult r = load_sources({{"a.yaml", a}, {"b.yaml", b}, {"c.yaml", "key: [broken\n"}});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.files, 3u);
  std::string text = r.error_text();
  auto at = [](const std::string& file, const std::string& source, std::string_view needle) {
    auto [line, column] = position_of(source, needle);
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  };
  for (const std::string& expected :
       {at("a.yaml", a, "Loud") + "policy \"a\": spec.mode: unknown mode \"Loud\"",
        at("a.yaml", a, "MAKE") + "policy \"a\": spec.match.operations[0]: unknown operation \"MAKE\"",
        at("a.yaml", a, "\"a..b\"") + "policy \"a\": spec.rules[0].require[0]: invalid path",
        at("a.yaml", a, "\"(\"") + "policy \"a\": spec.rules[1].pattern.regex: invalid RE2 regex",
        at("b.yaml", b, "nope") + "policy \"b\": spec.rules[0]: unknown rule field \"nope\"",
        at("b.yaml", b, "{name: x") + "policy \"b\": spec.rules[0]: missing rule type",
        std::string("c.yaml:2:1: malformed YAML: ")})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\nin:\n" << text;
  EXPECT_EQ(r.errors.size(), 7u) << text;
}

TEST(LoaderErrors, DuplicatePolicyNameAcrossFilesNamesTheFirstDefinition) {
  std::string first = "# a comment\n" + policy_yaml("shared", kMinimalSpec);
  std::string other = policy_yaml("other", kMinimalSpec);
  std::string second = other + "---\n" + policy_yaml("shared", kMinimalSpec);
  LoadResult r = load_sources({{"team-a/guard.yaml", first}, {"team-b/guard.yaml", second}});
  ASSERT_EQ(r.errors.size(), 1u) << r.error_text();
  const Diagnostic& d = r.errors[0];
  EXPECT_EQ(d.file, "team-b/guard.yaml");
  EXPECT_EQ(d.line, position_of(second, "apiVersion", 2).first);
  EXPECT_EQ(d.column, 1);
  EXPECT_EQ(d.policy, "shared");
  EXPECT_EQ(d.message, "duplicate policy name, first defined at team-a/guard.yaml:2");
  EXPECT_EQ(r.set, nullptr);
}

// ---- which documents are ours --------------------------------------------------

TEST(LoaderDocuments, PolicyTestsAndForeignDocumentsAreIgnored) {
  std::string text = policy_yaml("mine", kMinimalSpec) + R"(---
apiVersion: driftgate.dev/v1alpha1
kind: PolicyTest
metadata: {name: mine}
spec: {cases: [{name: anything, whatever: [1, 2]}]}
---
apiVersion: kyverno.io/v1
kind: Policy
metadata: {name: foreign}
spec: {validationFailureAction: Enforce, unknown: field}
---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [a.yaml]
---
# an empty document
---
- a list, not a Kubernetes document
)";
  LoadResult r = load(text);
  ASSERT_TRUE(r.ok()) << r.error_text();
  ASSERT_EQ(r.set->policies().size(), 1u);
  EXPECT_EQ(r.set->policies()[0].name, "mine");
}

TEST(LoaderDocuments, PolicyWithoutApiVersionIsAnError) {
  std::string text = "kind: Policy\nmetadata: {name: typo}\nspec: {rules: [{name: r, frozen: {}}]}\n";
  LoadResult r = load(text);
  ASSERT_EQ(r.errors.size(), 1u) << r.error_text();
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_EQ(r.errors[0].column, 1);
  EXPECT_NE(r.errors[0].message.find("apiVersion \"\" is not supported, expected driftgate.dev/v1alpha1"),
            std::string::npos);
}

TEST(LoaderDocuments, OtherVersionsAndKindsOfOurGroupAreErrors) {
  LoadResult v2 = load("apiVersion: driftgate.dev/v2\nkind: Policy\nmetadata: {name: x}\n");
  ASSERT_EQ(v2.errors.size(), 1u);
  EXPECT_NE(v2.errors[0].message.find("apiVersion \"driftgate.dev/v2\" is not supported"), std::string::npos);
  LoadResult kind = load("apiVersion: driftgate.dev/v1alpha1\nkind: Polcy\nmetadata: {name: x}\n");
  ASSERT_EQ(kind.errors.size(), 1u);
  EXPECT_NE(kind.errors[0].message.find("unknown kind \"Polcy\", expected Policy or PolicyTest"), std::string::npos);
}

TEST(LoaderDocuments, AnEmptySetLoads) {
  LoadResult r = load_sources({});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.set->policies().empty());
  EXPECT_TRUE(r.set->candidates("Pod").empty());
}

TEST(LoaderDocuments, FileSizeLimit) {
  std::string text = policy_yaml("big", kMinimalSpec) + "# " + std::string(200, 'x') + "\n";
  LoadResult r = load_sources({{"big.yaml", text}}, {.max_file_bytes = 100});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].str(), "big.yaml: file is larger than the limit of 100 bytes");
}

// ---- the kind index ------------------------------------------------------------

TEST(PolicySetIndex, CandidatesAreThePoliciesThatCanMatchTheKindPlusWildcardOnes) {
  std::string text;
  auto add = [&](const std::string& name, const std::string& match) {
    text += (text.empty() ? "" : "---\n") + policy_yaml(name, match + kMinimalSpec);
  };
  add("deployments", "  match:\n    kinds: [apps/v1/Deployment]\n");
  add("everything", "");
  add("workloads", "  match:\n    kinds: [apps/Deployment, StatefulSet, apps/*/DaemonSet]\n");
  add("star", "  match:\n    kinds: [\"*\"]\n");
  add("globbed", "  match:\n    kinds: [\"*Set\"]\n");
  add("configmaps", "  match:\n    kinds: [core/v1/ConfigMap, Deployment]\n");
  add("group-glob", "  match:\n    kinds: [\"*.example.com/Widget\"]\n");
  LoadResult r = load(text);
  ASSERT_TRUE(r.ok()) << r.error_text();
  const PolicySet& set = *r.set;
  auto names = [&](std::string_view kind) {
    std::vector<std::string> out;
    for (std::uint32_t i : set.candidates(kind)) out.push_back(set.policies()[i].name);
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names("Deployment"), (Names{"deployments", "everything", "workloads", "star", "globbed", "configmaps"}));
  EXPECT_EQ(names("StatefulSet"), (Names{"everything", "workloads", "star", "globbed"}));
  EXPECT_EQ(names("ConfigMap"), (Names{"everything", "star", "globbed", "configmaps"}));
  EXPECT_EQ(names("Widget"), (Names{"everything", "star", "globbed", "group-glob"}));
  EXPECT_EQ(names("Secret"), (Names{"everything", "star", "globbed"}));
  EXPECT_EQ(names("deployment"), names("Secret")) << "kinds are case-sensitive";
  EXPECT_EQ(set.find("workloads"), &set.policies()[2]);
  EXPECT_EQ(set.find("absent"), nullptr);
}

TEST(PolicySetIndex, ThousandsOfNonMatchingPoliciesAreNotCandidates) {
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text += (i ? "---\n" : "") + policy_yaml("widget-" + std::to_string(i),
                                            "  match:\n    kinds: [example.com/Widget" + std::to_string(i) + "]\n" + kMinimalSpec);
  text += "---\n" + policy_yaml("any", kMinimalSpec);
  LoadResult r = load(text);
  ASSERT_TRUE(r.ok()) << r.error_text();
  ASSERT_EQ(r.set->policies().size(), 1001u);
  ASSERT_EQ(r.set->candidates("Deployment").size(), 1u);
  EXPECT_EQ(r.set->policies()[r.set->candidates("Deployment")[0]].name, "any");
  ASSERT_EQ(r.set->candidates("Widget7").size(), 2u);
  EXPECT_EQ(r.set->policies()[r.set->candidates("Widget7")[0]].name, "widget-7");
}

// ---- strictness (issue 13): a typo never widens nor silently disables ----------

// `kinds: [services]` used to load, never match, and make webhook-config register
// every resource; each is now refused where it is written, with a suggestion.
TEST(LoaderStrictness, AKindThatNamesNoKnownResourceIsRefusedWithASuggestion) {
  struct Case {
    std::string kind, message;
  };
  for (const Case& c : std::vector<Case>{
           {"services", "unknown kind \"services\"; did you mean \"Service\"?"},
           {"core/Services", "unknown kind \"core/Services\"; did you mean \"core/Service\"?"},
           {"v1/Service", "\"v1\" is an API version, not a group; did you mean \"core/v1/Service\"?"},
           {"deployment", "unknown kind \"deployment\"; did you mean \"Deployment\"?"},
           {"apps/Deploymnet", "unknown kind \"apps/Deploymnet\"; did you mean \"apps/Deployment\"?"},
           {"apps/ConfigMap", "ConfigMap is in the core group; did you mean \"core/ConfigMap\"?"},
           {"app/Deployment", "unknown API group \"app\"; did you mean \"apps/Deployment\"?"},
           {"Apps/v1/Deployment", "unknown API group \"Apps\"; did you mean \"apps/v1/Deployment\"?"},
           {"helm.toolkit.fluxcd.io/HelmReleases",
            "unknown kind \"helm.toolkit.fluxcd.io/HelmReleases\"; did you mean \"helm.toolkit.fluxcd.io/HelmRelease\"?"},
           {"networking.k8s.i/Ingress", "unknown API group \"networking.k8s.i\"; did you mean \"networking.k8s.io/Ingress\"?"},
           {"*.toolkit.fluxcd.io/Kustomizaton",
            "unknown kind \"*.toolkit.fluxcd.io/Kustomizaton\"; did you mean \"*.toolkit.fluxcd.io/Kustomization\"?"},
           {"Widget", "unknown kind \"Widget\": not a Kubernetes, Flux or Argo CD kind; a custom resource's kind is "
                      "written with its group, e.g. \"example.com/Widget\""},
           {"apps/v/Deployment", "\"v\" is not an API version"},
           {"*Sett", "\"*Sett\" matches no known kind"},
           {"apps/*Job", "\"apps/*Job\" matches no kind of the group apps"},
           {"mycompany/Widget", "unknown API group \"mycompany\": not a Kubernetes group, and a custom resource's group has a dot"},
       }) {
    std::string text = policy_yaml("p1", "  match:\n    kinds: [Pod, \"" + c.kind + "\"]\n" + kMinimalSpec);
    expect_one_error(text, "\"" + c.kind + "\"", "p1", "spec.match.kinds[1]: " + c.message);
  }
  // frozen.ignore's kinds are read the same way.
  std::string ignore = policy_yaml(
      "p2", "  rules:\n    - name: r\n      frozen:\n        ignore:\n          - {path: spec.suspend, kinds: [Kustomizations]}\n");
  expect_one_error(ignore, "Kustomizations", "p2",
                   "spec.rules[0].frozen.ignore[0].kinds[0]: unknown kind \"Kustomizations\"; did you mean \"Kustomization\"?");
}

// `kinds: []` and `namespaces: []` loaded as "every kind" / "every namespace", and
// webhook-config then registered apiGroups ["*"], resources ["*"]: an emptied list
// (a template with no input, the last entry deleted) widened the policy to everything.
TEST(LoaderStrictness, AnEmptyKindsOrNamespacesListIsAnErrorNotEverything) {
  expect_one_error(policy_yaml("p1", "  match:\n    kinds: []\n" + kMinimalSpec), "kinds: ^[]", "p1",
                   "spec.match.kinds: must name at least one kind (leave the field out, or write \"*\", for every kind)");
  expect_one_error(policy_yaml("p2", "  match:\n    namespaces: []\n" + kMinimalSpec), "namespaces: ^[]", "p2",
                   "spec.match.namespaces: must name at least one namespace (leave the field out, or write \"*\", for "
                   "every namespace)");
  // Left out, or "*": every kind and namespace, as documented.
  EXPECT_TRUE(load(policy_yaml("p3", "  match:\n    kinds: [\"*\"]\n    namespaces: [\"*\"]\n" + kMinimalSpec)).ok());
  EXPECT_TRUE(load(policy_yaml("p4", kMinimalSpec)).ok());
}

TEST(LoaderStrictness, EveryDocumentedKindFormStillLoads) {
  std::string text = policy_yaml("p1", R"(  match:
    kinds:
      - "*"
      - Pod
      - Service
      - core/ConfigMap
      - core/v1/Secret
      - apps/Deployment
      - apps/v1/StatefulSet
      - "apps/*/DaemonSet"
      - "*/v1/Secret"
      - "apps/v1/Deploy*"
      - "*Set"
      - policy/PodDisruptionBudget
      - helm.toolkit.fluxcd.io/HelmRelease
      - argoproj.io/Application
      - ApplicationSet
      - "*.toolkit.fluxcd.io/*"
      - example.com/Widget
      - example.com/v1/Widget
      - "*.example.com/Gadget"
      - gateway.networking.k8s.io/HTTPRoute
)" + kMinimalSpec);
  LoadResult r = load(text);
  ASSERT_TRUE(r.ok()) << r.error_text();
}

// `apiVersion: driftgate.io/v1alpha1` was taken for another tool's document: the
// set loaded without the policy and `check` said "0 policies ... are valid".
TEST(LoaderStrictness, NearMissesOfOurApiVersionAreErrorsNotForeignDocuments) {
  for (std::string api : {"driftgate.io/v1alpha1", "driftgat.dev/v1alpha1", "Driftgate.dev/v1alpha1",
                          "drfitgate.dev/v1alpha1", "policies.driftgate.dev/v1alpha1", "driftgate.dev.io/v1alpha1",
                          "driftgate/v1alpha1"}) {
    for (std::string kind : {"Policy", "PolicyTest", "Polcy"}) {
      std::string text = "apiVersion: " + api + "\nkind: " + kind + "\nmetadata: {name: x}\n";
      expect_one_error(text, api, "", "apiVersion \"" + api + "\" is not driftgate's; did you mean \"driftgate.dev/v1alpha1\"?");
    }
  }
}

TEST(LoaderStrictness, APolicyOrPolicyTestUnderAnUnknownApiVersionIsAnError) {
  for (std::string api : {"v1alpha1", "v1", "policy/v1", "example.com/version1", "example.com"}) {
    for (std::string kind : {"Policy", "PolicyTest"}) {
      std::string text = "apiVersion: " + api + "\nkind: " + kind + "\nmetadata: {name: x}\n";
      expect_one_error(text, api, "", "apiVersion \"" + api + "\" is not known for kind " + kind);
    }
  }
  // Another tool's Policy (a group with a dot, a Kubernetes version) is still not ours.
  for (std::string api : {"kyverno.io/v1", "kyverno.io/v2beta1", "iam.services.k8s.aws/v1alpha1"}) {
    LoadResult r = load(policy_yaml("mine", kMinimalSpec) + "---\napiVersion: " + api + "\nkind: Policy\nmetadata: {name: theirs}\n");
    ASSERT_TRUE(r.ok()) << api << "\n" << r.error_text();
    EXPECT_EQ(r.set->policies().size(), 1u);
  }
}

// `require: [spec.containers[*]]` asked nothing of each element: it loaded and
// never reported a violation.
TEST(LoaderStrictness, RequireOnAPathEndingInAWildcardIsAnErrorThatSaysWhatToWrite) {
  struct Case {
    std::string path, message;
  };
  for (const Case& c : std::vector<Case>{
           {"spec.containers[*]", "\"spec.containers[*]\" ends in a wildcard, so it requires nothing of each element: "
                                  "write spec.containers to require the list, or spec.containers[*].<field> to require "
                                  "a field of every element"},
           {"metadata.labels.*", "\"metadata.labels.*\" ends in a wildcard"},
           {"spec.**", "\"spec.**\" ends in a wildcard"},
       }) {
    std::string text = policy_yaml("p1", "  rules:\n    - name: r\n      require: [spec.ok, \"" + c.path + "\"]\n");
    expect_one_error(text, "\"" + c.path + "\"", "p1", "spec.rules[0].require[1]: " + c.message);
  }
}

// ---- reading a directory -------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("driftgate-loader-" + std::string(info->name()) + "-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  void write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

TEST(LoaderFiles, ReadsYamlFilesRecursivelyInSortedOrder) {
  TempDir dir;
  dir.write("b.yaml", policy_yaml("b", kMinimalSpec));
  dir.write("a/z.yml", policy_yaml("az", kMinimalSpec));
  dir.write("a/notes.txt", "not yaml");
  dir.write("README.md", "# docs");
  dir.write(".hidden.yaml", policy_yaml("hidden", kMinimalSpec));
  dir.write(".git/config.yaml", policy_yaml("git", kMinimalSpec));
  auto files = read_policy_files(dir.path());
  ASSERT_TRUE(files.ok()) << files.error();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, (dir.path() / "a/z.yml").string());
  EXPECT_EQ((*files)[1].path, (dir.path() / "b.yaml").string());
  EXPECT_EQ((*files)[1].text, policy_yaml("b", kMinimalSpec));

  LoadResult r = load_directory(dir.path());
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.files, 2u);
  ASSERT_EQ(r.set->policies().size(), 2u);
  EXPECT_EQ(r.set->policies()[0].name, "az");
}

TEST(LoaderFiles, AConfigMapVolumeIsReadOnce) {
  // The kubelet's layout: real files in a timestamped folder, `..data` pointing at
  // it, and one symlink per key at the top.
  TempDir dir;
  dir.write("..2026_11_22_18_00_00.123456789/gitops.yaml", policy_yaml("gitops", kMinimalSpec));
  dir.write("..2026_11_22_18_00_00.123456789/pinning.yaml", policy_yaml("pinning", kMinimalSpec));
  fs::create_directory_symlink("..2026_11_22_18_00_00.123456789", dir.path() / "..data");
  fs::create_symlink("..data/gitops.yaml", dir.path() / "gitops.yaml");
  fs::create_symlink("..data/pinning.yaml", dir.path() / "pinning.yaml");

  auto files = read_policy_files(dir.path());
  ASSERT_TRUE(files.ok()) << files.error();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, (dir.path() / "gitops.yaml").string());
  EXPECT_EQ((*files)[1].path, (dir.path() / "pinning.yaml").string());

  LoadResult r = load_directory(dir.path());
  ASSERT_TRUE(r.ok()) << r.error_text() << "a second copy would be a duplicate policy name";
  EXPECT_EQ(r.set->policies().size(), 2u);
}

TEST(LoaderFiles, FollowsSymlinkedFoldersThatAreNotHidden) {
  TempDir dir;
  dir.write("real/p.yaml", policy_yaml("p", kMinimalSpec));
  TempDir outside;
  outside.write("q.yaml", policy_yaml("q", kMinimalSpec));
  fs::create_directory_symlink(outside.path(), dir.path() / "linked");
  LoadResult r = load_directory(dir.path());
  ASSERT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.set->policies().size(), 2u);
}

TEST(LoaderFiles, FileSizeLimitNamesTheFileAndTheLimit) {
  TempDir dir;
  dir.write("small.yaml", policy_yaml("s", kMinimalSpec));
  dir.write("huge.yaml", std::string(2048, '#'));
  auto files = read_policy_files(dir.path(), {.max_file_bytes = 1024});
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error(), (dir.path() / "huge.yaml").string() + ": file is larger than the limit of 1024 bytes");

  LoadResult r = load_directory(dir.path(), {.max_file_bytes = 1024});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("larger than the limit of 1024 bytes"), std::string::npos);
}

TEST(LoaderFiles, NotADirectory) {
  TempDir dir;
  auto files = read_policy_files(dir.path() / "absent");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error(), (dir.path() / "absent").string() + ": not a directory");
  LoadResult r = load_directory(dir.path() / "absent");
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 0);
}

}  // namespace
}  // namespace driftgate::policy

namespace driftgate::policy {
namespace {

// Rule types are one list (policy/rule_types.h): the names, the reader table and
// the dispatch all come from it, in its order.
TEST(RuleTypes, TheListNamesEveryTypeAndEachNameReadsItsType) {
  const std::vector<std::string_view> names(kRuleTypeNames.begin(), kRuleTypeNames.end());
  EXPECT_EQ(names, (std::vector<std::string_view>{"frozen", "exclusive", "require", "forbid", "pattern", "immutable",
                                                  "monotonic", "mutate", "expect", "deny"}));
  EXPECT_TRUE(takes_when_and_for_each("expect"));
  EXPECT_TRUE(takes_when_and_for_each("deny"));
  EXPECT_FALSE(takes_when_and_for_each("require"));
  EXPECT_FALSE(takes_when_and_for_each("no-such-type"));
}

// Patch values are compiled at load into json::Writer steps: a part without a
// template is one value serialised then, each string that holds a template a
// template (rendered per request, nothing parsed then).
TEST(RuleTypes, PatchValuesAreCompiledAtLoad) {
  auto r = load_sources({{"p.yaml", R"(apiVersion: driftgate.dev/v1alpha1
kind: Policy
metadata: {name: p}
spec:
  rules:
    - name: stamp
      mutate:
        patch:
          - {op: add, path: /metadata/annotations, value: {a: "by {{user}}", b: [1, true]}}
)"}});
  ASSERT_TRUE(r.ok()) << r.error_text();
  const auto& op = std::get<Mutate>(r.set->policies()[0].rules[0].spec).patch[0];
  using Kind = PatchOperation::Piece::Kind;
  ASSERT_EQ(op.compiled.size(), 6u);
  EXPECT_EQ(op.compiled[0].kind, Kind::BeginObject);
  EXPECT_EQ(op.compiled[1].kind, Kind::Key);
  EXPECT_EQ(op.compiled[1].text, "a");
  ASSERT_EQ(op.compiled[2].kind, Kind::Template);
  ASSERT_TRUE(op.compiled[2].string_template.has_value());
  EXPECT_TRUE(op.compiled[2].string_template->uses(Variable::User));
  EXPECT_EQ(op.compiled[3].kind, Kind::Key);
  EXPECT_EQ(op.compiled[3].text, "b");
  EXPECT_EQ(op.compiled[4].kind, Kind::Value);
  EXPECT_EQ(op.compiled[4].text, "[1,true]");
  EXPECT_EQ(op.compiled[5].kind, Kind::EndObject);
  EXPECT_EQ(judges(r.set->policies()[0].rules[0].spec), Judges::Patch);
}

}  // namespace
}  // namespace driftgate::policy
