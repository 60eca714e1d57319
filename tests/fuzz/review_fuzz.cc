// Bytes -> admission::handle on /validate and /mutate against the default policy
// set: AdmissionReview decoding (v1 and v1beta1), evaluation, encoding, audit.
// Properties: a 200 answer and its audit line are valid JSON; anything else is a 400.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "admission/handle.h"
#include "fuzz_support.h"
#include "json/parse.h"

namespace {
std::shared_ptr<const driftgate::policy::PolicySet> g_policies;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_policies = driftgate::fuzz::default_policies();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace driftgate;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (auto endpoint : {engine::Endpoint::Validate, engine::Endpoint::Mutate}) {
    admission::Outcome outcome = admission::handle(body, endpoint, *g_policies, fuzz::fixed_now());
    FUZZ_CHECK(outcome.http_status == 200 || outcome.http_status == 400, outcome.body);
    auto response = json::parse(outcome.body);
    FUZZ_CHECK(response.ok(), outcome.body);
    if (outcome.http_status == 200) {
      auto audit = json::parse(outcome.audit_line);
      FUZZ_CHECK(audit.ok(), outcome.audit_line);
    } else {
      FUZZ_CHECK(outcome.audit_line.empty() && !outcome.error.empty(), outcome.error);
    }
  }
  return 0;
}
