#pragma once
// The engine: a pure function of (request, policy set, time).
#include "engine/decision.h"
#include "engine/request.h"
#include "policy/policy.h"
#include "util/time.h"

namespace driftgate::engine {

enum class Endpoint {
  Validate,  // every decision: allowed or denied, warnings
  Mutate,    // only mutates: always allowed, with a patch when a mutate rule applies
};

// `webhook_group` ("" for all) restricts evaluation to the policies of one
// registration group (policy::webhook_group). A group the set does not know
// (a registration older than the policies) evaluates every policy: a stale
// registration may cost time, never a skipped policy.
Decision evaluate(const Request& request, const policy::PolicySet& policies, TimePoint now,
                  Endpoint endpoint = Endpoint::Validate, std::string_view webhook_group = {});

}  // namespace driftgate::engine
