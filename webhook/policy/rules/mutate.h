#pragma once
// `mutate: {when, patch}`: JSON Patch operations the mutating endpoint returns
// (always, or only on a valid break-glass write). Never a violation.
#include <optional>
#include <string>
#include <vector>

#include "json/value.h"
#include "json/writer.h"
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
  // The value compiled at load into steps for json::Writer: every part without a
  // template serialised once (a Value step), and the objects and arrays around a
  // string that holds a template opened and closed step by step, so a request only
  // renders its templates. emit() replays them.
  struct Piece {
    enum class Kind { Value, Key, BeginObject, EndObject, BeginArray, EndArray, Template } kind;
    std::string text;                         // Value: one whole JSON value, as json::write wrote it; Key: the key
    std::optional<Template> string_template;  // Template: rendered and written as a string per request
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

  // The JSON Patch operations, written as the next values of `ops` (an open
  // array). `created` tracks maps the patch already adds so later operations add
  // into them instead of replacing them.
  void append_patch(const Policy& policy, const Rule& rule, const engine::RuleContext& context, json::Writer& ops,
                    std::vector<std::string>& created) const;
};

}  // namespace driftgate::policy
