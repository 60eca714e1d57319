#pragma once
// One AdmissionReview body in, one HTTP answer out: the whole request path the
// server and the CLI share (decode -> evaluate -> encode -> audit line).
#include <string>
#include <string_view>

#include "admission/scale_parent.h"
#include "engine/decision.h"
#include "engine/engine.h"
#include "policy/policy.h"
#include "util/time.h"

namespace driftgate::admission {

// {"error":"..."}: the body of every non-200 answer (a review that does not
// parse here, a refused request in the server), so a client, or a human reading
// the API server's log, sees which limit or rule it hit.
std::string error_body(std::string_view message);

struct Limits {
  std::size_t max_depth = 128;  // JSON nesting
};

struct Outcome {
  int http_status = 200;       // 200 for every decision, 400 for a body that is not a review
  std::string body;            // the AdmissionReview response, or {"error": "..."} on 400
  std::string audit_line;      // "" when no decision was made (400)
  engine::Decision decision;   // for metrics
  std::string error;           // the 400 reason
};

// `webhook_group`: see engine::evaluate; the server takes it from the path
// (/validate/<group>, /mutate/<group>). `source`: engine::Source; the server and
// `eval` judge admission requests, `scan --manifests` what Git holds.
// `subresources`: how a /scale write is judged by its parent (admission/scale_parent.h);
// the default judges it as it comes. Requests that are not a /scale never look anything up.
Outcome handle(std::string_view body, engine::Endpoint endpoint, const policy::PolicySet& policies, TimePoint now,
               const Limits& limits = {}, std::string_view webhook_group = {},
               engine::Source source = engine::Source::Admission, const Subresources& subresources = {});

}  // namespace driftgate::admission
