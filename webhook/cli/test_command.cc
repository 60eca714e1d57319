// `driftgate test [--policies] DIR`: runs the PolicyTest documents kept beside a policy set.
// Each case is turned into a real AdmissionReview and sent through the same
// decode -> evaluate -> encode path as the server, then checked against `expect`.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "admission/handle.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/review_input.h"
#include "json/parse.h"
#include "json/yaml_node.h"
#include "policy/loader.h"

namespace driftgate::cli {
namespace {

struct CaseResult {
  bool passed = true;
  std::vector<std::string> failures;
  void fail(std::string why) {
    passed = false;
    failures.push_back(std::move(why));
  }
};

std::string position(const std::string& file, const YAML::Node& n) {
  return file + ":" + std::to_string(n.Mark().line + 1);
}

std::vector<std::string> strings_of(const YAML::Node& n, CaseResult& result, std::string_view field) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& item : n) {
      if (item.IsScalar()) out.push_back(item.Scalar());
      else result.fail(std::string(field) + ": expected a list of strings");
    }
  } else if (!n.IsNull()) {
    result.fail(std::string(field) + ": expected a string or a list of strings");
  }
  return out;
}

// "apps/v1" -> {apps, v1}; "v1" -> {"", v1}.
std::pair<std::string, std::string> split_api_version(std::string_view api_version) {
  auto slash = api_version.find('/');
  if (slash == std::string_view::npos) return {"", std::string(api_version)};
  return {std::string(api_version.substr(0, slash)), std::string(api_version.substr(slash + 1))};
}

std::string lower_plural(std::string_view kind) {
  std::string out;
  for (char c : kind) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (!out.empty() && out.back() == 'y') return out.substr(0, out.size() - 1) + "ies";
  if (!out.empty() && out.back() == 's') return out + "es";
  return out + "s";
}

// A full AdmissionReview from a case's `request`, with everything the case leaves
// out derived from its object the way the API server would fill it in.
std::string review_from_request(const json::Value& request, std::size_t case_number) {
  std::string_view operation = request.string_at("operation");
  if (operation.empty()) operation = "CREATE";
  const json::Value* object = request.find(operation == "DELETE" ? "oldObject" : "object");
  if (!object) object = request.find("object");
  json::Value empty;
  const json::Value& subject = object ? *object : empty;
  const json::Value* metadata = subject.find("metadata");
  auto [group, version] = split_api_version(subject.string_at("apiVersion"));
  std::string_view kind = subject.string_at("kind");

  std::string out = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{)";
  bool first = true;
  auto member = [&](std::string_view key, const std::string& json_value) {
    if (!first) out.push_back(',');
    first = false;
    json::write_string(key, out);
    out.push_back(':');
    out += json_value;
  };
  auto quoted = [](std::string_view s) {
    std::string q;
    json::write_string(s, q);
    return q;
  };
  for (const json::Member& m : request.members()) member(m.key, json::to_string(m.value));
  auto missing = [&](std::string_view key) { return request.find(key) == nullptr; };
  if (missing("uid")) member("uid", quoted("policytest-" + std::to_string(case_number)));
  if (missing("operation")) member("operation", quoted(operation));
  if (missing("kind"))
    member("kind", "{\"group\":" + quoted(group) + ",\"version\":" + quoted(version) + ",\"kind\":" + quoted(kind) + "}");
  if (missing("resource"))
    member("resource", "{\"group\":" + quoted(group) + ",\"version\":" + quoted(version) +
                           ",\"resource\":" + quoted(lower_plural(kind)) + "}");
  if (missing("namespace") && metadata && !metadata->string_at("namespace").empty())
    member("namespace", quoted(metadata->string_at("namespace")));
  if (missing("name") && metadata) member("name", quoted(metadata->string_at("name")));
  if (missing("userInfo")) member("userInfo", R"({"username":"policytest-user"})");
  if (missing("dryRun")) member("dryRun", "false");
  out += "}}";
  return out;
}

