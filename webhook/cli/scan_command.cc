// `driftgate scan --manifests FILE|DIR|-`: judges rendered manifests before they
// merge. Each object becomes the review of its CREATE by a CI identity through the
// one object -> review conversion (admission/object_review.h) and goes through
// admission::handle, the server's own path; what it finds is written for people
// (a summary), for machines (JSON lines) and for CI systems (JUnit, GitHub).
// Scanning the cluster itself (issue 10) will be another mode of this command.
#include <unistd.h>

#include <fstream>
#include <initializer_list>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admission/handle.h"
#include "admission/object_review.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/scan_report.h"
#include "json/parse.h"
#include "manifests/manifests.h"
#include "policy/loader.h"
#if DRIFTGATE_WITH_KUBE
#include "kube/client.h"
#include "kube/config.h"
#include "kube/discovery.h"
#include "kube/status.h"
#endif

namespace driftgate::cli {
namespace {

// Pieces joined by append: `"literal" + std::string` trips GCC 12's -Wrestrict
// false positive at -O2 and above.
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

constexpr std::string_view kCiUser = "driftgate:ci";
constexpr std::string_view kCiGroup = "driftgate:ci";

JudgedObject judge(const manifests::Object& object, const json::Value* live, const policy::PolicySet& set,
                   TimePoint now, const admission::RequestDefaults& identity, std::string_view default_namespace,
                   json::Arena& arena) {
  JudgedObject judged;
  judged.at = &object;
  const json::Value& o = object.object;
  judged.api_version = std::string(o.string_at("apiVersion"));
  judged.kind = std::string(o.string_at("kind"));
  const json::Value* metadata = o.find("metadata");
  judged.name = std::string(metadata->string_at("name"));
  if (judged.name.empty()) judged.name = cat({metadata->string_at("generateName"), "*"});
  if (admission::is_namespaced(judged.api_version, judged.kind)) {
    judged.namespace_ = std::string(metadata->string_at("namespace"));
    if (judged.namespace_.empty()) judged.namespace_ = std::string(default_namespace);
  }
  const std::string review = admission::review_for_object(
      o, {.operation = live ? "UPDATE" : "CREATE", .old_object = live, .default_namespace = default_namespace},
      identity, arena);
  // A manifest is what Git holds: `frozen` (writes outside Git) does not apply to it.
  auto outcome = admission::handle(review, engine::Endpoint::Validate, set, now, {}, {}, engine::Source::Git);
  if (outcome.http_status != 200) {
    judged.error = outcome.error;
    return judged;
  }
  judged.matched_policies = std::move(outcome.decision.matched_policies);
  judged.violations = std::move(outcome.decision.violations);
  return judged;
}

#if DRIFTGATE_WITH_KUBE
// The live objects of --cluster: one GET per manifest, at the resource and
// version discovery names for its group and kind.
class LiveObjects {
 public:
  static Result<LiveObjects> connect(const std::string& kubeconfig, const std::string& context) {
    kube::ConfigOptions options;
    options.kubeconfig = kubeconfig;
    options.context = context;
    auto config = kube::load_config(options);
    if (!config) return Error{config.error()};
    auto client = kube::Client::create(std::move(*config));
    if (!client) return Error{client.error()};
    auto discovery = kube::discover(*client);
    if (!discovery) return Error{discovery.error()};
    return LiveObjects(std::move(*client), std::move(*discovery));
  }

  // The stored object, nullopt when it does not exist (or its kind is not served:
  // a CRD this change installs), an Error when the cluster could not tell.
  Result<std::optional<json::Document>> get(const json::Value& object, std::string_view namespace_) {
    const std::string_view api_version = object.string_at("apiVersion"), kind = object.string_at("kind");
    const auto slash = api_version.find('/');
    const std::string_view group = slash == std::string_view::npos ? std::string_view() : api_version.substr(0, slash);
    const std::string_view name = object.find("metadata")->string_at("name");
    if (name.empty()) return std::optional<json::Document>();  // generateName: always a new object
    const kube::ApiResource* resource = nullptr;
    for (const kube::ApiResource& r : discovery_.resources)
      if (!r.subresource && r.group == group && r.kind == kind) resource = &r;
    if (!resource) return std::optional<json::Document>();
    std::string target = group.empty() ? cat({"/api/", resource->version}) : cat({"/apis/", group, "/", resource->version});
    if (resource->namespaced) target.append(cat({"/namespaces/", namespace_}));
    target.append(cat({"/", resource->name, "/", name}));
    auto response = client_.get(target);
    if (!response) return Error{response.error()};
    if (response->status == 404) return std::optional<json::Document>();
    if (response->status != 200) return Error{kube::describe_error(response->status, response->body, cat({"GET ", target}))};
    auto document = json::parse(response->body);
    if (!document) return Error{cat({"GET ", target, ": ", document.error()})};
    return std::optional<json::Document>(std::move(*document));
  }

