#pragma once
// Does a policy's `match` block hold for a request?
#include "engine/request.h"
#include "policy/policy.h"

namespace driftgate::engine {

// Empty `kinds` names every kind.
bool kinds_match(const std::vector<policy::KindPattern>& kinds, const GroupVersionKind& kind);
bool in_subjects(const policy::Subjects& subjects, const UserInfo& user);
bool selector_holds(const policy::ObjectSelector& selector, const Request& request);
// The parts of `match` that read the request but not its object: operations,
// namespaces, excluded subjects (not kinds, not objectSelector). Lets a caller tell,
// before fetching an object, whether a policy could care about the request at all.
bool request_matches(const policy::Match& match, const Request& request);
bool matches(const policy::Match& match, const Request& request);

}  // namespace driftgate::engine
