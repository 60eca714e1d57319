// `driftgate scan --manifests FILE|DIR|-`: judges rendered manifests before they
// merge. Each object becomes the review of its CREATE by a CI identity through the
// one object -> review conversion (admission/object_review.h) and goes through
// admission::handle, the server's own path; what it finds is written for people
// (a summary), for machines (JSON lines) and for CI systems (JUnit, GitHub).
// Without --manifests it reads what is stored (the cluster, or a dump with --from):
// forensics and background evaluation (docs/scan.md).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <map>
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
#include "json/writer.h"
#include "json/yaml_writer.h"
#include "manifests/manifests.h"
#include "policy/loader.h"
#include "policy/policy.h"
#include "scan/forensics.h"
#include "scan/policy_report.h"
#include "util/time.h"
#if DRIFTGATE_WITH_KUBE
#include "kube/client.h"
#include "kube/config.h"
#include "kube/discovery.h"
#include "kube/list.h"
#include "kube/status.h"
#include "kube/sync.h"
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

// ---- driftgate scan (without --manifests): the objects already stored -------------
// Forensics (scan/forensics.h) and background evaluation (each object judged as
// it is stored: Source::Stored, so only the rules that judge a state apply), over
// every object listed from the cluster or read with --from.

using StoredViolation = scan::ObjectViolation;

struct StoredScan {
  std::vector<scan::Finding> drift;
  std::vector<StoredViolation> violations;
  std::vector<std::string> unreadable;  // "configmaps: 403: ..." what could not be read
  std::vector<std::string> problems;    // bad input
  std::size_t objects = 0, resources = 0;
};

struct StoredScanSettings {
  const policy::PolicySet* set = nullptr;
  admission::RequestDefaults identity;
  TimePoint now;
  std::string namespace_;  // only this namespace; empty: every namespace
  bool progress = false;   // resources done/left, objects, findings on stderr
};

void examine(const json::Value& object, const StoredScanSettings& settings, StoredScan& out) {
  const json::Value* metadata = object.find("metadata");
  if (!object.is_object() || !metadata || !metadata->is_object()) {
    out.problems.push_back("an item that is no Kubernetes object (no metadata)");
    return;
  }
  if (!settings.namespace_.empty() && metadata->string_at("namespace") != settings.namespace_) return;
  ++out.objects;
  auto found = scan::forensics(object, *settings.set);
  if (!found) out.problems.push_back(found.error());
  else
    for (scan::Finding& f : found->findings) out.drift.push_back(std::move(f));
  json::Arena arena;
  const std::string review = admission::review_for_object(
      object, {.operation = "CREATE", .old_object = nullptr, .default_namespace = "default"}, settings.identity, arena);
  auto outcome = admission::handle(review, engine::Endpoint::Validate, *settings.set, settings.now, {}, {},
                                   engine::Source::Stored);
  StoredViolation base{std::string(object.string_at("apiVersion")), std::string(object.string_at("kind")),
                       std::string(metadata->string_at("namespace")), std::string(metadata->string_at("name")),
                       std::string(metadata->string_at("uid")), {}};
  if (outcome.http_status != 200) {
    out.problems.push_back(cat({base.kind, " ", base.namespace_, base.namespace_.empty() ? "" : "/", base.name, ": ",
                                outcome.error}));
    return;
  }
  for (engine::Violation& v : outcome.decision.violations) {
    if (v.bypassed) continue;
    StoredViolation sv = base;
    sv.violation = std::move(v);
    out.violations.push_back(std::move(sv));
  }
}

std::string object_name(std::string_view kind, std::string_view ns, std::string_view name) {
  return ns.empty() ? cat({kind, " ", name}) : cat({kind, " ", ns, "/", name});
}

// Oldest first within each namespace and owner; a write without a time last.
void sort_drift(std::vector<scan::Finding>& drift) {
  std::stable_sort(drift.begin(), drift.end(), [](const scan::Finding& a, const scan::Finding& b) {
    if (a.namespace_ != b.namespace_) return a.namespace_ < b.namespace_;
    if (a.owner != b.owner) return a.owner < b.owner;
    if (a.time.has_value() != b.time.has_value()) return a.time.has_value();
    return a.time && *a.time < *b.time;
  });
}

