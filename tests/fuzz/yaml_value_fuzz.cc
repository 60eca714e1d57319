// Bytes as a string value read through `|yaml` (a path::Scratch over the string),
// the way policies look inside Helm values and ConfigMap data.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "json/parse.h"
#include "json/yaml.h"
#include "path/path.h"

namespace {
std::vector<driftgate::path::Path> g_paths;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  for (const char* text : {"v|yaml", "v|yaml.**", "v|yaml.a.b", "v|yaml[*]", "v|yaml.*|yaml", "v|yaml.**|yaml.**"}) {
    auto p = driftgate::path::Path::parse(text);
    if (!p) driftgate::fuzz::fail("a fuzz path parses", p.error());
    g_paths.push_back(std::move(*p));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace driftgate;
  json::Arena arena;
  std::string_view text = arena.copy({reinterpret_cast<const char*>(data), size});
  json::Member member{"v", json::Value::string(text)};
  json::Value root = json::Value::object({&member, 1});

  for (const path::Path& p : g_paths) {
    path::Scratch scratch;
    std::size_t visits = 0;
    path::walk(p, root, scratch, [&](const path::Location& location, const json::Value& value) {
      if (++visits > 10'000) return;
      (void)location.str();
      const json::Value* found = path::lookup(root, location, scratch);
      FUZZ_CHECK(found != nullptr && *found == value, location.str());
    });
  }

  // What a |yaml value parses to prints as valid JSON (the audit line and messages rely on it).
  auto doc = json::parse_yaml(text);
  if (doc) {
    std::string printed = json::to_string(doc->root);
    auto again = json::parse(printed, {.max_depth = 1024});
    FUZZ_CHECK(again.ok(), printed + "\n" + (again ? "" : again.error()));
  }
  return 0;
}