void check_expectations(const YAML::Node& expect, const admission::Outcome& outcome, json::Arena& arena,
                        CaseResult& result) {
  const engine::Decision& d = outcome.decision;
  for (const auto& kv : expect) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& want = kv.second;
    if (key == "allowed") {
      bool allowed = want.as<bool>();
      if (allowed != d.allowed)
        result.fail(std::string("expected ") + (allowed ? "allowed" : "denied") + ", got " +
                    (d.allowed ? "allowed" : "denied: " + d.message));
    } else if (key == "message") {
      for (const std::string& s : strings_of(want, result, "expect.message"))
        if (d.message.find(s) == std::string::npos)
          result.fail("status.message does not contain \"" + s + "\"; it is: \"" + d.message + "\"");
    } else if (key == "warnings") {
      auto wanted = strings_of(want, result, "expect.warnings");
      if (wanted.empty() && !d.warnings.empty()) result.fail("expected no warnings, got: " + d.warnings.front());
      for (const std::string& s : wanted)
        if (std::none_of(d.warnings.begin(), d.warnings.end(), [&](const std::string& w) { return w.find(s) != std::string::npos; }))
          result.fail("no warning contains \"" + s + "\"" + (d.warnings.empty() ? " (there are none)" : "; first: " + d.warnings.front()));
    } else if (key == "violations") {
      auto wanted = strings_of(want, result, "expect.violations");
      std::set<std::string> expected(wanted.begin(), wanted.end()), actual;
      for (const engine::Violation& v : d.violations) actual.insert(v.policy + "/" + v.rule);
      if (expected != actual) {
        std::string got;
        for (const auto& a : actual) got += (got.empty() ? "" : ", ") + a;
        result.fail("violations differ; got [" + got + "]");
      }
    } else if (key == "patch") {
      auto expected = json::from_yaml_node(want, arena);
      bool want_none = !expected || expected->is_null() || (expected->is_array() && expected->size() == 0);
      if (d.patch.empty()) {
        if (!want_none) result.fail("expected a patch, got none");
        continue;
      }
      if (want_none) {
        result.fail("expected no patch, got " + d.patch);
        continue;
      }
      auto actual = json::parse(d.patch);
      if (!actual || !(actual->root == *expected))
        result.fail("patch differs: got " + d.patch + ", expected " + json::to_string(*expected));
    } else {
      result.fail("unknown expect field \"" + key + "\", expected allowed, message, warnings, violations or patch");
    }
  }
}

struct Totals {
  int passed = 0, failed = 0;
};

