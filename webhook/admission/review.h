#pragma once
// AdmissionReview (admission.k8s.io/v1 and v1beta1) <-> engine Request / Decision.
#include <string>
#include <string_view>

#include "engine/decision.h"
#include "engine/request.h"
#include "json/value.h"
#include "util/result.h"

namespace driftgate::admission {

struct Review {
  std::string_view api_version;  // echoed in the response
  engine::Request request;
  std::string_view field_manager;  // options.fieldManager, "" when absent
  // request.resource's group and version (the resource written: apps v1 for
  // deployments/scale, whose object is an autoscaling/v1 Scale).
  std::string_view resource_group, resource_version;
};

// Reads a decoded AdmissionReview. Errors name the field that is wrong.
Result<Review> decode(const json::Value& root);

struct ResponseOptions {
  bool include_patch = false;  // only /mutate responses may carry a patch
};

// The AdmissionReview response JSON for a decision, in the request's apiVersion.
std::string encode_response(const Review& review, const engine::Decision& decision, const ResponseOptions& options);

// Makes warnings acceptable to the API server: no control characters, valid UTF-8,
// at most kMaxWarningLength bytes each and kMaxWarningsTotal in all.
inline constexpr std::size_t kMaxWarningLength = 256;
inline constexpr std::size_t kMaxWarningsTotal = 4096;
std::vector<std::string> sanitize_warnings(const std::vector<std::string>& warnings);

}  // namespace driftgate::admission