// Colour only when stdout is a terminal (as the --manifests summary): bold
// headings, drift yellow, Enforce violations red, Warn/Audit yellow.
void write_stored_summary(std::ostream& out, StoredScan& result, bool colour) {
  const char* red = colour ? "\033[31m" : "";
  const char* yellow = colour ? "\033[33m" : "";
  const char* bold = colour ? "\033[1m" : "";
  const char* reset = colour ? "\033[0m" : "";
  sort_drift(result.drift);
  if (!result.drift.empty())
    out << bold << "Drift: fields of GitOps-managed objects written outside Git (oldest first)" << reset << "\n";
  std::string group;
  for (const scan::Finding& f : result.drift) {
    const std::string g = cat({f.namespace_.empty() ? "(cluster-scoped)" : f.namespace_, " \xE2\x80\x94 ", f.owner});
    if (g != group) {
      out << "  " << bold << g << reset << "\n";
      group = g;
    }
    out << "    " << yellow << f.str() << reset << "  [" << f.policy << "/" << f.rule << "]\n";
  }
  if (!result.violations.empty())
    out << bold << "Policy violations (background evaluation; modes reported, not enforced)" << reset << "\n";
  for (const StoredViolation& v : result.violations) {
    out << "  " << object_name(v.kind, v.namespace_, v.name) << ": "
        << (v.violation.mode == policy::Mode::Enforce ? red : yellow) << v.violation.policy << "/" << v.violation.rule
        << " (" << policy::to_string(v.violation.mode) << ")" << reset << ": " << v.violation.message << "\n";
  }
  // Counts per manager and per policy/rule, most first (then by name).
  const auto counts = [&out](std::string_view title, const std::map<std::string, std::size_t>& by) {
    if (by.empty()) return;
    std::vector<std::pair<std::string, std::size_t>> sorted(by.begin(), by.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    out << title;
    for (std::size_t i = 0; i < sorted.size(); ++i) out << (i ? ", " : " ") << sorted[i].first << " " << sorted[i].second;
    out << "\n";
  };
  std::map<std::string, std::size_t> by_manager, by_policy;
  for (const scan::Finding& f : result.drift) {
    ++by_manager[f.subresource.empty() ? f.manager : cat({f.manager, " (/", f.subresource, ")"})];
    ++by_policy[cat({f.policy, "/", f.rule})];
  }
  for (const StoredViolation& v : result.violations) ++by_policy[cat({v.violation.policy, "/", v.violation.rule})];
  counts("Drift by manager:", by_manager);
  counts("Findings by policy:", by_policy);
  for (const std::string& u : result.unreadable) out << red << "could not read:" << reset << " " << u << "\n";
  for (const std::string& p : result.problems) out << red << "error:" << reset << " " << p << "\n";
  out << result.objects << " objects";
  if (result.resources > 0) out << " in " << result.resources << " resources";
  out << ": " << result.drift.size() << " drifted fields, " << result.violations.size() << " policy violations";
  if (!result.unreadable.empty()) out << ", " << result.unreadable.size() << " resources not read";
  out << "\n";
}

// JSON lines, one finding per line; the schema is in docs/scan.md.
void write_stored_json(std::ostream& out, StoredScan& result) {
  sort_drift(result.drift);
  for (const scan::Finding& f : result.drift) {
    json::Writer line;
    line.begin_object().field("type", "drift").field("apiVersion", f.api_version).field("kind", f.kind);
    line.field("namespace", f.namespace_).field("name", f.name).field("uid", f.uid).field("owner", f.owner);
    line.field("path", f.path).field("pathResolved", f.path_resolved).field("manager", f.manager);
    line.field("operation", f.operation).field("subresource", f.subresource);
    if (f.time) line.field("time", format_rfc3339(*f.time));
    else line.field("time", nullptr);
    line.field("policy", f.policy).field("rule", f.rule).field("message", f.str());
    out << line.end_object().text() << "\n";
  }
  for (const StoredViolation& v : result.violations) {
    json::Writer line;
    line.begin_object().field("type", "violation").field("apiVersion", v.api_version).field("kind", v.kind);
    line.field("namespace", v.namespace_).field("name", v.name).field("policy", v.violation.policy);
    line.field("rule", v.violation.rule).field("mode", policy::to_string(v.violation.mode));
    line.field("message", v.violation.message).strings("paths", v.violation.paths);
    out << line.end_object().text() << "\n";
  }
  for (const std::string& u : result.unreadable)
    out << json::Writer().begin_object().field("type", "unreadable").field("message", u).end_object().text() << "\n";
  for (const std::string& p : result.problems)
    out << json::Writer().begin_object().field("type", "error").field("message", p).end_object().text() << "\n";
}

// --output reports: the PolicyReports as a YAML stream for `kubectl apply -f -`.
// Bad input goes to stderr (it is no report).
void write_reports_yaml(std::ostream& out, const std::vector<scan::Report>& reports,
                        const std::vector<std::string>& problems) {
  for (const scan::Report& r : reports) {
    auto doc = json::parse(r.json);
    if (!doc) continue;  // cannot happen: json::Writer wrote it
    out << "---\n" << json::to_yaml(doc->root);
  }
  for (const std::string& p : problems) std::cerr << "driftgate scan: " << p << "\n";
}

int stored_exit(const StoredScan& r) {
  if (!r.problems.empty()) return kExitBadInput;
  if (!r.unreadable.empty()) return kExitUnreadable;
  if (!r.drift.empty() || !r.violations.empty()) return kExitDenied;
  return kExitOk;
}

#if DRIFTGATE_WITH_KUBE
// Whether some policy of the set can match objects of this kind (only the cluster
// scan lists by kind; the offline build has none, and clang flags it unused).
bool may_match(const policy::PolicySet& set, std::string_view group, std::string_view version, std::string_view kind) {
  for (const policy::Policy& p : set.policies()) {
    if (p.match.kinds.empty()) return true;
    for (const policy::KindPattern& k : p.match.kinds)
      if (k.matches(group, version, kind)) return true;
  }
  return false;
}

// A LIST's items carry neither apiVersion nor kind: the List's resource gives them.
json::Value with_type(const json::Value& item, const std::string& api_version, const std::string& kind,
                      json::Arena& arena) {
  const auto members = item.members();
  json::Member* out = arena.allocate<json::Member>(members.size() + 2);
  std::size_t n = 0;
  out[n++] = {"apiVersion", json::Value::string(api_version)};
  out[n++] = {"kind", json::Value::string(kind)};
  for (const json::Member& m : members)
    if (m.key != "apiVersion" && m.key != "kind") out[n++] = m;
  return json::Value::object(std::span<const json::Member>(out, n));
}

struct ClusterOptions {
  std::string kubeconfig, context;
  std::size_t chunk_size = 500;
  double qps = 5;  // kubectl's (client-go's) defaults
  int burst = 10;
};

// Returns the client, for --write-reports; nullopt when the cluster could not be reached.
std::optional<kube::Client> scan_cluster(const ClusterOptions& options, const StoredScanSettings& settings,
                                         StoredScan& out) {
  kube::ConfigOptions config_options;
  config_options.kubeconfig = options.kubeconfig;
  config_options.context = options.context;
  auto config = kube::load_config(config_options);
  if (!config) {
    out.unreadable.push_back(config.error());
    return std::nullopt;
  }
  for (const std::string& w : config->warnings) std::cerr << "driftgate scan: warning: " << w << "\n";
  kube::ClientOptions client_options;
  client_options.qps = options.qps;
  client_options.burst = options.burst;
  auto client = kube::Client::create(std::move(*config), client_options);
  if (!client) {
    out.unreadable.push_back(client.error());
    return std::nullopt;
  }
  auto discovery = kube::discover(*client);
  if (!discovery) {
    out.unreadable.push_back(discovery.error());
    return std::nullopt;
  }
  for (const std::string& f : discovery->failures) out.unreadable.push_back(cat({"discovery: ", f}));
  std::vector<kube::ApiResource> targets;
  for (kube::ApiResource& resource : discovery->listable()) {
    if (!settings.namespace_.empty() && !resource.namespaced) continue;
    if (!may_match(*settings.set, resource.group, resource.version, resource.kind)) continue;
    targets.push_back(std::move(resource));
  }
  const auto progress = [&](std::size_t done) {
    if (!settings.progress) return;
    std::cerr << "\rdriftgate scan: resources " << done << "/" << targets.size() << ", objects " << out.objects
              << ", findings " << out.drift.size() + out.violations.size() << "   " << std::flush;
  };
  for (const kube::ApiResource& resource : targets) {
    progress(out.resources);
    ++out.resources;
    kube::ListOptions list{.namespace_ = settings.namespace_, .limit = options.chunk_size, .metadata_only = false,
                           .label_selector = {}, .field_selector = {}};
    const std::string api_version = resource.group_version();
    // After an expired continue token (410) the listing starts again from its first
    // page: what this resource gave so far is dropped, so nothing is reported twice.
    const std::size_t drift_before = out.drift.size(), violations_before = out.violations.size(),
                      objects_before = out.objects;
    auto listed = kube::list_pages(*client, resource, list, [&](const kube::Page& page) {
      if (page.restarted) {
        out.drift.erase(out.drift.begin() + static_cast<std::ptrdiff_t>(drift_before), out.drift.end());
        out.violations.erase(out.violations.begin() + static_cast<std::ptrdiff_t>(violations_before),
                             out.violations.end());
        out.objects = objects_before;
      }
      json::Arena arena;
      for (const json::Value& item : page.items()) examine(with_type(item, api_version, resource.kind, arena), settings, out);
      progress(out.resources - 1);
      return true;
    });
    const std::string what = resource.group.empty() ? resource.name : cat({resource.name, ".", resource.group});
    if (!listed) out.unreadable.push_back(cat({what, ": ", listed.error()}));
    else
      for (const std::string& note : listed->notes) std::cerr << (settings.progress ? "\n" : "") << "driftgate scan: " << what << ": " << note << "\n";
  }
  progress(out.resources);
  if (settings.progress) std::cerr << "\n";
  return std::move(*client);
}

// --write-reports: the reports of this scan created or replaced, and driftgate's
// reports of namespaces that have no results any more deleted, except when the
// scan could not read everything (a report must not vanish because its namespace's
// objects could not be listed). With --namespace only that namespace's report.
std::optional<std::string> write_reports(kube::Client& client, const std::vector<scan::Report>& reports,
                                         const std::string& only_namespace, bool complete) {
  const std::string selector = cat({scan::kManagedByLabel, "=", scan::kManagedByValue});
  const std::string base = "/apis/wgpolicyk8s.io/v1alpha2";
  std::vector<kube::SyncObject> cluster, namespaced;
  for (const scan::Report& r : reports)
    (r.namespace_.empty() ? cluster : namespaced).push_back({r.namespace_, std::string(scan::kReportName), r.json});
  std::vector<std::pair<kube::SyncTarget, std::vector<kube::SyncObject>*>> targets;
  if (only_namespace.empty())
    targets.push_back({{base, "clusterpolicyreports", false, selector, "", complete}, &cluster});
  targets.push_back({{base, "policyreports", true, selector, only_namespace, complete}, &namespaced});
  for (const auto& [target, objects] : targets) {
    auto synced = kube::sync_objects(client, target, *objects);
    if (!synced)
      return cat({target.resource, ".wgpolicyk8s.io: ", synced.error()});
    std::cerr << "driftgate scan: " << target.resource << ": " << synced->created << " created, " << synced->updated
              << " updated, " << synced->deleted << " deleted";
    if (synced->skipped > 0) std::cerr << ", " << synced->skipped << " skipped (namespace deleted)";
    std::cerr << "\n";
  }
  return std::nullopt;
}
#endif

int stored_scan(const std::string& from, const std::string& policies_dir, const std::string& namespace_,
                const std::string& output, admission::RequestDefaults identity, TimePoint now,
                [[maybe_unused]] const std::string& kubeconfig, [[maybe_unused]] const std::string& context,
                [[maybe_unused]] std::size_t chunk_size, [[maybe_unused]] double qps, [[maybe_unused]] int burst,
                bool progress, [[maybe_unused]] bool write, bool findings_fail) {
  auto loaded = policy::load_directory(policies_dir);
  if (!loaded.ok()) {
    std::cerr << loaded.error_text();
    return kExitBadInput;
  }
  StoredScanSettings settings{.set = loaded.set.get(), .identity = std::move(identity), .now = now,
                              .namespace_ = namespace_, .progress = progress};
  StoredScan result;
#if DRIFTGATE_WITH_KUBE
  std::optional<kube::Client> client;
#endif
  if (!from.empty()) {
    manifests::Set set;
    manifests::read_path(from, set);
    for (const manifests::Problem& note : set.notes) std::cerr << "driftgate scan: " << note.str() << "\n";
    for (const manifests::Problem& p : set.problems) result.problems.push_back(p.str());
    for (const manifests::Object& object : set.objects) examine(object.object, settings, result);
    if (set.files > 0 && set.objects.empty() && set.problems.empty())
      result.problems.push_back(cat({from == "-" ? "<stdin>" : from, ": no Kubernetes objects found"}));
  } else {
#if DRIFTGATE_WITH_KUBE
    client = scan_cluster(
        {.kubeconfig = kubeconfig, .context = context, .chunk_size = chunk_size, .qps = qps, .burst = burst}, settings,
        result);
#else
    std::cerr << "driftgate scan: scanning a cluster needs the Kubernetes client; this build has none "
                 "(use --from FILE)\n";
    return kExitBadInput;
#endif
  }
  sort_drift(result.drift);
  const std::vector<scan::Report> reports =
      output == "reports" || write
          ? scan::policy_reports({.drift = &result.drift, .violations = &result.violations,
                                  .unreadable = &result.unreadable, .now = settings.now, .only_namespace = namespace_})
          : std::vector<scan::Report>();
  if (output == "json") write_stored_json(std::cout, result);
  else if (output == "reports") write_reports_yaml(std::cout, reports, result.problems);
  else write_stored_summary(std::cout, result, isatty(STDOUT_FILENO));
#if DRIFTGATE_WITH_KUBE
  // Bad input (exit 2) writes nothing: its reports would be wrong, not incomplete.
  if (write && client && result.problems.empty()) {
    if (auto failed = write_reports(*client, reports, namespace_, result.unreadable.empty())) {
      std::cerr << "driftgate scan: --write-reports: " << *failed << "\n";
      return kExitUnreadable;
    }
  }
#endif
  const int exit_code = stored_exit(result);
  return exit_code == kExitDenied && !findings_fail ? kExitOk : exit_code;
}

}  // namespace

