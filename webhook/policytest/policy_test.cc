#include "policytest/policy_test.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "admission/object_review.h"
#include "admission/review.h"
#include "admission/review_input.h"
#include "json/parse.h"
#include "json/yaml_documents.h"
#include "json/yaml_node.h"
#include "policy/strict_reader.h"

namespace driftgate::policytest {

std::size_t ReadResult::cases() const {
  std::size_t n = 0;
  for (const Suite& s : suites) n += s.cases.size();
  return n;
}

namespace {

// The fields of an AdmissionReview `request` (k8s.io/api admission/v1 AdmissionRequest).
const std::initializer_list<std::string_view> kRequestFields = {
    "uid",       "kind",     "resource", "subResource", "requestKind", "requestResource", "requestSubResource",
    "name",      "namespace", "operation", "userInfo",   "object",      "oldObject",       "dryRun",
    "options"};

class TestReader : policy::StrictReader {
 public:
  TestReader(const std::string& file, std::vector<policy::Diagnostic>& errors)
      : StrictReader(file, errors, "PolicyTest") {}

  std::optional<Suite> read(const YAML::Node& doc, std::size_t& case_number);

 private:
  std::optional<TimePoint> time_at(const YAML::Node& n, const std::string& field) {
    auto text = scalar(n, field);
    if (!text) return std::nullopt;
    auto t = parse_rfc3339(*text);
    if (!t) error(n, field, "\"" + *text + "\" is not an RFC 3339 time such as 2026-11-22T18:00:00Z");
    return t;
  }
  std::vector<std::string> strings(const YAML::Node& n, const std::string& field) {
    if (n.IsScalar()) return {n.Scalar()};
    return string_list(n, field);
  }
  std::optional<Case> read_case(const YAML::Node& n, const std::string& field, std::size_t number);
  std::optional<std::string> read_request(const YAML::Node& n, const std::string& field, std::size_t number);
  std::optional<std::string> read_review(const YAML::Node& n, const std::string& field);
  std::optional<std::string> read_review_file(const YAML::Node& n, const std::string& field);
  bool check_review(const std::string& json, const YAML::Node& at, const std::string& field);
  std::shared_ptr<const admission::StaticParents> read_parents(const YAML::Node& n, const std::string& field,
                                                               const std::string& review, engine::Endpoint endpoint);
  void read_expect(const YAML::Node& n, const std::string& field, Expect& expect, engine::Endpoint endpoint);

