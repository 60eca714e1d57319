#pragma once
// The serving policy set: reload swaps it, each request holds the set it started with.
#include "policy/policy.h"
#include "server/reloadable.h"

namespace driftgate::server {

using PolicyStore = Reloadable<const policy::PolicySet>;

}  // namespace driftgate::server
