#pragma once
// Kubernetes objects from rendered manifests, as CI has them: multi-document YAML
// streams (`kubectl kustomize`, `kustomize build`, `helm template` with its
// `# Source:` comments, `flux build kustomization`), JSON (`kubectl get -o json`,
// a `kind: List` included) and directories of such files. Every object keeps
// where it came from (file, document, line), so every finding can say so; what is
// not an object is a problem with file:line, never skipped in silence.
#include <cstddef>
#include <string>
#include <vector>

#include "json/stream.h"
#include "json/value.h"

namespace driftgate::manifests {

struct Object {
  std::string file;        // as given; "<stdin>" for standard input
  std::size_t document = 0;  // 1-based, in its file
  int item = -1;           // index in a List's items, -1 outside a List
  int line = 0;            // 1-based line of the object's first field
  std::string source;      // the `# Source: PATH` comment above it (helm template), or ""
  json::Value object;      // lives as long as the Set
};

struct Problem {
  std::string file;
  int line = 0;
  std::string message;
  // "FILE:LINE: MESSAGE", or "FILE: MESSAGE" for the file as a whole (line 0)
  std::string str() const {
    std::string out = file;
    if (line > 0) out.append(":").append(std::to_string(line));
    return out.append(": ").append(message);
  }
};

struct Set {
  std::vector<Object> objects;
  std::vector<Problem> problems;  // bad input: the run must fail
  std::vector<Problem> notes;     // skipped on purpose (kustomize's own files), said on stderr
  std::size_t files = 0;
  std::vector<json::Stream> streams;  // own the objects' nodes
};

inline constexpr std::size_t kMaxManifestFileBytes = 256u << 20;

// Reads a file, a directory (recursively: *.yaml, *.yml, *.json in name order;
// names starting with "." are skipped) or "-" (standard input) into `set`.
void read_path(const std::string& path, Set& set);
// Reads one text; `file` names it in positions.
void read_text(const std::string& file, std::string text, Set& set);

}  // namespace driftgate::manifests
