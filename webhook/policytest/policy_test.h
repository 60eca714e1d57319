#pragma once
// PolicyTest documents (`kind: PolicyTest`, kept beside the policies): read by the
// same strict reader as policies, so a typo in a test is an error with
// file:line:column and a suggestion (`allowd`, `opration`, `operation: delete`),
// never a case that passes by not checking or fails for an unrelated reason.
// `driftgate check` reports these errors; `driftgate test` runs the cases.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admission/scale_parent.h"
#include "engine/engine.h"
#include "json/value.h"
#include "policy/diagnostic.h"
#include "policy/loader.h"
#include "util/time.h"

namespace driftgate::policytest {

struct Expect {
  std::optional<bool> allowed;
  std::vector<std::string> message;                   // substrings of status.message
  std::optional<std::vector<std::string>> warnings;   // substrings; an empty list: no warnings at all
  std::optional<std::vector<std::string>> violations;  // exactly these policy/rule, in any order
  std::optional<std::string> patch;                   // the JSON Patch as JSON text; "[]": no patch
};

struct Case {
  std::string name;
  std::string position;  // file:line of the case
  std::string review;    // a whole AdmissionReview, JSON
  engine::Endpoint endpoint = engine::Endpoint::Validate;
  std::optional<TimePoint> now;  // none: the real clock when the case runs
  // `parents:` (docs/subresources.md): the objects a /scale request is judged by,
  // as serve's watch cache holds them; null when the case gives none (the scale is
  // judged as it comes, as with --scale-guard=off). A parent not among them is a
  // lookup failure, decided as --lookup-failure=deny. Shared: cases are copied.
  std::shared_ptr<const admission::StaticParents> parents;
  Expect expect;
};

struct Suite {
  std::string name;  // metadata.name
  std::string file;
  std::vector<Case> cases;
};

struct ReadResult {
  std::vector<Suite> suites;
  std::vector<policy::Diagnostic> errors;
  std::size_t cases() const;
  bool ok() const { return errors.empty(); }
};

// Every `driftgate.dev/v1alpha1` PolicyTest document of `files` (other documents
// are the policy loader's). A `reviewFile` is read relative to its PolicyTest file.
ReadResult read_tests(const std::vector<policy::SourceFile>& files);

// A case's `request` becomes a review through admission::review_from_request
// (admission/object_review.h), the conversion `scan` uses too; its uid is
// policytest-<n>, its user policytest-user.

}  // namespace driftgate::policytest
