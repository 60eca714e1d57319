#pragma once
// The outcome of evaluating one request against a policy set.
#include <string>
#include <vector>

#include "policy/policy.h"

namespace driftgate::engine {

struct Violation {
  std::string policy;
  std::string rule;
  policy::Mode mode = policy::Mode::Enforce;
  std::string message;             // rendered template or default message
  std::vector<std::string> paths;  // concrete paths, printed in path syntax
  bool bypassed = false;           // allowed by a valid break-glass write
};

struct BreakGlassWrite {
  std::string policy;
  std::string user;
  std::string until;   // as written in the annotation
  std::string reason;
  std::vector<std::string> paths;  // what the write changed that the policy guards
};

struct Decision {
  bool allowed = true;
  std::string message;                  // status.message when denied
  std::vector<Violation> violations;    // every violation, whatever its mode
  std::vector<std::string> warnings;    // Warn-mode violations and break-glass notices
  std::vector<BreakGlassWrite> break_glass;
  std::string patch;                    // JSON Patch array (mutate only), "" when none
  std::vector<std::string> matched_policies;  // policies whose match block held
};

}  // namespace driftgate::engine
