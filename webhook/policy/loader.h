#pragma once
// YAML files -> PolicySet, strictly: every error names file:line:column, the policy
// and what was expected, and a set with any error is not built.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "policy/policy.h"

namespace driftgate::policy {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the error concerns the whole file
  int column = 0;  // 1-based
  std::string policy;  // "" when not inside a policy
  std::string message;
  std::string str() const;  // file:line:column: policy "x": message
};

struct LoadLimits {
  std::size_t max_file_bytes = 1u << 20;
  std::size_t max_policies = 10'000;
  std::size_t max_regex_length = 4096;
  std::size_t max_path_length = 1024;
};

struct SourceFile {
  std::string path;  // as shown in diagnostics
  std::string text;
};

struct LoadResult {
  std::shared_ptr<const PolicySet> set;  // null when there are errors
  std::vector<Diagnostic> errors;
  std::size_t files = 0;
  bool ok() const { return errors.empty() && set; }
  std::string error_text() const;  // every diagnostic, one per line
  std::vector<std::string> error_strings() const;  // every diagnostic's str(), in order
};

// Every *.yaml / *.yml below `dir`, recursively, in sorted order. Names starting
// with '.' are skipped: a ConfigMap volume keeps its real files in `..data` and
// timestamped `..2026_...` folders beside the symlinks, which would otherwise be
// read twice.
Result<std::vector<SourceFile>> read_policy_files(const std::filesystem::path& dir, const LoadLimits& limits = {});

LoadResult load_sources(const std::vector<SourceFile>& files, const LoadLimits& limits = {});
LoadResult load_directory(const std::filesystem::path& dir, const LoadLimits& limits = {});

}  // namespace driftgate::policy
