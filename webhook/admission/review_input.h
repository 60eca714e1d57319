#pragma once
// Reading AdmissionReviews from files for the offline commands (eval, PolicyTest
// reviewFile): JSON as is, YAML converted to JSON, so that both go through the
// server's own decode path.
#include <string>

#include "util/result.h"

namespace driftgate::admission {

inline constexpr std::size_t kMaxReviewFileBytes = 8u << 20;

// The review as JSON text; `path` "-" reads standard input.
Result<std::string> read_review_as_json(const std::string& path);

}  // namespace driftgate::admission
