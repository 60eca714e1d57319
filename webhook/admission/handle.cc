#include "admission/handle.h"

#include "admission/review.h"
#include "audit/audit.h"
#include "json/parse.h"
#include "json/writer.h"

namespace driftgate::admission {
namespace {

// The managedFields of both objects: never read by the engine unless a policy names
// them, and often a third of a review's bytes.
constexpr std::string_view kObjectManagedFields[] = {"request", "object", "metadata", "managedFields"};
constexpr std::string_view kOldObjectManagedFields[] = {"request", "oldObject", "metadata", "managedFields"};
constexpr json::KeyPath kManagedFields[] = {kObjectManagedFields, kOldObjectManagedFields};

}  // namespace

std::string error_body(std::string_view message) {
  return json::Writer().begin_object().field("error", message).end_object().take();
}

Outcome handle(std::string_view body, engine::Endpoint endpoint, const policy::PolicySet& policies, TimePoint now,
               const Limits& limits, std::string_view webhook_group, engine::Source source,
               const Subresources& subresources) {
  const auto started = std::chrono::steady_clock::now();
  Outcome outcome;
  auto fail = [&](const std::string& why) {
    outcome.http_status = 400;
    outcome.error = why;
    outcome.body = error_body(why);
    return outcome;
  };
  json::ParseLimits parse_limits{.max_depth = limits.max_depth};
  if (!policies.reads_managed_fields()) parse_limits.omit = kManagedFields;
  auto document = json::parse(body, parse_limits);
  if (!document) return fail(document.error());
  auto review = decode(document->root);
  if (!review) return fail("not an AdmissionReview: " + review.error());

  review->request.source = source;
  if (judged_by_parent(review->request, endpoint, subresources)) [[unlikely]] {
    outcome.decision = judge_scale(review->request, review->resource_group, review->resource_version, policies, now,
                                   webhook_group, subresources, *document->arena);
  } else {
    outcome.decision = engine::evaluate(review->request, policies, now, endpoint, webhook_group);
  }
  outcome.body = encode_response(*review, outcome.decision, {.include_patch = endpoint == engine::Endpoint::Mutate});
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  outcome.audit_line = audit::decision_line(
      *review, outcome.decision,
      {.endpoint = endpoint == engine::Endpoint::Mutate ? "mutate" : "validate", .time = now, .latency = latency});
  return outcome;
}

}  // namespace driftgate::admission
