#include "admission/review_input.h"

#include <iostream>
#include <iterator>

#include "json/stream.h"
#include "util/file.h"

namespace driftgate::admission {

Result<std::vector<ReviewText>> read_reviews_as_json(const std::string& path) {
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
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') return std::vector<ReviewText>{{1, 1, std::move(text)}};
  auto stream = json::read_stream(text);
  if (!stream) return Error{(path == "-" ? std::string("<stdin>") : path) + ": " + stream.error()};
  std::vector<ReviewText> reviews;
  for (const json::StreamDocument& d : stream->documents) {
    if (!d.error.empty())
      return Error{(path == "-" ? std::string("<stdin>") : path) + ": document " + std::to_string(d.index) + ": " +
                   d.error};
    if (!d.value.is_null()) reviews.push_back({d.index, d.line, json::to_string(d.value)});
  }
  return reviews;
}

Result<std::string> read_review_as_json(const std::string& path) {
  auto reviews = read_reviews_as_json(path);
  if (!reviews) return Error{reviews.error()};
  if (reviews->empty()) return Error{path + ": no review in the file (it is empty)"};
  if (reviews->size() > 1)
    return Error{path + ": " + std::to_string(reviews->size()) +
                 " documents; a review file holds one AdmissionReview (documents at lines " +
                 std::to_string(reviews->front().line) + " and " + std::to_string((*reviews)[1].line) + ")"};
  return std::move(reviews->front().json);
}

}  // namespace driftgate::admission
