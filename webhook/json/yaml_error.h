#pragma once
// The text of a yaml-cpp exception, saying what is wrong where yaml-cpp does not:
// its parser's recursion guard (DepthGuard<500> in SingleDocParser) throws
// DeepRecursion with only "bad file", which names neither the cause nor the limit.
// Includes yaml-cpp: keep it out of the engine.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/exceptions.h>

#include <string>

namespace driftgate::json {

inline constexpr int kYamlParserMaxDepth = 500;  // yaml-cpp 0.7's SingleDocParser

inline std::string yaml_error_message(const YAML::Exception& e) {
  if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr)
    return "nesting is deeper than the YAML parser's limit of " + std::to_string(kYamlParserMaxDepth) + " levels";
  return e.msg;
}

}  // namespace driftgate::json
