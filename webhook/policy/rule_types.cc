#include "policy/rule_types.h"

#include <utility>

namespace driftgate::policy {
namespace {

// Calls `f(std::type_identity<T>{})` for the alternative whose kName is `type`.
template <typename F, std::size_t... I>
auto with_type_named(std::string_view type, F&& f, std::index_sequence<I...>) {
  using R = decltype(f(std::type_identity<std::variant_alternative_t<0, RuleSpec>>{}));
  std::optional<R> out;
  ((std::variant_alternative_t<I, RuleSpec>::kName == type
        ? (void)out.emplace(f(std::type_identity<std::variant_alternative_t<I, RuleSpec>>{}))
        : (void)0),
   ...);
  return out;
}

template <typename F>
auto with_type_named(std::string_view type, F&& f) {
  return with_type_named(type, std::forward<F>(f), std::make_index_sequence<std::variant_size_v<RuleSpec>>{});
}

}  // namespace

std::string_view rule_type_name(const RuleSpec& spec) {
  return std::visit([](const auto& rule) { return std::string_view(std::decay_t<decltype(rule)>::kName); }, spec);
}

Judges judges(const RuleSpec& spec) {
  return std::visit([](const auto& rule) { return std::decay_t<decltype(rule)>::kJudges; }, spec);
}

bool takes_when_and_for_each(std::string_view type) {
  return with_type_named(type, [](auto t) { return decltype(t)::type::kScoped; }).value_or(false);
}

bool rule_reads(const RuleSpec& spec, Keys keys) {
  return std::visit([&](const auto& rule) { return rule.reads(keys); }, spec);
}

std::optional<RuleSpec> read_rule_spec(std::string_view type, RuleReader& reader, const RuleSource& source) {
  auto read = with_type_named(type, [&](auto t) -> std::optional<RuleSpec> {
    auto spec = decltype(t)::type::read(reader, source);
    if (!spec) return std::nullopt;
    return RuleSpec(std::move(*spec));
  });
  return read ? std::move(*read) : std::nullopt;
}

void check_rule_spec(const RuleSpec& spec, engine::ViolationBuilder& out) {
  std::visit([&](const auto& rule) { rule.check(out); }, spec);
}

}  // namespace driftgate::policy