int scan_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate scan --policies DIR [--from FILE|DIR|-] [flags]
       driftgate scan --manifests FILE|DIR|- --policies DIR [flags]

Without --manifests: scans what is stored (docs/scan.md), the cluster of the
kubeconfig (every listable resource a policy can match, page by page), or with
--from a dump `kubectl get -o json|yaml --show-managed-fields` wrote. For each
object: forensics (fields of a GitOps-managed object that someone other than its
GitOps tool wrote: field, manager, time) and background evaluation (every policy
as a CREATE of what Git holds by --as; modes are reported, not enforced).

  --from FILE|DIR|-       read objects from a dump instead of the cluster
  --kubeconfig FILE       the kubeconfig (default $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME          the kubeconfig context
  --namespace NS          only this namespace (default every namespace)
  --chunk-size N          objects per LIST page (default 500)
  --progress              resources done/left, objects and findings on stderr (default: on a tty)
  --qps N, --burst N      client-side rate limit, as kubectl's (default 5 and 10; --qps 0: none)
  --output text|json|reports
                          a summary (default), JSON lines, or the wgpolicyk8s.io/v1alpha2
                          PolicyReports as YAML for `kubectl apply -f -` (docs/scan.md)
  --write-reports         create or replace the PolicyReports in the cluster (one per
                          namespace, a ClusterPolicyReport) and delete driftgate's stale ones
  --fail-on none          findings exit 0, not 3 (the CronJob: the reports carry them;
                          2 and 4 stay failures)

Exit status: 0 nothing found, 3 findings, 2 bad input, 4 something could not be
read (every resource that could not be listed is named; the rest is scanned) or
the reports could not be written.

With --manifests:

Judges rendered Kubernetes manifests against the policy set in DIR before they
merge (docs/ci.md). Reads multi-document YAML as `kubectl kustomize`, `kustomize
build`, `helm template` and `flux build kustomization` write it, JSON (a `kind:
List` too), a directory (recursively: *.yaml, *.yml, *.json, in name order) or
standard input (-). Each object is judged as the webhook would judge its CREATE by
the CI identity; every finding names file, line, document, object, policy/rule,
paths and message.

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
  --fail-on deny|warn|none
                          what fails the run: denials (default), warnings too, or nothing found
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
  std::string from;
  std::size_t chunk_size = 500;
  double qps = 5;
  int burst = 10;
  bool namespace_given = false, progress = false, write_to_cluster = false;
  flags.value("--manifests", "FILE|DIR|-", manifests_path);
  flags.value("--from", "FILE|DIR|-", from);
  flags.value("--chunk-size", "N", [&chunk_size](std::string_view v) -> std::optional<std::string> {
    std::size_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9' || n > 1'000'000) return cat({"--chunk-size must be a positive number, got \"", v, "\""});
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (n == 0) return cat({"--chunk-size must be a positive number, got \"", v, "\""});
    chunk_size = n;
    return std::nullopt;
  });
  flags.toggle("--progress", progress);
  flags.toggle("--write-reports", write_to_cluster);
  flags.value("--qps", "N", [&qps](std::string_view v) -> std::optional<std::string> {
    const std::string text(v);
    char* end = nullptr;
    const double n = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(n >= 0) || n > 1e6)
      return cat({"--qps must be a number of requests per second (0: no limit), got \"", v, "\""});
    qps = n;
    return std::nullopt;
  });
  flags.value("--burst", "N", [&burst](std::string_view v) -> std::optional<std::string> {
    int n = 0;
    for (char c : v) {
      if (c < '0' || c > '9' || n > 100'000) return cat({"--burst must be a positive number, got \"", v, "\""});
      n = n * 10 + (c - '0');
    }
    if (n == 0) return cat({"--burst must be a positive number, got \"", v, "\""});
    burst = n;
    return std::nullopt;
  });
  flags.value("--policies", "DIR", policies_dir, {.required = true});
  flags.value("--as", "USER", as_user);
  flags.value("--as-group", "GROUP", as_groups);
  flags.value("--namespace", "NS", [&namespace_, &namespace_given](std::string_view v) -> std::optional<std::string> {
    namespace_ = v;
    namespace_given = true;
    return std::nullopt;
  });
  flags.value("--now", "RFC3339", [&now](std::string_view v) -> std::optional<std::string> {
    now = parse_rfc3339(v);
    if (now) return std::nullopt;
    std::string refusal = "--now \"";
    return refusal.append(v).append("\" is not an RFC 3339 time such as 2026-11-22T18:00:00Z");
  });
  flags.value("--output", "FORMAT", [&output](std::string_view v) -> std::optional<std::string> {
    output = v;
    if (v == "text" || v == "json" || v == "reports") return std::nullopt;
    return cat({"--output must be text, json or reports, got \"", v, "\""});
  });
  flags.value("--junit", "FILE", junit);
  flags.toggle("--github", github);
  flags.value("--fail-on", "deny|warn|none", [&fail_on](std::string_view v) -> std::optional<std::string> {
    fail_on = v;
    if (v == "deny" || v == "warn" || v == "none") return std::nullopt;
    return cat({"--fail-on must be deny, warn or none, got \"", v, "\""});
  });
  flags.toggle("--cluster", cluster);
  flags.value("--kubeconfig", "FILE", kubeconfig);
  flags.value("--context", "NAME", context);
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
  if (manifests_path.empty()) {
    if (cluster || !junit.empty() || github) {
      std::cerr << "driftgate scan: --cluster, --junit and --github need --manifests\n";
      return kExitBadInput;
    }
    if (!from.empty() && write_to_cluster) {
      std::cerr << "driftgate scan: --write-reports writes to the cluster it scans: not with --from "
                   "(print them with --output reports)\n";
      return kExitBadInput;
    }
    if (!from.empty() && (!kubeconfig.empty() || !context.empty())) {
      std::cerr << "driftgate scan: --from reads a dump: --kubeconfig and --context do not apply\n";
      return kExitBadInput;
    }
    admission::RequestDefaults stored_identity{.uid = "driftgate-scan", .username = as_user, .groups = {}};
    for (std::size_t start = 0; start <= as_groups.size();) {
      const auto comma = std::min(as_groups.find(',', start), as_groups.size());
      if (comma > start) stored_identity.groups.push_back(as_groups.substr(start, comma - start));
      start = comma + 1;
    }
    return stored_scan(from, policies_dir, namespace_given ? namespace_ : std::string(), output,
                       std::move(stored_identity), now.value_or(TimePoint(Clock::now())), kubeconfig, context,
                       chunk_size, qps, burst, progress || isatty(STDERR_FILENO), write_to_cluster,
                       fail_on != "none");
  }
  if (!from.empty()) {
    std::cerr << "driftgate scan: --from and --manifests are two modes: give one\n";
    return kExitBadInput;
  }
  if (write_to_cluster || output == "reports") {
    std::cerr << "driftgate scan: PolicyReports (--output reports, --write-reports) are written for what is "
                 "stored, not for --manifests\n";
    return kExitBadInput;
  }
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
  if (fail_on != "none" && (result.errors() > 0 || (fail_on == "warn" && result.warnings() > 0))) return kExitDenied;
  return kExitOk;
}

}  // namespace driftgate::cli
