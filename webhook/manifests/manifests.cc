#include "manifests/manifests.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <string_view>
#include <system_error>

#include "util/file.h"

namespace driftgate::manifests {
namespace {

namespace fs = std::filesystem;

// The 1-based starts of the text's lines.
std::vector<std::size_t> line_starts(std::string_view text) {
  std::vector<std::size_t> starts{0};
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts.push_back(i + 1);
  return starts;
}

std::string_view line_at(std::string_view text, const std::vector<std::size_t>& starts, int line) {
  if (line < 1 || static_cast<std::size_t>(line) > starts.size()) return {};
  const std::size_t begin = starts[line - 1];
  std::size_t end = text.find('\n', begin);
  if (end == std::string_view::npos) end = text.size();
  std::string_view l = text.substr(begin, end - begin);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

// helm template writes "---\n# Source: chart/templates/x.yaml\n" before each document.
std::string source_comment(std::string_view text, const std::vector<std::size_t>& starts, int line) {
  for (int l = line - 1; l >= 1; --l) {
    std::string_view s = line_at(text, starts, l);
    if (s.starts_with("---")) break;
    constexpr std::string_view kSource = "# Source: ";
    if (s.starts_with(kSource)) return std::string(s.substr(kSource.size()));
  }
  return {};
}

// Where each element of the top-level object's "items" array starts, for a JSON
// List: simdjson keeps no positions, so a small scan finds them.
std::vector<int> json_item_lines(std::string_view text) {
  std::vector<int> lines;
  int line = 1, depth = 0;
  bool in_string = false, escaped = false, in_items = false, expect_value = false;
  std::string key, last_key;
  bool reading_key = false;
  for (char c : text) {
    if (c == '\n') ++line;
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      else if (reading_key) key.push_back(c);
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (in_items && depth == 2 && expect_value && c != ']') {
      lines.push_back(line);
      expect_value = false;
    }
    switch (c) {
      case '"':
        in_string = true;
        reading_key = depth == 1;
        if (reading_key) key.clear();
        break;
      case ':':
        if (depth == 1) last_key = key;
        break;
      case '{':
      case '[':
        ++depth;
        if (c == '[' && depth == 2 && last_key == "items") {
          in_items = true;
          expect_value = true;
        }
        break;
      case '}':
      case ']':
        --depth;
        if (depth == 1) in_items = false;
        break;
      case ',':
        if (in_items && depth == 2) expect_value = true;
        break;
      default: break;
    }
    if (c != '"') reading_key = false;
  }
  return lines;
}

bool is_kustomize_file(std::string_view api_version, const fs::path& path) {
  const std::string name = path.filename().string();
  return api_version.starts_with("kustomize.config.k8s.io/") || name == "kustomization.yaml" ||
         name == "kustomization.yml" || name == "Kustomization";
}

// Why `v` is not a Kubernetes object, or "" when it is one.
std::string not_an_object(const json::Value& v) {
  if (!v.is_object()) return "not a Kubernetes object (a mapping with apiVersion, kind and metadata)";
  for (std::string_view field : {"apiVersion", "kind"})
    if (v.string_at(field).empty())
      return std::string("not a Kubernetes object: missing ") + std::string(field);
  const json::Value* metadata = v.find("metadata");
  if (!metadata || !metadata->is_object()) return "not a Kubernetes object: missing metadata";
  if (metadata->string_at("name").empty() && metadata->string_at("generateName").empty())
    return "not a Kubernetes object: missing metadata.name";
  return {};
}

}  // namespace

void read_text(const std::string& file, std::string text, Set& set) {
  ++set.files;
  auto stream = json::read_stream(text);
  if (!stream) {
    set.problems.push_back({file, 1, stream.error()});  // malformed JSON: simdjson keeps no position
    return;
  }
  const auto starts = line_starts(text);
  const auto first = text.find_first_not_of(" \t\r\n");
  const bool is_json = first != std::string::npos && (text[first] == '{' || text[first] == '[');
  for (const json::StreamDocument& d : stream->documents) {
    const std::string where = "document " + std::to_string(d.index);
    if (!d.error.empty()) {
      set.problems.push_back({file, d.line, where + ": " + d.error});
      continue;
    }
    if (d.value.is_null()) continue;  // an empty document: nothing to judge
    const std::string_view kind = d.value.is_object() ? d.value.string_at("kind") : std::string_view();
    if (d.value.is_object() && is_kustomize_file(d.value.string_at("apiVersion"), file)) {
      set.notes.push_back({file, d.line, where + ": a kustomize file, not an object (skipped: render it with kubectl kustomize and scan the output)"});
      continue;
    }
    if (kind.ends_with("List") && d.value.find("items")) {
      const json::Value& items = *d.value.find("items");
      if (!items.is_array()) {
        set.problems.push_back({file, d.line, where + ": " + std::string(kind) + " whose items is not a list"});
        continue;
      }
      const std::vector<int> lines = is_json ? json_item_lines(text) : std::vector<int>{};
      for (std::size_t i = 0; i < items.size(); ++i) {
        const int line = i < lines.size() ? lines[i] : d.line;
        const std::string why = not_an_object(items.items()[i]);
        if (!why.empty()) {
          set.problems.push_back({file, line, where + ": items[" + std::to_string(i) + "]: " + why});
          continue;
        }
        set.objects.push_back({file, d.index, static_cast<int>(i), line, source_comment(text, starts, d.line), items.items()[i]});
      }
      continue;
    }
    const std::string why = not_an_object(d.value);
    if (!why.empty()) {
      set.problems.push_back({file, d.line, where + ": " + why});
      continue;
    }
    set.objects.push_back({file, d.index, -1, d.line, source_comment(text, starts, d.line), d.value});
  }
  set.streams.push_back(std::move(*stream));
}

void read_path(const std::string& path, Set& set) {
  if (path == "-") {
    std::string text(std::istreambuf_iterator<char>(std::cin), {});
    read_text("<stdin>", std::move(text), set);
    return;
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    fs::recursive_directory_iterator it(path, fs::directory_options::none, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const fs::path& p = it->path();
      if (p.filename().string().starts_with(".")) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      const std::string ext = p.extension().string();
      if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) files.push_back(p);
    }
    if (ec) {
      set.problems.push_back({path, 0, "cannot read the directory: " + ec.message()});
      return;
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) set.problems.push_back({path, 0, "no *.yaml, *.yml or *.json files in the directory"});
    for (const fs::path& f : files) read_path(f.string(), set);
    return;
  }
  auto text = read_file(path, kMaxManifestFileBytes);
  if (!text) {
    set.problems.push_back({path, 0, text.error()});
    return;
  }
  read_text(path, std::move(*text), set);
}

}  // namespace driftgate::manifests