void run_case(const std::string& file, const YAML::Node& c, const YAML::Node& spec, const policy::PolicySet& set,
              std::size_t number, Totals& totals) {
  CaseResult result;
  json::Arena arena;
  std::string name = c["name"] && c["name"].IsScalar() ? c["name"].Scalar() : "case " + std::to_string(number);
  for (const auto& kv : c) {
    static const std::set<std::string> kKnown = {"name", "now", "endpoint", "request", "review", "reviewFile", "expect"};
    if (!kKnown.count(kv.first.Scalar()))
      result.fail("unknown case field \"" + kv.first.Scalar() +
                  "\", expected name, now, endpoint, request, review, reviewFile or expect");
  }
  std::string review;
  try {
    if (c["request"]) {
      auto request = json::from_yaml_node(c["request"], arena);
      if (!request || !request->is_object()) result.fail("request: expected a mapping (an AdmissionReview request)");
      else review = review_from_request(*request, number);
    } else if (c["review"]) {
      auto value = json::from_yaml_node(c["review"], arena);
      if (!value) result.fail("review: " + value.error());
      else review = json::to_string(*value);
    } else if (c["reviewFile"]) {
      auto path = std::filesystem::path(file).parent_path() / c["reviewFile"].Scalar();
      auto text = read_review_as_json(path.string());
      if (!text) result.fail("reviewFile: " + text.error());
      else review = *text;
    } else {
      result.fail("a case needs request, review or reviewFile");
    }
    std::string now_text = c["now"] ? c["now"].Scalar() : spec["now"] ? spec["now"].Scalar() : "";
    std::optional<TimePoint> now = now_text.empty() ? TimePoint(Clock::now()) : parse_rfc3339(now_text);
    if (!now) result.fail("now: \"" + now_text + "\" is not an RFC 3339 time");
    std::string endpoint = c["endpoint"] ? c["endpoint"].Scalar() : "validate";
    if (endpoint != "validate" && endpoint != "mutate") result.fail("endpoint: expected validate or mutate");
    if (!c["expect"] || !c["expect"].IsMap()) result.fail("expect: missing (allowed, message, warnings, violations, patch)");
    if (result.passed) {
      auto outcome = admission::handle(review, endpoint == "mutate" ? engine::Endpoint::Mutate : engine::Endpoint::Validate,
                                       set, *now);
      if (outcome.http_status != 200) result.fail("the review was rejected: " + outcome.error);
      else check_expectations(c["expect"], outcome, arena, result);
    }
  } catch (const YAML::Exception& e) {
    result.fail(std::string("malformed case: ") + e.what());
  }
  if (result.passed) {
    ++totals.passed;
    std::cout << "ok    " << name << "\n";
  } else {
    ++totals.failed;
    std::cout << "FAIL  " << name << " (" << position(file, c) << ")\n";
    for (const std::string& f : result.failures) std::cout << "        " << f << "\n";
  }
}

}  // namespace

int test_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate test [--policies] DIR

Loads the policy set in DIR and runs every case of every `kind: PolicyTest`
document found in DIR's YAML files (docs/policies.md describes the schema).
Prints one line per case and ends with "N passed, N failed".

  --policies DIR   the policy set and its tests (or DIR alone)

Exit status: 0 all passed, 1 some case failed, 2 the policies or tests do not load,
or a usage error.
)";
  std::string dir;
  FlagParser flags("test", kHelp);
  flags.value("--policies", "DIR", dir, {.required = true, .or_argument = true});
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;

  auto files = policy::read_policy_files(dir);
  if (!files) {
    std::cerr << "driftgate test: " << files.error() << "\n";
    return kExitBadInput;
  }
  auto loaded = policy::load_sources(*files);
  if (!loaded.ok()) {
    std::cerr << loaded.error_text();
    return kExitBadInput;
  }
  Totals totals;
  std::size_t number = 0;
  for (const policy::SourceFile& file : *files) {
    std::vector<YAML::Node> docs;
    try {
      docs = YAML::LoadAll(file.text);
    } catch (const YAML::Exception&) {
      continue;  // the loader already accepted every file; unreachable in practice
    }
    for (const YAML::Node& doc : docs) {
      if (!doc.IsMap() || !doc["kind"] || doc["kind"].Scalar() != "PolicyTest") continue;
      std::string title = doc["metadata"] && doc["metadata"]["name"] ? doc["metadata"]["name"].Scalar() : file.path;
      const YAML::Node spec = doc["spec"];
      if (!spec || !spec["cases"] || !spec["cases"].IsSequence()) {
        std::cout << "FAIL  " << title << " (" << position(file.path, doc) << "): spec.cases: expected a list of cases\n";
        ++totals.failed;
        continue;
      }
      std::cout << "# " << title << " (" << file.path << ")\n";
      for (const YAML::Node& c : spec["cases"]) run_case(file.path, c, spec, *loaded.set, ++number, totals);
    }
  }
  std::cout << totals.passed << " passed, " << totals.failed << " failed\n";
  if (totals.passed + totals.failed == 0) {
    std::cerr << "driftgate test: no PolicyTest cases found in " << dir << "\n";
    return kExitFailed;
  }
  return totals.failed ? kExitFailed : kExitOk;
}

}  // namespace driftgate::cli