  json::Arena arena_;
};

std::optional<Suite> TestReader::read(const YAML::Node& doc, std::size_t& case_number) {
  const std::size_t before = error_count();
  Suite suite;
  suite.file = file();
  auto header = read_header(doc);
  if (!header) return std::nullopt;
  suite.name = header->name;
  const YAML::Node spec = header->spec;
  if (!expect_map(spec, "spec", {"now", "cases"})) return std::nullopt;
  std::optional<TimePoint> now;
  if (spec["now"]) now = time_at(spec["now"], "spec.now");
  const YAML::Node cases = spec["cases"];
  if (!cases) {
    error(spec, "spec", "missing cases");
  } else if (!cases.IsSequence() || cases.size() == 0) {
    error(cases, "spec.cases", "expected a non-empty list of cases, found " + describe(cases));
  } else {
    std::map<std::string, int> first_line;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const std::string field = "spec.cases[" + std::to_string(i) + "]";
      // Names first, so a duplicate is reported whatever else is wrong with either case.
      const YAML::Node name = cases[i].IsMap() ? cases[i]["name"] : YAML::Node();
      if (name && name.IsScalar()) {
        auto [it, inserted] = first_line.try_emplace(name.Scalar(), name.Mark().line + 1);
        if (!inserted)
          error(name, field + ".name",
                "duplicate case name \"" + name.Scalar() + "\", first at line " + std::to_string(it->second));
      }
      auto c = read_case(cases[i], field, ++case_number);
      if (!c) continue;
      if (!c->now) c->now = now;
      suite.cases.push_back(std::move(*c));
    }
  }
  if (error_count() != before) return std::nullopt;
  return suite;
}

std::optional<Case> TestReader::read_case(const YAML::Node& n, const std::string& field, std::size_t number) {
  if (!expect_map(n, field, {"name", "now", "endpoint", "request", "review", "reviewFile", "parents", "expect"}))
    return std::nullopt;
  const std::size_t before = error_count();
  Case c;
  c.position = file() + ":" + std::to_string(n.Mark().line + 1);
  if (!n["name"]) error(n, field, "missing name");
  else if (auto name = scalar(n["name"], field + ".name")) {
    if (name->empty()) error(n["name"], field + ".name", "must not be empty");
    c.name = *name;
  }
  if (n["now"]) c.now = time_at(n["now"], field + ".now");
  if (n["endpoint"])
    if (auto e = one_of(n["endpoint"], field + ".endpoint", "endpoint", {"validate", "mutate"}))
      c.endpoint = *e == "mutate" ? engine::Endpoint::Mutate : engine::Endpoint::Validate;

  std::vector<std::string> given;
  for (const char* key : {"request", "review", "reviewFile"})
    if (n[key]) given.emplace_back(key);
  if (given.empty()) {
    error(n, field, "a case needs one of request, review or reviewFile");
  } else if (given.size() > 1) {
    error(n[given[1]], field, "a case takes one of request, review and reviewFile, found " + given[0] + " and " + given[1]);
  } else {
    const std::string& key = given[0];
    std::optional<std::string> review = key == "request"  ? read_request(n[key], field + ".request", number)
                                        : key == "review" ? read_review(n[key], field + ".review")
                                                          : read_review_file(n[key], field + ".reviewFile");
    if (review) c.review = std::move(*review);
  }
  if (n["parents"]) c.parents = read_parents(n["parents"], field + ".parents", c.review, c.endpoint);
  if (!n["expect"]) error(n, field, "missing expect (allowed, message, warnings, violations, patch)");
  else read_expect(n["expect"], field + ".expect", c.expect, c.endpoint);
  if (error_count() != before) return std::nullopt;
  return c;
}

std::optional<std::string> TestReader::read_request(const YAML::Node& n, const std::string& field, std::size_t number) {
  const std::size_t before = error_count();
  if (!expect_map(n, field, kRequestFields)) return std::nullopt;
  std::string operation = "CREATE";
  if (n["operation"])
    if (auto op = one_of(n["operation"], field + ".operation", "operation", {"CREATE", "UPDATE", "DELETE", "CONNECT"}))
      operation = *op;
  // With a misspelled field or operation, what the request is about is unknown:
  // guessing would only add errors that follow from the first.
  if (error_count() != before) return std::nullopt;
  if (n["userInfo"] && expect_map(n["userInfo"], field + ".userInfo", {"username", "uid", "groups", "extra"})) {
    if (n["userInfo"]["username"]) scalar(n["userInfo"]["username"], field + ".userInfo.username");
    if (n["userInfo"]["groups"]) string_list(n["userInfo"]["groups"], field + ".userInfo.groups");
  }
  for (const char* key : {"object", "oldObject"})
    if (n[key] && !n[key].IsNull() && !n[key].IsMap())
      error(n[key], field + "." + key, "expected a mapping (a Kubernetes object), found " + describe(n[key]));
  // The object the API server derives the request from: what the request is about.
  const char* subject_key = operation == "DELETE" ? "oldObject" : "object";
  const YAML::Node subject = n[subject_key];
  if (operation == "DELETE" && n["object"] && !n["object"].IsNull())
    error(n["object"], field + ".object", "a DELETE carries the stored object in oldObject; the API server sends object: null");
  if ((!subject || subject.IsNull()) && operation != "CONNECT" && !n["kind"])
    error(n, field, std::string("missing ") + subject_key + " (the " + (operation == "DELETE" ? "stored" : "written") +
                        " object the request is derived from)");
  else if (subject && subject.IsMap() && !n["kind"])
    for (const char* key : {"apiVersion", "kind"})
      if (!subject[key] || !subject[key].IsScalar() || subject[key].Scalar().empty())
        error(subject, field + "." + subject_key,
              std::string("missing ") + key + " (the request's kind and resource are derived from it)");
  if (error_count() != before) return std::nullopt;
  auto request = json::from_yaml_node(n, arena_);
  if (!request) {
    error(n, field, request.error());
    return std::nullopt;
  }
  std::string review = admission::review_from_request(*request, {.uid = "policytest-" + std::to_string(number)});
  if (!check_review(review, n, field)) return std::nullopt;
  return review;
}

std::optional<std::string> TestReader::read_review(const YAML::Node& n, const std::string& field) {
  auto value = json::from_yaml_node(n, arena_);
  if (!value) {
    error(n, field, value.error());
    return std::nullopt;
  }
  std::string review = json::to_string(*value);
  if (!check_review(review, n, field)) return std::nullopt;
  return review;
}

std::optional<std::string> TestReader::read_review_file(const YAML::Node& n, const std::string& field) {
  auto name = scalar(n, field);
  if (!name) return std::nullopt;
  const auto path = std::filesystem::path(file()).parent_path() / *name;
  auto text = admission::read_review_as_json(path.string());
  if (!text) {
    error(n, field, text.error());
    return std::nullopt;
  }
  if (!check_review(*text, n, field)) return std::nullopt;
  return std::move(*text);
}

// What the server would answer 400 to fails at load, naming the case, instead of
// at run time as "the review was rejected".
bool TestReader::check_review(const std::string& review, const YAML::Node& at, const std::string& field) {
  auto doc = json::parse(review);
  if (!doc) {
    error(at, field, "not JSON: " + doc.error());
    return false;
  }
  auto decoded = admission::decode(doc->root);
  if (!decoded) {
    error(at, field, "not an AdmissionReview request: " + decoded.error());
    return false;
  }
  return true;
}

// A list of objects, each with apiVersion, kind and metadata.name (namespace as
// the object says), the way `eval --parents` reads its files. Only a /scale
// request is judged by a parent: on any other request the list would be silently
// unused, so it is an error. An empty list is allowed: no parent is found, so the
// case tests the lookup-failure answer.
std::shared_ptr<const admission::StaticParents> TestReader::read_parents(const YAML::Node& n, const std::string& field,
                                                                         const std::string& review,
                                                                         engine::Endpoint endpoint) {
  if (!n.IsSequence()) {
    error(n, field, "expected a list of objects (apiVersion, kind, metadata), found " + describe(n));
    return nullptr;
  }
  if (!review.empty()) {  // empty: the request already has an error of its own
    // The server's own test (admission::judged_by_parent), with some lookup given.
    const admission::StaticParents none;
    auto doc = json::parse(review);
    auto decoded = doc ? admission::decode(doc->root) : Result<admission::Review>(Error{""});
    if (!decoded || !admission::judged_by_parent(decoded->request, endpoint, {.parents = &none})) {
      error(n, field,
            "parents are only looked up for a /scale request (a validating UPDATE with subResource scale); "
            "this case's request is not one");
      return nullptr;
    }
  }
  auto parents = std::make_shared<admission::StaticParents>();
  const std::size_t before = error_count();
  for (std::size_t i = 0; i < n.size(); ++i) {
    const YAML::Node o = n[i];
    const std::string at = field + "[" + std::to_string(i) + "]";
    if (!o.IsMap()) {
      error(o, at, "expected a mapping (a Kubernetes object), found " + describe(o));
      continue;
    }
    auto value = json::from_yaml_node(o, arena_);
    if (!value) {
      error(o, at, value.error());
      continue;
    }
    if (auto added = parents->add(*value); !added) error(o, at, added.error());
  }
  if (error_count() != before) return nullptr;
  return parents;
}

void TestReader::read_expect(const YAML::Node& n, const std::string& field, Expect& expect, engine::Endpoint endpoint) {
  if (!expect_map(n, field, {"allowed", "message", "warnings", "violations", "patch"})) return;
  if (n.size() == 0) error(n, field, "expects nothing: give allowed, message, warnings, violations or patch");
  if (n["allowed"]) expect.allowed = boolean(n["allowed"], field + ".allowed");
  if (n["message"]) expect.message = strings(n["message"], field + ".message");
  if (n["warnings"]) expect.warnings = n["warnings"].IsNull() ? std::vector<std::string>{} : strings(n["warnings"], field + ".warnings");
  if (n["violations"]) {
    std::vector<std::string> list = n["violations"].IsNull() ? std::vector<std::string>{} : strings(n["violations"], field + ".violations");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto slash = list[i].find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == list[i].size())
        error(n["violations"].IsSequence() ? n["violations"][i] : n["violations"], field + ".violations",
              "\"" + list[i] + "\" is not policy/rule");
    }
    expect.violations = std::move(list);
  }
  if (const YAML::Node patch = n["patch"]) {
    if (endpoint != engine::Endpoint::Mutate && !(patch.IsSequence() && patch.size() == 0) && !patch.IsNull())
      error(patch, field + ".patch", "only endpoint: mutate answers with a patch; add endpoint: mutate to the case");
    if (!patch.IsNull() && !patch.IsSequence()) {
      error(patch, field + ".patch", "expected a list of JSON Patch operations, found " + describe(patch));
    } else if (auto value = json::from_yaml_node(patch, arena_)) {
      expect.patch = patch.IsNull() ? std::string("[]") : json::to_string(*value);
    } else {
      error(patch, field + ".patch", value.error());
    }
  }
}

}  // namespace

ReadResult read_tests(const std::vector<policy::SourceFile>& files) {
  ReadResult result;
  std::size_t case_number = 0;
  for (const policy::SourceFile& file : files) {
    std::vector<YAML::Node> docs;
    try {
      docs = json::load_all_documents(file.text);
    } catch (const YAML::Exception&) {
      continue;  // the policy loader reports malformed YAML, once
    }
    for (const YAML::Node& doc : docs) {
      if (!doc.IsMap()) continue;
      const YAML::Node api = doc["apiVersion"], kind = doc["kind"];
      if (!api || !api.IsScalar() || api.Scalar() != policy::kApiVersion || !kind || !kind.IsScalar() ||
          kind.Scalar() != "PolicyTest")
        continue;  // not a PolicyTest, or one the loader reports (a mistyped apiVersion)
      TestReader reader(file.path, result.errors);
      try {
        if (auto suite = reader.read(doc, case_number)) result.suites.push_back(std::move(*suite));
      } catch (const YAML::Exception& e) {
        result.errors.push_back({file.path, e.mark.line + 1, e.mark.column + 1, "", "malformed PolicyTest: " + e.msg});
      }
    }
  }
  return result;
}

}  // namespace driftgate::policytest
