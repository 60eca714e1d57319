#pragma once
// Shared by the fuzz targets: the policy set to evaluate against, a fixed clock,
// and a check that aborts (so libFuzzer records a crash) when a property fails.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "embedded_policies.h"
#include "policy/loader.h"
#include "util/time.h"

#ifndef DRIFTGATE_POLICIES_DIR
#error "DRIFTGATE_POLICIES_DIR must name the default policy set (tests/fuzz/CMakeLists.txt sets it)"
#endif

namespace driftgate::fuzz {

[[noreturn]] inline void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "property violated: %s\n%s\n", what, detail.c_str());
  std::abort();
}
#define FUZZ_CHECK(cond, detail) \
  do {                           \
    if (!(cond)) ::driftgate::fuzz::fail(#cond, (detail)); \
  } while (0)

// A fixed "now" so a crash reproduces whatever day it is replayed.
inline TimePoint fixed_now() { return *parse_rfc3339("2026-11-22T16:00:00Z"); }

// The shipped policies/ when it holds a valid set, else the embedded one.
inline std::shared_ptr<const policy::PolicySet> default_policies() {
  auto files = policy::read_policy_files(DRIFTGATE_POLICIES_DIR);
  if (files && !files->empty()) {
    auto loaded = policy::load_sources(*files);
    if (loaded.ok()) {
      std::fprintf(stderr, "fuzz: evaluating against %s (%zu files)\n", DRIFTGATE_POLICIES_DIR, files->size());
      return loaded.set;
    }
    std::fprintf(stderr, "fuzz: %s does not load, using the embedded set:\n%s\n", DRIFTGATE_POLICIES_DIR,
                 loaded.error_text().c_str());
  }
  auto embedded = policy::load_sources({{"embedded.yaml", kEmbeddedPolicies}});
  if (!embedded.ok()) fail("the embedded policy set loads", embedded.error_text());
  std::fprintf(stderr, "fuzz: evaluating against the embedded policy set\n");
  return embedded.set;
}

}  // namespace driftgate::fuzz
