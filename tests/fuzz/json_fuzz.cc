// Bytes -> json::parse -> json::to_string -> json::parse: the second parse succeeds
// and equals the first (what the engine reads is what the response and patch write).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "json/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace driftgate;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = json::parse(text);
  if (!first) return 0;
  std::string printed = json::to_string(first->root);
  auto second = json::parse(printed);
  FUZZ_CHECK(second.ok(), printed + "\n" + (second ? "" : second.error()));
  FUZZ_CHECK(first->root == second->root, printed);
  // Printing reaches a fixed point after one round (-0.0 prints "-0", which reads
  // back as the integer 0 and then prints "0").
  std::string reprinted = json::to_string(second->root);
  auto third = json::parse(reprinted);
  FUZZ_CHECK(third.ok() && json::to_string(third->root) == reprinted, printed + "\n" + reprinted);
  return 0;
}
