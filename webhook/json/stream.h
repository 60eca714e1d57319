#pragma once
// A text holding Kubernetes documents, as `kubectl kustomize`, `helm template`,
// `flux build` and `kubectl get -o yaml|json` write it: a YAML stream of one or
// more documents, or one JSON value. Every document comes with its position, so
// whatever judges it can say "FILE:LINE: document N". Shared by `driftgate eval`
// (one AdmissionReview per document) and `driftgate scan --manifests`.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "json/value.h"
#include "json/yaml.h"
#include "util/result.h"

namespace driftgate::json {

struct StreamDocument {
  std::size_t index = 0;  // 1-based position in the stream, empty documents counted
  int line = 0;           // 1-based line of the document's first node
  Value value;            // null for an empty document (only comments or nothing)
  // Why the document could not be read ("malformed YAML at line 12, column 3: ..."),
  // "" when it was; the other documents of the stream are read all the same.
  std::string error{};
};

struct Stream {
  std::unique_ptr<Arena> arena = std::make_unique<Arena>();
  std::shared_ptr<const void> strings;  // the JSON parser's buffer, for a JSON text
  std::vector<StreamDocument> documents;
};

struct StreamLimits {
  std::size_t max_depth = 128;         // nesting, per document
  std::size_t max_nodes = 1'000'000;   // per document, after alias expansion
};

// Every document of `text`. A text whose first character (after white space) is
// `{` or `[` is one JSON value, and malformed JSON is an Error; anything else is a
// YAML stream, where a document that does not parse carries its error (naming
// line and column) and the others are read.
Result<Stream> read_stream(std::string_view text, const StreamLimits& limits = {});

}  // namespace driftgate::json
