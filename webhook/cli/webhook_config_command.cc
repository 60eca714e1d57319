// `driftgate webhook-config`: prints the Validating- and MutatingWebhookConfiguration
// for a policy set, narrowed to what its policies can match, so the API server only
// calls driftgate when some policy may care, and never for the subjects a group of
// policies excludes (the GitOps controllers: their syncs then never wait on us).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "admission/scale_parent.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "kube_kinds/kube_kinds.h"
#include "policy/loader.h"
#include "policy/rule_types.h"
#include "util/base64.h"
#include "util/file.h"

namespace driftgate::cli {
namespace {

struct Options {
  std::string policies_dir;
  std::string name = "driftgate";
  std::string service = "driftgate";
  std::string namespace_ = "driftgate-system";
  int timeout_seconds = 5;
  std::vector<std::string> exclude_namespaces = {"kube-system", "kube-node-lease", "driftgate-system"};
  std::string ca_bundle_file;
  bool match_conditions = true;
};

struct RuleKey {
  std::vector<std::string> operations, groups, versions;
  auto operator<=>(const RuleKey&) const = default;
};

std::vector<std::string> operation_names(std::uint8_t mask) {
  std::vector<std::string> out;
  for (auto op : {policy::kCreate, policy::kUpdate, policy::kDelete, policy::kConnect})
    if (mask & op) out.emplace_back(policy::to_string(op));
  return out;
}

// Where requests for kind pattern `k` arrive: the groups, versions and resources a
// webhook rule must name.
struct Registration {
  std::string group, version;
  std::set<std::string> resources;
};

// From the built-in table (kube_kinds): a kind's resource, in the group and version
// the policy names. A kind the table does not have is a custom resource
// (`example.com/Widget`: the loader accepts no other): its plural is whatever its CRD
// says, so every resource of its group is registered ("*"), wider than needed, never
// narrower. Kind globs (`*Set`) register "*" too: they may also name custom
// resources; like the API server's "*", that matches no subresource, so a glob never
// registers Eviction or TokenRequest (nor the Scale kind): a policy names those literally.
// A subresource-only kind is registered where it is requested, which is not its own
// group: Eviction as core pods/eviction, TokenRequest as core serviceaccounts/token,
// Scale as every group's */scale; in every version, since the kind's version (Scale
// is autoscaling/v1 for apps/v1 deployments) says nothing of the resource's.
//
// `scale` (admission::judges_scale: a validating policy that can judge an UPDATE of
// spec.replicas): a `/scale` write is judged as an UPDATE of its parent's spec.replicas
// (docs/subresources.md), so the policy's
// scalable kinds register their `<resource>/scale` too: `deployments/scale` for
// Deployment, `*/scale` for a glob, `kinds: ["*"]` or a custom resource (a CRD
// may declare subresources.scale). Never `/status` (controllers write it) nor
// `/mutate` (a patch would apply to the Scale, not to the parent).
//
// `ephemeral` (judges_ephemeral_containers: an Enforce policy that validates UPDATEs
// and reads spec.ephemeralContainers, as the Pod Security packs do): `kubectl debug`
// adds its container through pods/ephemeralcontainers, an UPDATE whose object is the
// whole Pod, so such a policy registers that subresource where it registers Pods;
// otherwise a privileged debug container would never reach it. Only Enforce: the
// registration puts `kubectl debug`, an incident tool, behind failurePolicy, which a
// warning (image-pinning) is not worth.
std::vector<Registration> registrations_for(const policy::KindPattern& k, bool scale, bool ephemeral) {
  const std::string group = k.group.is_literal() ? k.group.pattern() : "*";
  const std::string version = k.version.is_literal() ? k.version.pattern() : "*";
  if (!k.kind.is_literal()) {
    std::set<std::string> resources{"*"};
    if (scale) resources.emplace("*/scale");
    if (ephemeral && k.group.matches("") && k.kind.matches("Pod")) resources.emplace("pods/ephemeralcontainers");
    return {{group, version, std::move(resources)}};
  }
  std::vector<Registration> out;
  std::set<std::string> own;
  for (const kube_kinds::KindInfo* known : kube_kinds::find_kind(k.kind.pattern())) {
    if (!k.group.matches(known->group)) continue;
    if (known->subresource_only()) {
      out.push_back({std::string(known->resource_group()), "*", {std::string(known->resource)}});
    } else {
      own.emplace(known->resource);
      if (scale && known->scale) own.emplace(std::string(known->resource) + "/scale");
      if (ephemeral && known->group.empty() && known->resource == "pods") own.emplace("pods/ephemeralcontainers");
    }
  }
  if (own.empty() && out.empty()) {
    own.emplace("*");
    if (scale) own.emplace("*/scale");
  }
  if (!own.empty()) out.push_back({group, version, std::move(own)});
  return out;
}

bool judges_ephemeral_containers(const policy::Policy& policy) {
  static constexpr std::string_view kEphemeral[] = {"spec", "ephemeralContainers"};
  if (policy.mode != policy::Mode::Enforce || !policy.has_validations ||
      !(policy.match.operations & policy::kUpdate))
    return false;
  return std::any_of(policy.rules.begin(), policy.rules.end(),
                     [](const policy::Rule& rule) { return policy::rule_reads(rule.spec, kEphemeral); });
}

// Drops the resources of a rule that another of its resources already matches, as
// the API server reads them: "*" every resource but no subresource, "*/x" the
// subresource x of every resource, "p/*" every subresource of p, "*/*" every
// subresource. So "*" never swallows "*/scale" or "pods/eviction".
void drop_covered(std::set<std::string>& resources) {
  std::vector<std::string> covered;
  for (const std::string& r : resources) {
    const auto slash = r.find('/');
    if (slash == std::string::npos) {
      if (r != "*" && resources.count("*")) covered.push_back(r);
      continue;
    }
    const std::string parent = r.substr(0, slash), sub = r.substr(slash + 1);
    if ((r != "*/*" && resources.count("*/*")) || (parent != "*" && resources.count("*/" + sub)) ||
        (sub != "*" && resources.count(parent + "/*")))
      covered.push_back(r);
  }
  for (const std::string& r : covered) resources.erase(r);
}

// Admission rules (OR'ed by the API server) covering every kind the policies name:
// one per operations, group and version, with the resources of all kinds requested
// there.
std::map<RuleKey, std::set<std::string>> rules_for(const std::vector<const policy::Policy*>& policies, bool mutating) {
  std::map<RuleKey, std::set<std::string>> rules;
  for (const policy::Policy* p : policies) {
    std::vector<policy::KindPattern> kinds = p->match.kinds;
    if (kinds.empty()) kinds.emplace_back();  // every kind
    const bool scale = !mutating && admission::judges_scale(*p);
    const bool ephemeral = !mutating && judges_ephemeral_containers(*p);
    for (const policy::KindPattern& k : kinds) {
      for (Registration& r : registrations_for(k, scale, ephemeral)) {
        RuleKey key;
        key.operations = operation_names(p->match.operations);
        key.groups = {std::move(r.group)};
        key.versions = {std::move(r.version)};
        rules[key].merge(r.resources);
      }
    }
  }
  for (auto& [key, resources] : rules) drop_covered(resources);
  return rules;
}

// What must never wait on a webhook, whatever the policies say: kubelets (node
// registration), leases (every controller's leader election), events, and the
// access review APIs. The same conditions as deploy/base's static registration
// (a test keeps the two equal).
constexpr std::pair<std::string_view, std::string_view> kLockoutConditions[] = {
    {"not-a-node", R"(!("system:nodes" in request.userInfo.groups))"},
    {"not-a-lease", R"(request.resource.group != "coordination.k8s.io")"},
    {"not-an-event", R"(!(request.resource.resource == "events" && request.resource.group in ["", "events.k8s.io"]))"},
    {"not-an-access-review", R"(!(request.resource.group in ["authentication.k8s.io", "authorization.k8s.io"]))"},
};

std::string cel_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

// A CEL test of `subject` (a string expression) against a driftgate glob.
std::string cel_glob(std::string_view subject, const Glob& glob) {
  const std::string& p = glob.pattern();
  if (glob.matches_everything()) return "true";
  if (glob.is_literal()) return std::string(subject) + " == " + cel_quote(p);
  if (p.find('*') == p.size() - 1) return std::string(subject) + ".startsWith(" + cel_quote(p.substr(0, p.size() - 1)) + ")";
  std::string regex = "^";
  for (char c : p) {
    if (c == '*') regex += ".*";
    else if (std::string_view("\\.+?()[]{}|^$").find(c) != std::string_view::npos) regex += std::string("\\") + c;
    else regex.push_back(c);
  }
  return std::string(subject) + ".matches(" + cel_quote(regex + "$") + ")";
}

std::string excluded_subjects_expression(const policy::Subjects& subjects) {
  std::vector<std::string> terms;
  for (const Glob& u : subjects.users) terms.push_back(cel_glob("request.userInfo.username", u));
  for (const Glob& g : subjects.groups)
    terms.push_back("(has(request.userInfo.groups) && request.userInfo.groups.exists(g, " + cel_glob("g", g) + "))");
  std::string out = "!(";
  for (std::size_t i = 0; i < terms.size(); ++i) out += (i ? " || " : "") + terms[i];
  return out + ")";
}

void emit_webhook(YAML::Emitter& out, const Options& o, const std::string& webhook_name, const std::string& path,
                  const std::vector<const policy::Policy*>& policies, const std::string& ca_bundle, bool mutating) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << webhook_name;
  out << YAML::Key << "admissionReviewVersions" << YAML::Value << YAML::Flow << std::vector<std::string>{"v1"};
  out << YAML::Key << "clientConfig" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "service" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << o.service
      << YAML::Key << "namespace" << YAML::Value << o.namespace_ << YAML::Key << "path" << YAML::Value << path
      << YAML::Key << "port" << YAML::Value << 443 << YAML::EndMap;
  if (!ca_bundle.empty()) out << YAML::Key << "caBundle" << YAML::Value << ca_bundle;
  out << YAML::EndMap;
  out << YAML::Key << "failurePolicy" << YAML::Value << "Fail";
  out << YAML::Key << "sideEffects" << YAML::Value << "None";
  out << YAML::Key << "timeoutSeconds" << YAML::Value << o.timeout_seconds;
  out << YAML::Key << "matchPolicy" << YAML::Value << "Equivalent";
  if (mutating) out << YAML::Key << "reinvocationPolicy" << YAML::Value << "Never";
  out << YAML::Key << "namespaceSelector" << YAML::Value << YAML::BeginMap << YAML::Key << "matchExpressions"
      << YAML::Value << YAML::BeginSeq << YAML::BeginMap << YAML::Key << "key" << YAML::Value
      << "kubernetes.io/metadata.name" << YAML::Key << "operator" << YAML::Value << "NotIn" << YAML::Key << "values"
      << YAML::Value << YAML::Flow << o.exclude_namespaces << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (const auto& [key, resources] : rules_for(policies, mutating)) {
    out << YAML::BeginMap;
    out << YAML::Key << "operations" << YAML::Value << YAML::Flow << key.operations;
    out << YAML::Key << "apiGroups" << YAML::Value << YAML::Flow << key.groups;
    out << YAML::Key << "apiVersions" << YAML::Value << YAML::Flow << key.versions;
    out << YAML::Key << "resources" << YAML::Value << YAML::Flow
        << std::vector<std::string>(resources.begin(), resources.end());
    out << YAML::Key << "scope" << YAML::Value << "*";
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  const policy::Subjects& excluded = policies.front()->match.exclude_subjects;  // the same for the whole group
  if (o.match_conditions) {
    auto condition = [&](std::string_view name, std::string_view expression) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << std::string(name) << YAML::Key << "expression"
          << YAML::Value << std::string(expression) << YAML::EndMap;
    };
    out << YAML::Key << "matchConditions" << YAML::Value << YAML::BeginSeq;
    for (const auto& [name, expression] : kLockoutConditions) condition(name, expression);
    if (!excluded.empty()) condition("not-an-excluded-subject", excluded_subjects_expression(excluded));
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

// The policies of each webhook group that validate (or mutate), groups in order.
std::vector<std::pair<std::string, std::vector<const policy::Policy*>>> webhooks_of(const policy::PolicySet& set,
                                                                                     bool mutating) {
  std::vector<std::pair<std::string, std::vector<const policy::Policy*>>> out;
  for (const std::string& group : set.webhook_groups()) {
    std::vector<const policy::Policy*> members;
    for (const policy::Policy& p : set.policies())
      if (p.webhook_group == group && (mutating ? p.has_mutations : p.has_validations)) members.push_back(&p);
    if (!members.empty()) out.emplace_back(group, std::move(members));
  }
  return out;
}

void emit_configuration(YAML::Emitter& out, const Options& o, const policy::PolicySet& set, const std::string& ca_bundle,
                        bool mutating) {
  auto webhooks = webhooks_of(set, mutating);
  if (webhooks.empty()) return;  // a configuration without webhooks is noise
  out << YAML::BeginDoc << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "admissionregistration.k8s.io/v1";
  out << YAML::Key << "kind" << YAML::Value
      << (mutating ? "MutatingWebhookConfiguration" : "ValidatingWebhookConfiguration");
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << o.name
      << YAML::Key << "labels" << YAML::Value << YAML::BeginMap << YAML::Key << "app.kubernetes.io/name" << YAML::Value
      << "driftgate" << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "webhooks" << YAML::Value << YAML::BeginSeq;
  const std::string verb = mutating ? "mutate" : "validate";
  for (const auto& [group, members] : webhooks) {
    // kubectl shows this name on a denial: name the guard, not a hash.
    std::string name = group == "all" ? verb + ".driftgate.dev" : members.front()->name + "." + verb + ".driftgate.dev";
    emit_webhook(out, o, name, "/" + verb + "/" + group, members, ca_bundle, mutating);
  }
  out << YAML::EndSeq << YAML::EndMap;
}

}  // namespace

int webhook_config_command(int argc, char** argv) {
  constexpr std::string_view kHelp = R"(Usage: driftgate webhook-config --policies DIR [flags]

Prints a ValidatingWebhookConfiguration and a MutatingWebhookConfiguration for the
policy set: one webhook per group of policies that exclude the same subjects, with
rules narrowed to the kinds and operations they name and matchConditions (CEL,
Kubernetes 1.30+; beta and on by default since 1.28) that skip the excluded
subjects, so GitOps controllers' syncs never call the webhook. Every webhook also
skips kubelets, leases, events and access reviews, which must never wait on it.
A validating policy that can judge a change of spec.replicas also registers the
/scale of its scalable kinds (*/scale for "*"): serve judges `kubectl scale` by the
parent's owner (docs/subresources.md).

  --policies DIR             the policy set (required)
  --name NAME                metadata.name of both configurations (default driftgate)
  --service NAME             the webhook Service (default driftgate)
  --namespace NS             its namespace (default driftgate-system)
  --timeout-seconds N        1-30 (default 5)
  --exclude-namespaces A,B   namespaces never sent (default kube-system,kube-node-lease,driftgate-system)
  --ca-bundle FILE           PEM CA certificate to embed as caBundle (default: none,
                             for cert-manager's cainjector to fill in)
  --no-match-conditions      for clusters older than 1.28: omit matchConditions (the
                             server still exempts those subjects, at the cost of a call;
                             nodes, leases and events then reach the webhook too)
)";
  Options o;
  bool no_match_conditions = false;
  FlagParser flags("webhook-config", kHelp);
  flags.value("--policies", "DIR", o.policies_dir, {.required = true});
  flags.value("--name", "NAME", o.name);
  flags.value("--service", "NAME", o.service);
  flags.value("--namespace", "NS", o.namespace_);
  flags.value("--timeout-seconds", "N", [&o](std::string_view v) -> std::optional<std::string> {
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.timeout_seconds);
    if (ec == std::errc{} && end == v.data() + v.size() && o.timeout_seconds >= 1 && o.timeout_seconds <= 30)
      return std::nullopt;
    std::string refusal = "--timeout-seconds must be 1 to 30 (the API server's limits), got \"";
    return refusal.append(v).append("\"");
  });
  flags.value("--exclude-namespaces", "A,B", [&o](std::string_view v) -> std::optional<std::string> {
    o.exclude_namespaces.clear();
    std::string item;
    for (char c : std::string(v) + ",") {
      if (c != ',') item.push_back(c);
      else if (!item.empty()) o.exclude_namespaces.push_back(std::exchange(item, {}));
    }
    return std::nullopt;
  });
  flags.value("--ca-bundle", "FILE", o.ca_bundle_file);
  flags.toggle("--no-match-conditions", no_match_conditions);
  if (auto exit_code = flags.parse(argc, argv)) return *exit_code;
  o.match_conditions = !no_match_conditions;

  auto loaded = policy::load_directory(o.policies_dir);
  if (!loaded.ok()) {
    std::cerr << loaded.error_text();
    return kExitBadInput;
  }
  std::string ca_bundle;
  if (!o.ca_bundle_file.empty()) {
    auto pem = read_file(o.ca_bundle_file, 1u << 20);
    if (!pem) {
      std::cerr << "driftgate webhook-config: " << pem.error() << "\n";
      return kExitBadInput;
    }
    ca_bundle = base64_encode(*pem);
  }
  YAML::Emitter out;
  emit_configuration(out, o, *loaded.set, ca_bundle, false);
  emit_configuration(out, o, *loaded.set, ca_bundle, true);
  std::cout << out.c_str() << "\n";
  return kExitOk;
}

}  // namespace driftgate::cli
