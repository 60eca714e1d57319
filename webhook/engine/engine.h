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

Decision evaluate(const Request& request, const policy::PolicySet& policies, TimePoint now,
                  Endpoint endpoint = Endpoint::Validate);

}  // namespace driftgate::engine
