// Bytes -> path::Path::parse; a parsed path is walked over a small document, every
// location it reaches must be found again by lookup(), and printing must round-trip:
// parse(str(p)) == p.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "json/yaml.h"
#include "path/path.h"

namespace {
driftgate::json::Document g_document;

constexpr const char* kDocument = R"yaml(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app.kubernetes.io/name: web, "a/b": x, "": empty, "with \"quotes\"": q}
  annotations: {kubectl.kubernetes.io/restartedAt: "2026-11-22T16:00:00Z"}
spec:
  replicas: 3
  values: |
    image: {tag: "1.2.3"}
    list: [1, {a: [2, 3]}, "x"]
    nested: "a: {b: c}"
  template:
    spec:
      containers:
        - {name: app, image: "nginx:1.27", ports: [{containerPort: 80}]}
        - {name: side, image: "busybox:latest", env: [{name: A, value: "1"}, {name: B}]}
  matrix: [[1, 2], [3, [4, 5]], []]
  nothing: null
)yaml";
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto doc = driftgate::json::parse_yaml(kDocument);
  if (!doc) driftgate::fuzz::fail("the walk document parses", doc.error());
  g_document = std::move(*doc);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace driftgate;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = path::Path::parse(text);
  if (!parsed) return 0;
  const path::Path& p = *parsed;

  // Printing may be longer than what was parsed (`a.b` vs `["a-b"]`): reparse
  // without the length limits, which only guard policy input.
  std::string printed = p.str();
  auto reparsed = path::Path::parse(printed, {.max_segments = 1u << 20, .max_length = 1u << 30});
  FUZZ_CHECK(reparsed.ok(), "input: " + std::string(text) + "\nprinted: " + printed + "\nerror: " +
                                (reparsed ? "" : reparsed.error()));
  FUZZ_CHECK(reparsed->segments() == p.segments(), "input: " + std::string(text) + "\nprinted: " + printed +
                                                       "\nreprinted: " + reparsed->str());
  FUZZ_CHECK(reparsed->str() == printed, printed);

  (void)p.has_wildcard();
  auto [prefix, rest] = p.split_at_last_wildcard();
  FUZZ_CHECK(prefix.join(rest).segments() == p.segments(), printed);

  path::Scratch scratch;
  std::size_t visits = 0;
  path::walk(p, g_document.root, scratch, [&](const path::Location& location, const json::Value& value) {
    if (++visits > 10'000) return;
    std::string where = location.str();
    (void)location.json_pointer();
    (void)path::covers(p, location);
    const json::Value* found = path::lookup(g_document.root, location, scratch);
    FUZZ_CHECK(found != nullptr, "path " + printed + " reached " + where + " but lookup finds nothing");
    FUZZ_CHECK(*found == value, "path " + printed + " reached " + where + " but lookup finds another value");
  });
  return 0;
}
