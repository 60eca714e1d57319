#pragma once
// Every document of a YAML stream, as YAML::LoadAll reads them, but safe from
// yaml-cpp 0.7's endless loop: a ',' where no node can start at the top level
// (",", "!tag,", "'x',", "- a\n,") is never consumed, and LoadAll returns an
// empty document for it, again and again, until memory runs out (found by
// tests/fuzz/loader_fuzz). YAML::Load (one document) is not affected.
// Header-only so both the policy loader and `driftgate test` can use it.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace driftgate::json {

// Throws YAML::Exception (with a mark) like YAML::LoadAll.
inline std::vector<YAML::Node> load_all_documents(const std::string& text) {
  // A first, event-only pass counts documents. Every document after the first
  // starts at a "---" (or follows a "..."), so more documents than those
  // markers means the parser is looping.
  std::size_t markers = 0;
  for (std::string_view marker : {"---", "..."})
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) ++markers;

  struct DocumentCounter : YAML::EventHandler {
    std::size_t limit = 0;
    std::size_t documents = 0;
    void OnDocumentStart(const YAML::Mark& mark) override {
      if (++documents > limit)
        throw YAML::ParserException(mark, "a ',' outside a flow collection ([...] or {...}) where no value can start");
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  } counter;
  counter.limit = markers + 1;
  std::istringstream input(text);
  YAML::Parser parser(input);
  while (parser.HandleNextDocument(counter)) {
  }
  return YAML::LoadAll(text);
}

}  // namespace driftgate::json
