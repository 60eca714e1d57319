#pragma once
// An error in a policy file: where it is, which document, and what was expected.
#include <string>

namespace driftgate::policy {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the error concerns the whole file
  int column = 0;  // 1-based
  std::string policy;  // the document's name ("" when not inside a named document)
  std::string message;
  std::string document = "policy";  // what `policy` names: "policy" or "PolicyTest"
  std::string str() const;  // file:line:column: policy "x": message
};

}  // namespace driftgate::policy
