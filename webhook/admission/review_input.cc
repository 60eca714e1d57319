#include "admission/review_input.h"

#include <iostream>
#include <iterator>

#include "json/yaml.h"
#include "util/file.h"

namespace driftgate::admission {

Result<std::string> read_review_as_json(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (text.size() > kMaxReviewFileBytes)
      return Error{"standard input is larger than the limit of " + std::to_string(kMaxReviewFileBytes) + " bytes"};
  } else {
    auto read = read_file(path, kMaxReviewFileBytes);
    if (!read) return Error{read.error()};
    text = std::move(*read);
  }
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') return text;  // JSON
  auto doc = json::parse_yaml(text);
  if (!doc) return Error{path + ": " + doc.error()};
  return json::to_string(doc->root);
}

}  // namespace driftgate::admission
