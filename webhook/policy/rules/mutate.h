#pragma once
// `mutate: {when, patch}`: JSON Patch operations the mutating endpoint returns
// (always, or only on a valid break-glass write). Never a violation.
#include <optional>
#include <string>
#include <vector>

#include "json/value.h"
#include "policy/rules/rule_type.h"
#include "policy/template.h"

namespace driftgate::engine {
class RuleContext;
}

namespace driftgate::policy {

struct Policy;
struct Rule;

struct PatchOperation {
  enum class Op { Add, Replace, Remove } op;
  std::string pointer;               // RFC 6901, as written
  std::vector<std::string> tokens;   // the pointer, unescaped
  std::optional<json::Value> value;  // as written (strings may hold templates)
  // The value compiled at load: JSON text, with each string that holds a template
  // as a template rendered (and quoted) per request.
  struct Piece {
    std::string json;
    std::optional<Template> string_template;  // when set, `json` is empty
  };
  std::vector<Piece> compiled;
};

struct Mutate {
  static constexpr std::string_view kName = "mutate";
  static constexpr Judges kJudges = Judges::Patch;
  static constexpr bool kScoped = false;

  enum class When { Always, BreakGlass } when = When::Always;
  std::vector<PatchOperation> patch;

  static std::optional<Mutate> read(RuleReader& reader, const RuleSource& source);
  bool reads(Keys keys) const;
  // Mutate rules never violate: the engine asks for their patch instead.
  void check(engine::ViolationBuilder&) const {}

  // The JSON Patch operations, as comma-separated JSON objects appended to `ops`
  // (no brackets). `created` tracks maps the patch already adds so later
  // operations add into them instead of replacing them.
  void append_patch(const Policy& policy, const Rule& rule, const engine::RuleContext& context, std::string& ops,
                    std::vector<std::string>& created) const;
};

}  // namespace driftgate::policy
