#pragma once
// An entry of `kinds:` ("Kind", "group/Kind", "group/version/Kind"; the core group
// is "core"; globs in each segment), read against the built-in table of kinds
// (kube_kinds) so that a typo is refused where it is written, with a suggestion,
// instead of loading, never matching, and widening the webhook registration.
#include <string_view>

#include "util/glob.h"
#include "util/result.h"

namespace driftgate::policy {

// "Kind", "group/Kind" or "group/version/Kind"; the core group is written "core".
struct KindPattern {
  Glob group{"*"}, version{"*"}, kind{"*"};
  bool matches(std::string_view group, std::string_view version, std::string_view kind) const;
};

// The rules, in the order they are checked:
// - a literal version looks like one (v1, v1beta1, v2alpha1);
// - a kind without a group (or in group "*") is a kind of the table, or a glob that
//   matches one: a custom resource's kind is written with its group;
// - a literal group of the table has that kind (or a glob matching one of its kinds);
// - a literal group outside the table is a custom resource's: it has a dot, and is
//   not one edit from a group of the table (nor two, for a kind of that group);
// - a group glob may name custom resources too: only a near miss of a kind of a
//   group it matches is refused.
Result<KindPattern> parse_kind_pattern(std::string_view text);

}  // namespace driftgate::policy
