#include "policy/strict_reader.h"

#include <algorithm>

#include "util/suggest.h"

namespace driftgate::policy {

std::string Diagnostic::str() const {
  // Appended piece by piece: `"x" + std::string` trips GCC 12's -Wrestrict false
  // positive (the inlined insert at offset 0) at -O2 and above.
  std::string out = file;
  if (line > 0) out.append(":").append(std::to_string(line)).append(":").append(std::to_string(column));
  out.append(": ");
  if (!policy.empty()) out.append(document).append(" \"").append(policy).append("\": ");
  out.append(message);
  return out;
}

std::string list_of_choices(std::initializer_list<std::string_view> choices, std::string_view last_separator) {
  std::string out;
  std::size_t i = 0;
  for (std::string_view c : choices) {
    if (i > 0) out += i + 1 == choices.size() ? std::string(last_separator) : std::string(", ");
    out += c;
    ++i;
  }
  return out;
}

void StrictReader::error(const YAML::Node& at, const std::string& field, const std::string& message) {
  const YAML::Mark mark = at.Mark();
  std::string text = field;
  if (!text.empty()) text.append(": ");
  text.append(message);
  Diagnostic d{file_, mark.line >= 0 ? mark.line + 1 : 0, mark.column >= 0 ? mark.column + 1 : 0, document_,
               std::move(text)};
  d.document = document_kind_;
  errors_.push_back(std::move(d));
  ++error_count_;
}

std::string StrictReader::describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "\"" + n.Scalar() + "\"";
    default: return "nothing";
  }
}

std::optional<StrictReader::Header> StrictReader::read_header(const YAML::Node& doc) {
  std::string document_name;
  const YAML::Node metadata = doc["metadata"];
  if (!metadata) {
    error(doc, "", "missing metadata.name");
  } else if (expect_map(metadata, "metadata", {"name", "labels", "annotations"})) {
    if (!metadata["name"]) error(metadata, "metadata", "missing name");
    else if (auto name = scalar(metadata["name"], "metadata.name")) {
      if (name->empty()) error(metadata["name"], "metadata.name", "must not be empty");
      document_name = *name;
      name_document(*name);
    }
  }
  // After the name, so that errors at the top level name the document too.
  expect_map(doc, "", {"apiVersion", "kind", "metadata", "spec"});
  // Copy-constructed, never assigned: YAML::Node's operator= assigns the value and
  // throws InvalidNode for a missing one (found by loader_fuzz).
  const YAML::Node spec = doc["spec"];
  if (!spec) {
    error(doc, "", "missing spec");
    return std::nullopt;
  }
  return Header{std::move(document_name), spec};
}

bool StrictReader::expect_map(const YAML::Node& n, const std::string& field,
                              std::initializer_list<std::string_view> allowed) {
  if (!n.IsMap()) {
    error(n, field, "expected a mapping, found " + describe(n));
    return false;
  }
  std::vector<std::string> seen;
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    // yaml-cpp keeps both of two equal keys and lookups see the first: the second
    // would be silently ignored.
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      error(kv.first, field, "duplicate field \"" + key + "\"");
      continue;
    }
    seen.push_back(key);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      error(kv.first, field,
            "unknown field \"" + key + "\", expected one of: " + list_of_choices(allowed, ", ") +
                did_you_mean(closest(key, allowed)));
  }
  return true;
}

std::optional<std::string> StrictReader::scalar(const YAML::Node& n, const std::string& field) {
  if (!n.IsScalar()) {
    error(n, field, "expected a string, found " + describe(n));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<bool> StrictReader::boolean(const YAML::Node& n, const std::string& field) {
  if (n.IsScalar() && n.Tag() != "!") {
    if (n.Scalar() == "true") return true;
    if (n.Scalar() == "false") return false;
  }
  error(n, field, "expected true or false, found " + describe(n));
  return std::nullopt;
}

std::vector<std::string> StrictReader::string_list(const YAML::Node& n, const std::string& field) {
  std::vector<std::string> out;
  if (!n.IsSequence()) {
    error(n, field, "expected a list of strings, found " + describe(n));
    return out;
  }
  for (std::size_t i = 0; i < n.size(); ++i)
    if (auto s = scalar(n[i], field + "[" + std::to_string(i) + "]")) out.push_back(*s);
  return out;
}

std::vector<Glob> StrictReader::glob_list(const YAML::Node& n, const std::string& field) {
  std::vector<Glob> out;
  for (auto& s : string_list(n, field)) out.emplace_back(std::move(s));
  return out;
}

std::optional<path::Path> StrictReader::path_at(const YAML::Node& n, const std::string& field, std::size_t max_length) {
  auto text = scalar(n, field);
  if (!text) return std::nullopt;
  auto parsed = path::Path::parse(*text, {.max_segments = 64, .max_length = max_length});
  if (!parsed) {
    error(n, field, parsed.error());
    return std::nullopt;
  }
  return *parsed;
}

std::vector<path::Path> StrictReader::path_list(const YAML::Node& n, const std::string& field, std::size_t max_length) {
  std::vector<path::Path> out;
  if (!n.IsSequence()) {
    error(n, field, "expected a list of paths, found " + describe(n));
    return out;
  }
  for (std::size_t i = 0; i < n.size(); ++i)
    if (auto p = path_at(n[i], field + "[" + std::to_string(i) + "]", max_length)) out.push_back(std::move(*p));
  return out;
}

std::optional<std::string> StrictReader::one_of(const YAML::Node& n, const std::string& field, std::string_view what,
                                                std::initializer_list<std::string_view> allowed) {
  auto s = scalar(n, field);
  if (!s) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *s) != allowed.end()) return s;
  error(n, field,
        "unknown " + std::string(what) + " \"" + *s + "\", expected " + list_of_choices(allowed) +
            did_you_mean(closest(*s, allowed)));
  return std::nullopt;
}

}  // namespace driftgate::policy