 private:
  LiveObjects(kube::Client client, kube::Discovery discovery)
      : client_(std::move(client)), discovery_(std::move(discovery)) {}
  kube::Client client_;
  kube::Discovery discovery_;
};
#endif

}  // namespace

int scan_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate scan --manifests FILE|DIR|- --policies DIR [flags]

Judges rendered Kubernetes manifests against the policy set in DIR before they
merge (docs/ci.md). Reads multi-document YAML as `kubectl kustomize`, `kustomize
build`, `helm template` and `flux build kustomization` write it, JSON (a `kind:
List` too), a directory (recursively: *.yaml, *.yml, *.json, in name order) or
standard input (-). Each object is judged as the webhook would judge its CREATE by
the CI identity; every finding names file, line, document, object, policy/rule,
paths and message. Scanning the cluster itself comes with issue 10.

  --manifests FILE|DIR|-  what to judge (required)
  --policies DIR          the policy set (required)
  --as USER               the identity that writes the objects (default driftgate:ci)
  --as-group GROUP[,GROUP...]
                          its groups (default driftgate:ci)
  --namespace NS          the namespace of namespaced objects that name none (default default)
  --now RFC3339           judge as if it were that time
  --output text|json      a summary (default) or JSON lines, one finding per line (docs/ci.md)
  --junit FILE            also write JUnit XML: one testcase per object and policy
  --github                also write GitHub Actions annotations (::error / ::warning) to stdout
  --fail-on deny|warn     what fails the run: denials (default) or warnings too
  --cluster               judge each object that exists in the cluster as an UPDATE of the
                          live object (GET through the kubeconfig), the others as CREATEs
  --kubeconfig FILE       with --cluster: the kubeconfig (default $KUBECONFIG, ~/.kube/config)
  --context NAME          with --cluster: the kubeconfig context

Exit status: 0 nothing denied, 3 some object denied (or warned, with --fail-on warn),
2 bad input (a document that is no object, a file that does not parse) or policies,
4 the cluster could not be read (--cluster).
)";
  std::string manifests_path, policies_dir, as_user(kCiUser), as_groups(kCiGroup), namespace_ = "default";
  std::string output = "text", junit, fail_on = "deny";
  std::optional<TimePoint> now;
  bool github = false, cluster = false;
  std::string kubeconfig, context;
  FlagParser flags("scan", kHelp);
  flags.value("--manifests", "FILE|DIR|-", manifests_path, {.required = true});
  flags.value("--policies", "DIR", policies_dir, {.required = true});
  flags.value("--as", "USER", as_user);
  flags.value("--as-group", "GROUP", as_groups);
  flags.value("--namespace", "NS", namespace_);
  flags.value("--now", "RFC3339", [&now](std::string_view v) -> std::optional<std::string> {
    now = parse_rfc3339(v);
    if (now) return std::nullopt;
    std::string refusal = "--now \"";
    return refusal.append(v).append("\" is not an RFC 3339 time such as 2026-11-22T18:00:00Z");
  });
  flags.value("--output", "FORMAT", [&output](std::string_view v) -> std::optional<std::string> {
    output = v;
    if (v == "text" || v == "json") return std::nullopt;
    return cat({"--output must be text or json, got \"", v, "\""});
  });
  flags.value("--junit", "FILE", junit);
  flags.toggle("--github", github);
  flags.value("--fail-on", "deny|warn", [&fail_on](std::string_view v) -> std::optional<std::string> {
    fail_on = v;
    if (v == "deny" || v == "warn") return std::nullopt;
    return cat({"--fail-on must be deny or warn, got \"", v, "\""});
  });
  flags.toggle("--cluster", cluster);
  flags.value("--kubeconfig", "FILE", kubeconfig);
  flags.value("--context", "NAME", context);
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
  if (!cluster && (!kubeconfig.empty() || !context.empty())) {
    std::cerr << "driftgate scan: --kubeconfig and --context need --cluster\n";
    return kExitBadInput;
  }
