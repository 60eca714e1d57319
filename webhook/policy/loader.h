#pragma once
// YAML files -> PolicySet, strictly: every error names file:line:column, the policy
// and what was expected, and a set with any error is not built. Documents are read
// with policy/strict_reader.h, as PolicyTest documents are (policytest/).
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/policy.h"

namespace driftgate::policy {

// The apiVersion of every driftgate document (Policy, PolicyTest).
inline constexpr std::string_view kApiVersion = "driftgate.dev/v1alpha1";

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

// Reads Policy documents; other tools' documents are skipped, PolicyTest documents
// are left to policytest::read_tests. An empty result is a valid (empty) set here:
// callers that serve or register a set add require_policies().
LoadResult load_sources(const std::vector<SourceFile>& files, const LoadLimits& limits = {});

// A set without policies enforces nothing, and that is never what a policy
// directory is for: an empty ConfigMap, the wrong directory, every policy under a
// mistyped apiVersion. Turns an empty set into an error naming `directory`.
void require_policies(LoadResult& result, const std::string& directory);

// read_policy_files + load_sources + require_policies.
LoadResult load_directory(const std::filesystem::path& dir, const LoadLimits& limits = {});

}  // namespace driftgate::policy
