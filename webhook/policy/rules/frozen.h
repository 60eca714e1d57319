#pragma once
// `frozen: {ignore}`: an object managed by a GitOps tool changes only through it:
// writes from anyone else are refused (CREATE with its markers, DELETE, and an
// UPDATE that changes anything but the ignored and server-set fields).
#include <optional>
#include <vector>

#include "path/path.h"
#include "policy/kind_pattern.h"
#include "policy/rules/rule_type.h"

namespace driftgate::policy {

struct Frozen {
  static constexpr std::string_view kName = "frozen";
  static constexpr Judges kJudges = Judges::Transition;
  static constexpr bool kScoped = false;

  // A path whose changes are not drift, for every kind or only for `kinds`
  // (a field such as spec.suspend is a control on Flux objects, drift on a CronJob).
  struct Ignore {
    path::Path path;
    std::vector<KindPattern> kinds;  // empty: every kind
  };
  std::vector<Ignore> ignore;

  static std::optional<Frozen> read(RuleReader& reader, const RuleSource& source);
  // frozen reads everything but always ignores the server-set fields.
  bool reads(Keys) const { return false; }
  void check(engine::ViolationBuilder& out) const;
};

}  // namespace driftgate::policy
