#pragma once
// Reading AdmissionReviews from files for the offline commands (eval, PolicyTest
// reviewFile): JSON as is, YAML converted to JSON, so that both go through the
// server's own decode path. A YAML file may hold several reviews (documents).
#include <string>
#include <vector>

#include "util/result.h"

namespace driftgate::admission {

inline constexpr std::size_t kMaxReviewFileBytes = 8u << 20;

struct ReviewText {
  std::size_t index = 1;  // the document's 1-based position in its file
  int line = 1;           // the line its first node is on
  std::string json;       // the document as JSON text
};

// Every non-empty document of the file, each as JSON text; `path` "-" reads
// standard input. A malformed file is an error naming file, line and column.
Result<std::vector<ReviewText>> read_reviews_as_json(const std::string& path);

// The one review of a file (PolicyTest's reviewFile): a file with several
// documents is an error, never its first document alone.
Result<std::string> read_review_as_json(const std::string& path);

}  // namespace driftgate::admission
