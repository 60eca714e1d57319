#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admission/handle.h"
#include "admission/review_input.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "json/parse.h"
#include "manifests/manifests.h"
#include "policy/loader.h"

namespace driftgate::cli {
namespace {

// A Kubernetes object where a review was expected: the "kubectl kustomize . |
// driftgate eval -" of a new user. Says what to run instead.
std::optional<std::string> manifest_instead_of_review(const std::string& text, const std::string& file) {
  auto doc = json::parse(text);
  if (!doc || !doc->root.is_object()) return std::nullopt;
  const std::string_view api_version = doc->root.string_at("apiVersion"), kind = doc->root.string_at("kind");
  if (api_version.empty() || kind.empty() || kind == "AdmissionReview" || api_version.starts_with("admission.k8s.io/"))
    return std::nullopt;
  std::string out = "a Kubernetes object (";
  out.append(api_version).append(" ").append(kind).append("), not an AdmissionReview; judge manifests with ");
  out.append("`driftgate scan --manifests ").append(file).append(" --policies DIR`");
  return out;
}

}  // namespace

int eval_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate eval --policies DIR [--now RFC3339] [--mutate] [--audit] [--parents PATH] FILE...

Evaluates each AdmissionReview FILE (JSON or YAML; - reads standard input) against
the policy set in DIR exactly as `serve` would, and prints the AdmissionReview
response JSON, one line per review. A YAML file may hold several reviews (documents
separated by ---): every one is evaluated. Standard error says which file and
document each response belongs to: "FILE:LINE: document N: allowed" (or "denied:
MESSAGE", "allowed with N warnings"), in the order of the responses.
Kubernetes objects (manifests) are not reviews: judge them with `driftgate scan
--manifests FILE`.

  --policies DIR   the policy set (required)
  --now RFC3339    evaluate as if it were that time, for break-glass windows
  --mutate         answer as the /mutate endpoint (with the JSON Patch) instead of /validate
  --audit          also print each audit line to standard error
  --parents PATH   objects (manifests, `kubectl get -o yaml` output) that /scale reviews
                   are judged by, as `serve` judges them by its watch cache: a scale is an
                   UPDATE of its parent's spec.replicas (docs/subresources.md); a scale
                   whose parent is not in PATH is refused, as serve's --lookup-failure=deny

Exit status: 0 every review allowed, 3 some review denied, 2 bad input or policies.
)";
  std::string policies_dir;
  std::optional<TimePoint> now;
  bool mutate = false, audit = false;
  std::string parents_path;
  std::vector<std::string> files;
  FlagParser flags("eval", kHelp);
  flags.value("--policies", "DIR", policies_dir, {.required = true});
  flags.value("--now", "RFC3339", [&now](std::string_view v) -> std::optional<std::string> {
    now = parse_rfc3339(v);
    if (now) return std::nullopt;
    std::string refusal = "--now \"";
    return refusal.append(v).append("\" is not an RFC 3339 time such as 2026-11-22T18:00:00Z");
  });
  flags.toggle("--mutate", mutate);
  flags.toggle("--audit", audit);
  flags.value("--parents", "PATH", parents_path);
  flags.arguments("FILE", files, 1);
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;

  auto loaded = policy::load_directory(policies_dir);
  if (!loaded.ok()) {
    std::cerr << loaded.error_text();
    return kExitBadInput;
  }
  manifests::Set parent_objects;
  admission::StaticParents parents;
  admission::Subresources subresources;
  if (!parents_path.empty()) {
    manifests::read_path(parents_path, parent_objects);
    for (const manifests::Problem& p : parent_objects.problems) std::cerr << "driftgate eval: --parents " << p.str() << "\n";
    if (!parent_objects.problems.empty()) return kExitBadInput;
    for (const manifests::Object& o : parent_objects.objects) {
      if (auto added = parents.add(o.object); !added) {
        std::cerr << "driftgate eval: --parents " << o.file << ":" << o.line << ": " << added.error() << "\n";
        return kExitBadInput;
      }
    }
    subresources.parents = &parents;
  }
  const TimePoint when = now.value_or(TimePoint(Clock::now()));
  int exit_code = kExitOk;
  for (const std::string& file : files) {
    const std::string shown = file == "-" ? std::string("<stdin>") : file;
    auto reviews = admission::read_reviews_as_json(file);
    if (!reviews) {
      std::cerr << "driftgate eval: " << reviews.error() << "\n";
      exit_code = kExitBadInput;
      continue;
    }
    if (reviews->empty()) {
      std::cerr << "driftgate eval: " << shown << ": no review in the file (it is empty)\n";
      exit_code = kExitBadInput;
    }
    for (const admission::ReviewText& review : *reviews) {
      const std::string where = shown + ":" + std::to_string(review.line) + ": document " + std::to_string(review.index);
      auto outcome = admission::handle(review.json, mutate ? engine::Endpoint::Mutate : engine::Endpoint::Validate,
                                       *loaded.set, when, {}, {}, engine::Source::Admission, subresources);
      if (outcome.http_status != 200) {
        auto manifest = manifest_instead_of_review(review.json, file);
        std::cerr << "driftgate eval: " << where << ": " << (manifest ? *manifest : outcome.error) << "\n";
        exit_code = kExitBadInput;
        continue;
      }
      std::cout << outcome.body << "\n";
      std::cerr << where << ": ";
      if (!outcome.decision.allowed) std::cerr << "denied: " << outcome.decision.message;
      else if (!outcome.decision.warnings.empty())
        std::cerr << "allowed with " << outcome.decision.warnings.size() << " warning"
                  << (outcome.decision.warnings.size() == 1 ? "" : "s") << ": " << outcome.decision.warnings.front();
      else std::cerr << "allowed";
      std::cerr << "\n";
      if (audit) std::cerr << outcome.audit_line << "\n";
      if (!outcome.decision.allowed && exit_code == kExitOk) exit_code = kExitDenied;
    }
  }
  return exit_code;
}

}  // namespace driftgate::cli