#if DRIFTGATE_WITH_KUBE
  std::optional<LiveObjects> live;
  if (cluster) {
    auto connected = LiveObjects::connect(kubeconfig, context);
    if (!connected) {
      std::cerr << "driftgate scan: --cluster: " << connected.error() << "\n";
      return kExitUnreadable;
    }
    live.emplace(std::move(*connected));
  }
#else
  if (cluster) {
    std::cerr << "driftgate scan: --cluster needs the Kubernetes client; this build has none "
                 "(configured with -DDRIFTGATE_BUILD_SERVER=OFF)\n";
    return kExitBadInput;
  }
#endif

  auto loaded = policy::load_directory(policies_dir);
  if (!loaded.ok()) {
    std::cerr << loaded.error_text();
    return kExitBadInput;
  }
  admission::RequestDefaults identity{.uid = "driftgate-scan", .username = as_user, .groups = {}};
  for (std::size_t start = 0; start <= as_groups.size();) {
    const auto comma = std::min(as_groups.find(',', start), as_groups.size());
    if (comma > start) identity.groups.push_back(as_groups.substr(start, comma - start));
    start = comma + 1;
  }

  manifests::Set set;
  manifests::read_path(manifests_path, set);
  for (const manifests::Problem& note : set.notes) std::cerr << "driftgate scan: " << note.str() << "\n";

  const TimePoint when = now.value_or(TimePoint(Clock::now()));
  ScanResult result;
  result.files = set.files;
  result.problems = set.problems;
  result.objects.reserve(set.objects.size());
  json::Arena arena;
  for (const manifests::Object& object : set.objects) {
    std::optional<json::Document> stored;
#if DRIFTGATE_WITH_KUBE
    if (live) {
      const json::Value* metadata = object.object.find("metadata");
      std::string object_namespace(metadata->string_at("namespace"));
      if (object_namespace.empty()) object_namespace = namespace_;
      auto got = live->get(object.object, object_namespace);
      if (!got) {
        std::cerr << "driftgate scan: --cluster: " << object.file << ":" << object.line << ": " << got.error() << "\n";
        return kExitUnreadable;
      }
      stored = std::move(*got);
    }
#endif
    JudgedObject judged =
        judge(object, stored ? &stored->root : nullptr, *loaded.set, when, identity, namespace_, arena);
    judged.operation = stored ? "UPDATE" : "CREATE";
    if (!judged.error.empty()) {
      result.problems.push_back({object.file, object.line,
                                 cat({"document ", std::to_string(object.document), ": ", judged.object(), ": ", judged.error})});
      continue;
    }
    result.objects.push_back(std::move(judged));
  }
  if (set.files > 0 && set.objects.empty() && set.problems.empty())
    result.problems.push_back({manifests_path == "-" ? "<stdin>" : manifests_path, 0, "no Kubernetes objects found"});

  if (output == "json") write_json_lines(std::cout, result);
  else write_summary(std::cout, result, isatty(STDOUT_FILENO) && !github);
  if (github) write_github(std::cout, result);
  if (!result.problems.empty() && output == "json")
    for (const manifests::Problem& p : result.problems) std::cerr << "driftgate scan: " << p.str() << "\n";
  if (!junit.empty()) {
    std::ofstream file(junit);
    write_junit(file, result, fail_on == "warn");
    if (!file) {
      std::cerr << "driftgate scan: cannot write " << junit << "\n";
      return kExitBadInput;
    }
  }
  if (!result.problems.empty()) return kExitBadInput;
  if (result.errors() > 0 || (fail_on == "warn" && result.warnings() > 0)) return kExitDenied;
  return kExitOk;
}

}  // namespace driftgate::cli
