// `driftgate test [--policies] DIR`: runs the PolicyTest documents kept beside a policy set.
// The cases are read strictly first (policytest/): a test that does not load is
// named and nothing runs. Each case is a real AdmissionReview, sent through the
// same decode -> evaluate -> encode path as the server, then checked against `expect`.
#include <algorithm>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "admission/handle.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "json/parse.h"
#include "policy/loader.h"
#include "policytest/policy_test.h"

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

void check_expectations(const policytest::Expect& expect, const admission::Outcome& outcome, CaseResult& result) {
  const engine::Decision& d = outcome.decision;
  if (expect.allowed && *expect.allowed != d.allowed)
    result.fail(std::string("expected ") + (*expect.allowed ? "allowed" : "denied") + ", got " +
                (d.allowed ? "allowed" : "denied: " + d.message));
  for (const std::string& s : expect.message)
    if (d.message.find(s) == std::string::npos)
      result.fail("status.message does not contain \"" + s + "\"; it is: \"" + d.message + "\"");
  if (expect.warnings) {
    if (expect.warnings->empty() && !d.warnings.empty()) result.fail("expected no warnings, got: " + d.warnings.front());
    for (const std::string& s : *expect.warnings)
      if (std::none_of(d.warnings.begin(), d.warnings.end(), [&](const std::string& w) { return w.find(s) != std::string::npos; }))
        result.fail("no warning contains \"" + s + "\"" + (d.warnings.empty() ? " (there are none)" : "; first: " + d.warnings.front()));
  }
  if (expect.violations) {
    std::set<std::string> expected(expect.violations->begin(), expect.violations->end()), actual;
    for (const engine::Violation& v : d.violations) actual.insert(v.policy + "/" + v.rule);
    if (expected != actual) {
      std::string got;
      for (const auto& a : actual) got += (got.empty() ? "" : ", ") + a;
      result.fail("violations differ; got [" + got + "]");
    }
  }
  if (expect.patch) {
    auto wanted = json::parse(*expect.patch);
    const bool want_none = wanted && wanted->root.is_array() && wanted->root.size() == 0;
    if (d.patch.empty()) {
      if (!want_none) result.fail("expected a patch, got none");
    } else if (want_none) {
      result.fail("expected no patch, got " + d.patch);
    } else {
      auto actual = json::parse(d.patch);
      if (!actual || !wanted || !(actual->root == wanted->root))
        result.fail("patch differs: got " + d.patch + ", expected " + *expect.patch);
    }
  }
}

struct Totals {
  int passed = 0, failed = 0;
};

void run_case(const policytest::Case& c, const policy::PolicySet& set, Totals& totals) {
  CaseResult result;
  const TimePoint now = c.now.value_or(TimePoint(Clock::now()));
  // With `parents`, a /scale request is judged by its parent as serve judges it
  // (the default --lookup-failure=deny); without, as it comes.
  admission::Subresources subresources;
  subresources.parents = c.parents.get();
  auto outcome = admission::handle(c.review, c.endpoint, set, now, {}, {}, engine::Source::Admission, subresources);
  if (outcome.http_status != 200) result.fail("the review was rejected: " + outcome.error);
  else check_expectations(c.expect, outcome, result);
  if (result.passed) {
    ++totals.passed;
    std::cout << "ok    " << c.name << "\n";
  } else {
    ++totals.failed;
    std::cout << "FAIL  " << c.name << " (" << c.position << ")\n";
    for (const std::string& f : result.failures) std::cout << "        " << f << "\n";
  }
}

}  // namespace

int test_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate test [--policies] DIR

Loads the policy set in DIR and runs every case of every `kind: PolicyTest`
document found in DIR's YAML files (docs/language.md, "PolicyTest", describes the
schema; a case on a /scale request may list the `parents` it is judged by).
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
  policy::require_policies(loaded, dir);
  auto tests = policytest::read_tests(*files);
  if (!loaded.ok() || !tests.ok()) {
    std::cerr << loaded.error_text();
    for (const policy::Diagnostic& d : tests.errors) std::cerr << d.str() << "\n";
    return kExitBadInput;
  }
  Totals totals;
  for (const policytest::Suite& suite : tests.suites) {
    std::cout << "# " << suite.name << " (" << suite.file << ")\n";
    for (const policytest::Case& c : suite.cases) run_case(c, *loaded.set, totals);
  }
  std::cout << totals.passed << " passed, " << totals.failed << " failed\n";
  if (totals.passed + totals.failed == 0) {
    std::cerr << "driftgate test: no PolicyTest cases found in " << dir << "\n";
    return kExitFailed;
  }
  return totals.failed ? kExitFailed : kExitOk;
}

}  // namespace driftgate::cli
