// The manifests under deploy/ are what docs/install.md says they are: every overlay
// renders with `kubectl kustomize`, and the rendered objects are checked field by field.
// Also: certs/cluster-certs.sh makes a chain `openssl verify` accepts, with the Service's
// names, a Secret manifest that parses, and (when the server is built) a certificate
// `driftgate serve` presents and a client verifying the Service name accepts.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

const fs::path kSourceDir = DRIFTGATE_SOURCE_DIR;
const std::vector<std::string> kOverlays = {"cert-manager", "script-certs"};
const std::vector<std::string> kServiceNames = {
    "driftgate", "driftgate.driftgate-system", "driftgate.driftgate-system.svc",
    "driftgate.driftgate-system.svc.cluster.local"};

// ---------------------------------------------------------------- process helpers

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Output {
  int status = -1;     // exit status, or -1 when the command did not run to an exit
  std::string stdout_text;
  std::string stderr_text;
};

// Runs a shell command; stdout and stderr are kept apart (kustomize warns on stderr).
Output run(const std::string& command) {
  Output out;
  char err_template[] = "/tmp/driftgate-manifests-stderr-XXXXXX";
  int err_fd = mkstemp(err_template);
  if (err_fd < 0) return out;
  close(err_fd);
  FILE* pipe = popen((command + " 2>" + quote(err_template)).c_str(), "r");
  if (pipe) {
    char buffer[65536];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.stdout_text.append(buffer, n);
    int raw = pclose(pipe);
    out.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  }
  std::ifstream err(err_template, std::ios::binary);
  out.stderr_text.assign(std::istreambuf_iterator<char>(err), {});
  fs::remove(err_template);
  return out;
}

bool have_command(const std::string& name) { return run("command -v " + quote(name)).status == 0; }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string base64(const std::string& bytes) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 | (unsigned char)bytes[i + 2];
    out += {table[v >> 18], table[(v >> 12) & 63], table[(v >> 6) & 63], table[v & 63]};
  }
  if (i + 1 == bytes.size()) {
    unsigned v = (unsigned char)bytes[i] << 16;
    out += {table[v >> 18], table[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8;
    out += {table[v >> 18], table[(v >> 12) & 63], table[(v >> 6) & 63], '='};
  }
  return out;
}

fs::path make_temp_dir(const std::string& stem) {
  std::string pattern = (fs::temp_directory_path() / (stem + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) return {};
  return pattern;
}

// ---------------------------------------------------------------- YAML helpers

std::string str(const YAML::Node& node) { return node && node.IsScalar() ? node.Scalar() : std::string(); }

std::vector<std::string> strings(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node && node.IsSequence())
    for (const auto& item : node) out.push_back(str(item));
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

struct Rendered {
  Output output;
  std::vector<YAML::Node> objects;
  std::string parse_error;

  std::vector<YAML::Node> all(const std::string& kind) const {
    std::vector<YAML::Node> out;
    for (const auto& o : objects)
      if (str(o["kind"]) == kind) out.push_back(o);
    return out;
  }
  YAML::Node one(const std::string& kind, const std::string& name) const {
    for (const auto& o : objects)
      if (str(o["kind"]) == kind && str(o["metadata"]["name"]) == name) return o;
    return YAML::Node(YAML::NodeType::Undefined);
  }
};

Rendered render(const fs::path& kustomization_dir) {
  Rendered r;
  r.output = run("kubectl kustomize " + quote(kustomization_dir.string()));
  if (r.output.status != 0) return r;
  try {
    for (auto& doc : YAML::LoadAll(r.output.stdout_text))
      if (doc.IsMap()) r.objects.push_back(doc);
  } catch (const YAML::Exception& e) {
    r.parse_error = e.what();
  }
  return r;
}

// ---------------------------------------------------------------- the policy files

// The files the ConfigMap must hold, key -> path: every *.yaml / *.yml at the top of
// policies/ but kustomization.yaml, plus any file below that holds a Policy (the loader
// reads the folder recursively, so such a file would silently differ in the cluster).
// Names starting with '.' are skipped, as the loader does.
std::map<std::string, fs::path> expected_policy_files() {
  std::map<std::string, fs::path> out;
  const fs::path dir = kSourceDir / "policies";
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name.front() == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    const std::string ext = it->path().extension().string();
    if (!it->is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
    if (it.depth() == 0) {
      if (name != "kustomization.yaml") out[name] = it->path();
      continue;
    }
    bool holds_policy = true;  // a file that does not parse is kept: the loader would complain
    try {
      holds_policy = false;
      for (const auto& doc : YAML::LoadAllFromFile(it->path().string()))
        if (doc.IsMap() && str(doc["kind"]) == "Policy" && str(doc["apiVersion"]).rfind("driftgate.dev/", 0) == 0)
          holds_policy = true;
    } catch (const YAML::Exception&) {
      holds_policy = true;
    }
    if (holds_policy) out[name] = it->path();
  }
  return out;
}

std::string files_block(const std::map<std::string, fs::path>& files) {
  std::string out = "    files:\n";
  for (const auto& [key, path] : files)
    out += "      - " + fs::relative(path, kSourceDir / "policies").string() + "\n";
  return out;
}

// ---------------------------------------------------------------- the shared workspace

// A copy of deploy/ and policies/ (the overlays reach ../../policies), with
// certs/cluster-certs.sh run into the script-certs overlay's generated/ folder: the
// repository's own working tree is never written to.
struct Workspace {
  fs::path root;
  Output certs;
  std::map<std::string, Rendered> overlays;
  // Each overlay with `components: [../../components/monitoring]` added, the way
  // docs/alerts.md says to install it.
  std::map<std::string, Rendered> monitoring;
  // Each overlay with `components: [../../components/scan-cronjob]` added to its own
  // kustomization (where `namespace:` and `images:` apply), as docs/scan.md says.
  std::map<std::string, Rendered> scan;
};

Workspace* workspace = nullptr;

class ManifestsEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!have_command("kubectl")) return;
    workspace = new Workspace;
    workspace->root = make_temp_dir("driftgate-manifests");
    fs::copy(kSourceDir / "deploy", workspace->root / "deploy", fs::copy_options::recursive);
    fs::copy(kSourceDir / "policies", workspace->root / "policies", fs::copy_options::recursive);
    const fs::path generated = workspace->root / "deploy/overlays/script-certs/generated";
    fs::remove_all(generated);  // whatever a developer generated locally does not count
    workspace->certs =
        run(quote((kSourceDir / "certs/cluster-certs.sh").string()) + " --out " + quote(generated.string()));
    for (const auto& overlay : kOverlays)
      workspace->overlays[overlay] = render(workspace->root / "deploy/overlays" / overlay);
    for (const auto& overlay : kOverlays) {
      const fs::path dir = workspace->root / "deploy/overlays" / (overlay + "-with-monitoring");
      fs::create_directories(dir);
      std::ofstream(dir / "kustomization.yaml") << "apiVersion: kustomize.config.k8s.io/v1beta1\n"
                                                    "kind: Kustomization\n"
                                                    "resources:\n  - ../" << overlay << "\n"
                                                    "components:\n  - ../../components/monitoring\n";
      workspace->monitoring[overlay] = render(dir);
    }
    for (const auto& overlay : kOverlays) {
      const fs::path dir = workspace->root / "deploy/overlays" / (overlay + "-with-scan");
      fs::copy(workspace->root / "deploy/overlays" / overlay, dir, fs::copy_options::recursive);
      std::ofstream(dir / "kustomization.yaml", std::ios::app) << "\ncomponents:\n  - ../../components/scan-cronjob\n";
      workspace->scan[overlay] = render(dir);
    }
  }
  void TearDown() override {
    if (!workspace) return;
    std::error_code ec;
    fs::remove_all(workspace->root, ec);
    delete workspace;
    workspace = nullptr;
  }
};

const auto* const registered_environment = ::testing::AddGlobalTestEnvironment(new ManifestsEnvironment);

#define REQUIRE_KUBECTL()                                                                  \
  do {                                                                                     \
    if (!workspace) GTEST_SKIP() << "kubectl not found (scripts/install-deps.sh installs it)"; \
  } while (0)

// ---------------------------------------------------------------- every overlay

class Overlay : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    REQUIRE_KUBECTL();
    ASSERT_EQ(workspace->certs.status, 0) << workspace->certs.stderr_text;
    r_ = &workspace->overlays.at(GetParam());
    ASSERT_EQ(r_->output.status, 0) << "kubectl kustomize deploy/overlays/" << GetParam() << " failed:\n"
                                    << r_->output.stderr_text;
    ASSERT_TRUE(r_->parse_error.empty()) << r_->parse_error;
    ASSERT_FALSE(r_->objects.empty());
  }
  std::vector<YAML::Node> webhook_configurations() const {
    auto out = r_->all("ValidatingWebhookConfiguration");
    for (auto& m : r_->all("MutatingWebhookConfiguration")) out.push_back(m);
    return out;
  }
  YAML::Node deployment() const { return r_->one("Deployment", "driftgate"); }
  YAML::Node container() const {
    for (const auto& c : deployment()["spec"]["template"]["spec"]["containers"])
      if (str(c["name"]) == "driftgate") return c;
    return YAML::Node(YAML::NodeType::Undefined);
  }
  const Rendered* r_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Deploy, Overlay, ::testing::ValuesIn(kOverlays),
                         [](const auto& info) { return info.param == "cert-manager" ? "CertManager" : "ScriptCerts"; });

TEST_P(Overlay, HasOneValidatingAndOneMutatingConfigurationNamedDriftgate) {
  auto validating = r_->all("ValidatingWebhookConfiguration");
  auto mutating = r_->all("MutatingWebhookConfiguration");
  ASSERT_EQ(validating.size(), 1u);
  ASSERT_EQ(mutating.size(), 1u);
  // docs/install.md's emergency command deletes exactly these names.
  EXPECT_EQ(str(validating[0]["metadata"]["name"]), "driftgate");
  EXPECT_EQ(str(mutating[0]["metadata"]["name"]), "driftgate");
  ASSERT_EQ(validating[0]["webhooks"].size(), 1u);
  ASSERT_EQ(mutating[0]["webhooks"].size(), 1u);
  EXPECT_EQ(str(validating[0]["webhooks"][0]["name"]), "validate.driftgate.dev");
  EXPECT_EQ(str(mutating[0]["webhooks"][0]["name"]), "mutate.driftgate.dev");
  EXPECT_EQ(str(validating[0]["webhooks"][0]["clientConfig"]["service"]["path"]), "/validate");
  EXPECT_EQ(str(mutating[0]["webhooks"][0]["clientConfig"]["service"]["path"]), "/mutate");
}

TEST_P(Overlay, WebhooksHaveTheDocumentedSettings) {
  for (const auto& config : webhook_configurations()) {
    for (const auto& hook : config["webhooks"]) {
      SCOPED_TRACE(str(hook["name"]));
      EXPECT_EQ(str(hook["failurePolicy"]), "Fail");
      EXPECT_EQ(str(hook["sideEffects"]), "None");  // else every dry run (Flux, Argo CD) is refused
      EXPECT_EQ(str(hook["timeoutSeconds"]), "5");
      EXPECT_EQ(strings(hook["admissionReviewVersions"]), std::vector<std::string>{"v1"});
      EXPECT_EQ(str(hook["matchPolicy"]), "Equivalent");
      const auto service = hook["clientConfig"]["service"];
      EXPECT_EQ(str(service["name"]), "driftgate");
      EXPECT_EQ(str(service["namespace"]), "driftgate-system");
      EXPECT_EQ(str(service["port"]), "443");
      EXPECT_FALSE(hook["clientConfig"]["url"]);
      ASSERT_TRUE(hook["rules"].IsSequence());
      ASSERT_EQ(hook["rules"].size(), 1u);
      const auto rule = hook["rules"][0];
      EXPECT_EQ(strings(rule["operations"]), (std::vector<std::string>{"CREATE", "UPDATE", "DELETE"}));
      EXPECT_EQ(strings(rule["apiGroups"]), std::vector<std::string>{"*"});
      EXPECT_EQ(strings(rule["apiVersions"]), std::vector<std::string>{"*"});
      // "*": every resource, no subresource (docs/install.md explains why).
      // Every resource, and on /validate every /scale (judged by its parent, issue 12);
      // no other subresource (/status, pods/eviction, exec ...: docs/subresources.md).
      if (str(config["kind"]) == "ValidatingWebhookConfiguration")
        EXPECT_EQ(strings(rule["resources"]), (std::vector<std::string>{"*", "*/scale"}));
      else
        EXPECT_EQ(strings(rule["resources"]), std::vector<std::string>{"*"});
      EXPECT_EQ(str(rule["scope"]), "*");
      std::set<std::string> names;
      for (const auto& condition : hook["matchConditions"]) {
        EXPECT_TRUE(names.insert(str(condition["name"])).second) << "duplicate matchCondition name";
        EXPECT_FALSE(str(condition["expression"]).empty());
      }
      EXPECT_LE(names.size(), 64u);
      if (str(config["kind"]) == "MutatingWebhookConfiguration") {
        EXPECT_EQ(str(hook["reinvocationPolicy"]), "Never");
      }
    }
  }
}

TEST_P(Overlay, WebhooksNeverSeeTheNamespacesNeededToRecover) {
  std::vector<std::string> required = {"kube-system", "driftgate-system"};
  if (GetParam() == "cert-manager") required.push_back("cert-manager");
  for (const auto& config : webhook_configurations()) {
    for (const auto& hook : config["webhooks"]) {
      SCOPED_TRACE(str(config["kind"]) + " " + str(hook["name"]));
      const auto selector = hook["namespaceSelector"];
      ASSERT_TRUE(selector.IsMap());
      EXPECT_FALSE(selector["matchLabels"]) << "matchLabels would make the webhook opt-in";
      bool found = false;
      for (const auto& expr : selector["matchExpressions"]) {
        if (str(expr["key"]) != "kubernetes.io/metadata.name") continue;
        found = true;
        EXPECT_EQ(str(expr["operator"]), "NotIn");
        const auto values = strings(expr["values"]);
        for (const auto& ns : required) EXPECT_TRUE(contains(values, ns)) << ns << " is not excluded";
      }
      EXPECT_TRUE(found) << "no kubernetes.io/metadata.name NotIn expression";
    }
  }
  // driftgate's own objects live in an excluded namespace, and that namespace carries
  // the label the selector reads (the API server sets it too).
  const auto ns = r_->one("Namespace", "driftgate-system");
  ASSERT_TRUE(ns.IsMap());
  EXPECT_EQ(str(ns["metadata"]["labels"]["kubernetes.io/metadata.name"]), "driftgate-system");
  for (const auto& o : r_->objects) {
    if (!o["metadata"]["namespace"]) continue;
    EXPECT_EQ(str(o["metadata"]["namespace"]), "driftgate-system")
        << str(o["kind"]) << " " << str(o["metadata"]["name"]);
  }
}

TEST_P(Overlay, DeploymentRunsHardenedAndReplicated) {
  const auto d = deployment();
  ASSERT_TRUE(d.IsMap());
  EXPECT_GE(d["spec"]["replicas"].as<int>(), 2);
  const auto pod = d["spec"]["template"]["spec"];
  const auto pod_security = pod["securityContext"];
  EXPECT_EQ(str(pod_security["runAsNonRoot"]), "true");
  EXPECT_EQ(str(pod_security["seccompProfile"]["type"]), "RuntimeDefault");
  // The token is for the /scale guard's read-only watch cache (RbacIsReadOnlyOnTheScalableKinds).
  EXPECT_EQ(str(pod["automountServiceAccountToken"]), "true");
  EXPECT_EQ(str(pod["serviceAccountName"]), "driftgate");
  ASSERT_TRUE(r_->one("ServiceAccount", "driftgate").IsMap());

  const auto c = container();
  ASSERT_TRUE(c.IsMap());
  const auto sc = c["securityContext"];
  EXPECT_EQ(str(sc["runAsNonRoot"]), "true");
  EXPECT_EQ(str(sc["runAsUser"]), "65532");
  EXPECT_EQ(str(sc["readOnlyRootFilesystem"]), "true");
  EXPECT_EQ(str(sc["allowPrivilegeEscalation"]), "false");
  EXPECT_NE(str(sc["privileged"]), "true");
  EXPECT_EQ(strings(sc["capabilities"]["drop"]), std::vector<std::string>{"ALL"});
  EXPECT_FALSE(sc["capabilities"]["add"]);
  EXPECT_EQ(str(sc["seccompProfile"]["type"]), "RuntimeDefault");

  EXPECT_FALSE(str(c["resources"]["requests"]["cpu"]).empty());
  EXPECT_FALSE(str(c["resources"]["requests"]["memory"]).empty());
  EXPECT_FALSE(str(c["resources"]["limits"]["memory"]).empty());

  // Spread: zone and hostname, plus a preferred anti-affinity on hostname.
  std::set<std::string> keys;
  for (const auto& t : pod["topologySpreadConstraints"]) keys.insert(str(t["topologyKey"]));
  EXPECT_TRUE(keys.count("kubernetes.io/hostname"));
  EXPECT_TRUE(keys.count("topology.kubernetes.io/zone"));
  EXPECT_TRUE(pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"].IsSequence());

  // A priority class that exists in the rendered output (or a system one).
  const std::string priority = str(pod["priorityClassName"]);
  ASSERT_FALSE(priority.empty());
  if (priority.rfind("system-", 0) != 0) {
    EXPECT_TRUE(r_->one("PriorityClass", priority).IsMap()) << priority;
  }
}

// The /scale guard's RBAC (issue 12): get, list and watch on the four scalable
// built-in kinds, bound to driftgate's ServiceAccount, and no other Role or binding.
TEST_P(Overlay, RbacIsReadOnlyOnTheScalableKinds) {
  const auto role = r_->one("ClusterRole", "driftgate-scale-guard");
  ASSERT_TRUE(role.IsMap());
  std::set<std::string> granted;
  for (const auto& rule : role["rules"]) {
    EXPECT_EQ(strings(rule["verbs"]), (std::vector<std::string>{"get", "list", "watch"}));
    EXPECT_FALSE(rule["resourceNames"]);
    for (const auto& group : rule["apiGroups"])
      for (const auto& resource : rule["resources"]) granted.insert(str(group) + "/" + str(resource));
  }
  EXPECT_EQ(granted, (std::set<std::string>{"apps/deployments", "apps/statefulsets", "apps/replicasets",
                                            "/replicationcontrollers"}));
  const auto binding = r_->one("ClusterRoleBinding", "driftgate-scale-guard");
  ASSERT_TRUE(binding.IsMap());
  EXPECT_EQ(str(binding["roleRef"]["name"]), "driftgate-scale-guard");
  ASSERT_EQ(binding["subjects"].size(), 1u);
  EXPECT_EQ(str(binding["subjects"][0]["kind"]), "ServiceAccount");
  EXPECT_EQ(str(binding["subjects"][0]["name"]), "driftgate");
  EXPECT_EQ(str(binding["subjects"][0]["namespace"]), "driftgate-system");
  for (std::string kind : {"Role", "RoleBinding"}) EXPECT_TRUE(r_->all(kind).empty()) << kind;
  EXPECT_EQ(r_->all("ClusterRole").size(), 1u);
  EXPECT_EQ(r_->all("ClusterRoleBinding").size(), 1u);
}

TEST_P(Overlay, ProbesUseHttpsOnTheServingPort) {
  const auto c = container();
  ASSERT_TRUE(c.IsMap());
  std::string port_name;
  for (const auto& p : c["ports"])
    if (str(p["containerPort"]) == "8443") port_name = str(p["name"]);
  ASSERT_FALSE(port_name.empty()) << "no container port 8443";
  const std::map<std::string, std::string> expected = {
      {"readinessProbe", "/readyz"}, {"livenessProbe", "/healthz"}, {"startupProbe", "/healthz"}};
  for (const auto& [probe, path] : expected) {
    SCOPED_TRACE(probe);
    const auto get = c[probe]["httpGet"];
    ASSERT_TRUE(get.IsMap());
    EXPECT_EQ(str(get["scheme"]), "HTTPS");
    EXPECT_EQ(str(get["path"]), path);
    EXPECT_TRUE(str(get["port"]) == port_name || str(get["port"]) == "8443");
  }
  // The Service: 443 to that port.
  const auto svc = r_->one("Service", "driftgate");
  ASSERT_TRUE(svc.IsMap());
  ASSERT_EQ(svc["spec"]["ports"].size(), 1u);
  EXPECT_EQ(str(svc["spec"]["ports"][0]["port"]), "443");
  const std::string target = str(svc["spec"]["ports"][0]["targetPort"]);
  EXPECT_TRUE(target == port_name || target == "8443") << target;
  for (const auto& kv : svc["spec"]["selector"])
    EXPECT_EQ(str(deployment()["spec"]["template"]["metadata"]["labels"][kv.first.Scalar()]), str(kv.second));
}

TEST_P(Overlay, ServeArgumentsMatchTheMountedVolumes) {
  const auto c = container();
  ASSERT_TRUE(c.IsMap());
  const auto args = strings(c["args"]);
  auto flag = [&](const std::string& name) -> std::string {
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == name && i + 1 < args.size()) return args[i + 1];
      if (args[i].rfind(name + "=", 0) == 0) return args[i].substr(name.size() + 1);
    }
    return {};
  };
  ASSERT_FALSE(args.empty());
  EXPECT_EQ(args[0], "serve");
  EXPECT_EQ(flag("--reload-interval"), "5s");
  std::map<std::string, std::string> mounts;  // volume -> mountPath
  for (const auto& m : c["volumeMounts"]) {
    mounts[str(m["name"])] = str(m["mountPath"]);
    EXPECT_FALSE(m["subPath"]) << "a subPath mount never sees ConfigMap/Secret updates";
  }
  std::map<std::string, YAML::Node> volumes;
  for (const auto& v : deployment()["spec"]["template"]["spec"]["volumes"]) volumes[str(v["name"])] = YAML::Node(v);

  std::string policies_volume, tls_volume;
  for (const auto& [name, v] : volumes) {
    if (v["configMap"]) policies_volume = name;
    if (v["secret"]) tls_volume = name;
  }
  ASSERT_FALSE(policies_volume.empty());
  ASSERT_FALSE(tls_volume.empty());
  EXPECT_EQ(mounts[policies_volume], "/etc/driftgate/policies");
  EXPECT_EQ(flag("--policies"), mounts[policies_volume]);
  EXPECT_EQ(mounts[tls_volume], "/etc/driftgate/tls");
  EXPECT_EQ(flag("--tls-cert"), mounts[tls_volume] + "/tls.crt");
  EXPECT_EQ(flag("--tls-key"), mounts[tls_volume] + "/tls.key");
  EXPECT_EQ(str(volumes[tls_volume]["secret"]["secretName"]), "driftgate-tls");
  // The ConfigMap the volume names is the one rendered from policies/.
  EXPECT_TRUE(r_->one("ConfigMap", str(volumes[policies_volume]["configMap"]["name"])).IsMap());
}

TEST_P(Overlay, PodDisruptionBudgetSetsExactlyOneOfMinAvailableAndMaxUnavailable) {
  auto pdbs = r_->all("PodDisruptionBudget");
  ASSERT_EQ(pdbs.size(), 1u);
  const auto spec = pdbs[0]["spec"];
  EXPECT_NE(bool(spec["minAvailable"]), bool(spec["maxUnavailable"]))
      << "driftgate's own conflicting-fields policy (and the API server) refuse both";
  // It selects the Deployment's Pods and leaves at least one Pod of the replicas running.
  const auto labels = deployment()["spec"]["template"]["metadata"]["labels"];
  for (const auto& kv : spec["selector"]["matchLabels"]) EXPECT_EQ(str(labels[kv.first.Scalar()]), str(kv.second));
  if (spec["maxUnavailable"]) {
    EXPECT_LT(spec["maxUnavailable"].as<int>(), deployment()["spec"]["replicas"].as<int>());
  }
}

TEST_P(Overlay, PoliciesConfigMapHoldsExactlyThePolicyFiles) {
  auto maps = r_->all("ConfigMap");
  ASSERT_EQ(maps.size(), 1u);
  const auto data = maps[0]["data"];
  EXPECT_FALSE(maps[0]["binaryData"]) << "a policy file is not UTF-8 text";
  const auto expected = expected_policy_files();
  ASSERT_FALSE(expected.empty()) << "policies/ holds no policy file";
  std::set<std::string> have, want;
  if (data.IsMap())
    for (const auto& kv : data) have.insert(kv.first.Scalar());
  for (const auto& [key, path] : expected) want.insert(key);
  EXPECT_EQ(have, want) << "policies/kustomization.yaml must list every policy file; its configMapGenerator "
                           "entry should read:\n"
                        << files_block(expected);
  for (const auto& [key, path] : expected) {
    if (!data[key]) continue;
    EXPECT_EQ(str(data[key]), read_file(path)) << key << " differs from " << path;
  }
}

// ---------------------------------------------------------------- the monitoring component

const fs::path kPrometheusRule = kSourceDir / "deploy/components/monitoring/prometheusrule.yaml";
const std::string kRunbookBase = "https://github.com/driftgate/driftgate/blob/main/docs/alerts.md#";

// Same YAML, node for node (scalars compared as text).
bool same_yaml(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  if (a.IsScalar()) return a.Scalar() == b.Scalar();
  if (a.IsSequence()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_yaml(a[i], b[i])) return false;
    return true;
  }
  if (a.IsMap()) {
    if (a.size() != b.size()) return false;
    for (const auto& kv : a) {
      const YAML::Node& other = b;
      const YAML::Node value = other[kv.first.Scalar()];
      if (!value || !same_yaml(kv.second, value)) return false;
    }
    return true;
  }
  return true;  // both null
}

// The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to '-'.
std::string heading_anchor(const std::string& heading) {
  std::string out;
  for (char c : heading) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_') out += static_cast<char>(std::tolower(u));
    else if (c == ' ') out += '-';
  }
  return out;
}

std::set<std::string> markdown_anchors(const fs::path& file) {
  std::set<std::string> out;
  std::istringstream in(read_file(file));
  bool fenced = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) fenced = !fenced;
    if (fenced || line.empty() || line[0] != '#') continue;
    const auto text = line.find_first_not_of('#');
    if (text == std::string::npos || line[text] != ' ') continue;
    out.insert(heading_anchor(line.substr(text + 1)));
  }
  return out;
}

class Monitoring : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    REQUIRE_KUBECTL();
    ASSERT_EQ(workspace->certs.status, 0) << workspace->certs.stderr_text;
    r_ = &workspace->monitoring.at(GetParam());
    ASSERT_EQ(r_->output.status, 0) << "kubectl kustomize of deploy/overlays/" << GetParam()
                                    << " with components: [../../components/monitoring] failed:\n"
                                    << r_->output.stderr_text;
    ASSERT_TRUE(r_->parse_error.empty()) << r_->parse_error;
  }
  const Rendered* r_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Deploy, Monitoring, ::testing::ValuesIn(kOverlays),
                         [](const auto& info) { return info.param == "cert-manager" ? "CertManager" : "ScriptCerts"; });

TEST_P(Monitoring, AddsAServiceMonitorAndAPrometheusRuleToTheOverlayAndNothingElse) {
  const auto& plain = workspace->overlays.at(GetParam());
  ASSERT_EQ(plain.output.status, 0) << plain.output.stderr_text;
  // Optional: without the component an overlay needs no Prometheus Operator CRDs.
  EXPECT_TRUE(plain.all("ServiceMonitor").empty());
  EXPECT_TRUE(plain.all("PrometheusRule").empty());
  EXPECT_EQ(r_->objects.size(), plain.objects.size() + 2);
  for (const std::string kind : {"ServiceMonitor", "PrometheusRule"}) {
    SCOPED_TRACE(kind);
    ASSERT_EQ(r_->all(kind).size(), 1u);
    const auto o = r_->one(kind, "driftgate");
    ASSERT_TRUE(o.IsMap());
    EXPECT_EQ(str(o["apiVersion"]), "monitoring.coreos.com/v1");
    EXPECT_EQ(str(o["metadata"]["namespace"]), "driftgate-system");
  }
}

TEST_P(Monitoring, ServiceMonitorScrapesTheServiceOverTlsVerifiedLikeTheApiServer) {
  const auto svc = r_->one("Service", "driftgate");
  const auto sm = r_->one("ServiceMonitor", "driftgate");
  ASSERT_TRUE(svc.IsMap());
  ASSERT_TRUE(sm.IsMap());
  // It selects the Service, in its own namespace.
  const auto match = sm["spec"]["selector"]["matchLabels"];
  ASSERT_TRUE(match.IsMap() && match.size() > 0);
  for (const auto& kv : match)
    EXPECT_EQ(str(svc["metadata"]["labels"][kv.first.Scalar()]), str(kv.second)) << kv.first.Scalar();
  if (sm["spec"]["namespaceSelector"]) {
    EXPECT_TRUE(contains(strings(sm["spec"]["namespaceSelector"]["matchNames"]), "driftgate-system"));
  }
  // The job label is the Service's name: what every rule selects.
  EXPECT_FALSE(sm["spec"]["jobLabel"]) << "the rules select job=\"" << str(svc["metadata"]["name"]) << "\"";

  ASSERT_EQ(sm["spec"]["endpoints"].size(), 1u);
  const auto endpoint = sm["spec"]["endpoints"][0];
  std::vector<std::string> port_names;
  for (const auto& p : svc["spec"]["ports"]) port_names.push_back(str(p["name"]));
  EXPECT_TRUE(contains(port_names, str(endpoint["port"])))
      << "the ServiceMonitor's port '" << str(endpoint["port"]) << "' is not a named port of the Service";
  EXPECT_EQ(str(endpoint["scheme"]), "https");
  EXPECT_EQ(str(endpoint["path"]), "/metrics");

  const auto tls = endpoint["tlsConfig"];
  ASSERT_TRUE(tls.IsMap());
  EXPECT_NE(str(tls["insecureSkipVerify"]), "true");
  EXPECT_EQ(str(tls["serverName"]), "driftgate.driftgate-system.svc");
  EXPECT_TRUE(contains(kServiceNames, str(tls["serverName"])));
  // The CA: ca.crt of the Secret the Pods mount their serving certificate from.
  std::string tls_secret;
  for (const auto& v : r_->one("Deployment", "driftgate")["spec"]["template"]["spec"]["volumes"])
    if (v["secret"]) tls_secret = str(v["secret"]["secretName"]);
  ASSERT_FALSE(tls_secret.empty());
  EXPECT_EQ(str(tls["ca"]["secret"]["name"]), tls_secret);
  EXPECT_EQ(str(tls["ca"]["secret"]["key"]), "ca.crt");
  if (GetParam() == "cert-manager") {
    EXPECT_EQ(str(r_->one("Certificate", "driftgate-serving")["spec"]["secretName"]), tls_secret);
  } else {
    EXPECT_FALSE(str(r_->one("Secret", tls_secret)["data"]["ca.crt"]).empty());
  }

  // Every scrape job the rules select is this one. The driftgate-scan group reads
  // kube-state-metrics, whose scrape job is the cluster's: it selects no job, and
  // selects the CronJob and its Jobs by name instead.
  const std::string want = "job=\"" + str(svc["metadata"]["name"]) + "\"";
  for (const auto& group : r_->one("PrometheusRule", "driftgate")["spec"]["groups"])
    for (const auto& rule : group["rules"]) {
      const std::string expr = str(rule["expr"]);
      std::size_t jobs = 0;
      for (std::size_t at = expr.find("job="); at != std::string::npos; at = expr.find("job=", at + 1)) {
        if (at > 0 && (std::isalnum(static_cast<unsigned char>(expr[at - 1])) || expr[at - 1] == '_')) continue;  // cronjob=
        ++jobs;
        EXPECT_EQ(expr.compare(at, want.size(), want), 0) << str(rule["alert"]) << ": " << expr;
      }
      if (str(group["name"]) == "driftgate-scan") {
        EXPECT_EQ(jobs, 0u) << str(rule["alert"]) << ": " << expr;
        EXPECT_TRUE(expr.find("cronjob=\"driftgate-scan\"") != std::string::npos ||
                    expr.find("job_name=~\"driftgate-scan-[0-9]+\"") != std::string::npos)
            << str(rule["alert"]) << ": " << expr;
      } else {
        EXPECT_GT(jobs, 0u) << str(rule["alert"]) << " selects no job: " << expr;
      }
    }
}

// The rules are tested (tests/alerts, tests/e2e/alerts.sh) as extracted from the file;
// the cluster gets them through kustomize. Both must be the same.
TEST_P(Monitoring, RenderedPrometheusRuleSpecIsTheSourceFilesSpec) {
  const auto rendered = r_->one("PrometheusRule", "driftgate");
  ASSERT_TRUE(rendered.IsMap());
  const auto source = YAML::LoadFile(kPrometheusRule.string());
  EXPECT_TRUE(same_yaml(rendered["spec"], source["spec"])) << "kustomize changed the rules";
}

TEST(MonitoringRules, EveryAlertHasASeverityAnnotationsAndARunbookSectionInDocsAlerts) {
  const auto rule_file = YAML::LoadFile(kPrometheusRule.string());
  const auto anchors = markdown_anchors(kSourceDir / "docs/alerts.md");
  std::set<std::string> alerts;
  for (const auto& group : rule_file["spec"]["groups"])
    for (const auto& rule : group["rules"]) {
      const std::string alert = str(rule["alert"]);
      ASSERT_FALSE(alert.empty()) << "only alerting rules are expected";
      SCOPED_TRACE(alert);
      EXPECT_TRUE(alerts.insert(alert).second) << "two alerts named " << alert;
      EXPECT_TRUE(str(rule["labels"]["severity"]) == "critical" || str(rule["labels"]["severity"]) == "warning");
      EXPECT_FALSE(str(rule["for"]).empty());
      const auto annotations = rule["annotations"];
      EXPECT_FALSE(str(annotations["summary"]).empty());
      EXPECT_FALSE(str(annotations["description"]).empty());
      const std::string anchor = heading_anchor(alert);
      EXPECT_EQ(str(annotations["runbook_url"]), kRunbookBase + anchor);
      EXPECT_TRUE(anchors.count(anchor)) << "docs/alerts.md has no heading for #" << anchor;
    }
  EXPECT_GE(alerts.size(), 10u);
  // And no runbook section for an alert that is not shipped.
  for (const auto& anchor : anchors) {
    if (anchor.rfind("driftgate", 0) != 0) continue;
    bool shipped = false;
    for (const auto& alert : alerts) shipped = shipped || heading_anchor(alert) == anchor;
    EXPECT_TRUE(shipped) << "docs/alerts.md has a section #" << anchor << " for an alert that is not shipped";
  }
}

// ------------------------------------------------- the scan CronJob component

class ScanCronJob : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    REQUIRE_KUBECTL();
    ASSERT_EQ(workspace->certs.status, 0) << workspace->certs.stderr_text;
    r_ = &workspace->scan.at(GetParam());
    ASSERT_EQ(r_->output.status, 0) << "kubectl kustomize of deploy/overlays/" << GetParam()
                                    << " with components: [../../components/scan-cronjob] failed:\n"
                                    << r_->output.stderr_text;
    ASSERT_TRUE(r_->parse_error.empty()) << r_->parse_error;
  }
  const Rendered* r_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Deploy, ScanCronJob, ::testing::ValuesIn(kOverlays),
                         [](const auto& info) { return info.param == "cert-manager" ? "CertManager" : "ScriptCerts"; });

TEST_P(ScanCronJob, AddsTheCronJobItsServiceAccountAndRbacAndNothingElse) {
  const auto& plain = workspace->overlays.at(GetParam());
  EXPECT_TRUE(plain.all("CronJob").empty());
  EXPECT_EQ(r_->objects.size(), plain.objects.size() + 4);
  for (const auto& [kind, namespaced] : std::vector<std::pair<std::string, bool>>{
           {"CronJob", true}, {"ServiceAccount", true}, {"ClusterRole", false}, {"ClusterRoleBinding", false}}) {
    SCOPED_TRACE(kind);
    const auto o = r_->one(kind, "driftgate-scan");
    ASSERT_TRUE(o.IsMap());
    EXPECT_EQ(str(o["metadata"]["namespace"]), namespaced ? "driftgate-system" : "");
  }
}

TEST_P(ScanCronJob, RunsTheScanHardenedWithTheWebhooksImageAndPolicies) {
  const auto cronjob = r_->one("CronJob", "driftgate-scan");
  const auto pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"];
  EXPECT_EQ(str(pod["serviceAccountName"]), "driftgate-scan");
  EXPECT_EQ(str(pod["restartPolicy"]), "Never");
  EXPECT_EQ(str(cronjob["spec"]["concurrencyPolicy"]), "Forbid");
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_EQ(str(pod["securityContext"]["seccompProfile"]["type"]), "RuntimeDefault");
  ASSERT_EQ(pod["containers"].size(), 1u);
  const auto c = pod["containers"][0];
  // The image the overlay sets, the same as the webhook's.
  std::string webhook_image;
  for (const auto& w : r_->one("Deployment", "driftgate")["spec"]["template"]["spec"]["containers"])
    if (str(w["name"]) == "driftgate") webhook_image = str(w["image"]);
  EXPECT_EQ(str(c["image"]), webhook_image);
  const auto sc = c["securityContext"];
  EXPECT_TRUE(sc["runAsNonRoot"].as<bool>());
  EXPECT_TRUE(sc["readOnlyRootFilesystem"].as<bool>());
  EXPECT_FALSE(sc["allowPrivilegeEscalation"].as<bool>());
  EXPECT_FALSE(sc["privileged"].as<bool>());
  ASSERT_EQ(sc["capabilities"]["drop"].size(), 1u);
  EXPECT_EQ(str(sc["capabilities"]["drop"][0]), "ALL");
  EXPECT_FALSE(sc["capabilities"]["add"]);
  EXPECT_EQ(str(sc["seccompProfile"]["type"]), "RuntimeDefault");
  std::vector<std::string> args;
  for (const auto& a : c["args"]) args.push_back(str(a));
  ASSERT_FALSE(args.empty());
  EXPECT_EQ(args[0], "scan");
  const auto has = [&](const std::string& flag, const std::string& value) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == flag && (value.empty() || args[i + 1] == value)) return true;
    return value.empty() && !args.empty() && args.back() == flag;
  };
  EXPECT_TRUE(has("--write-reports", ""));
  EXPECT_TRUE(has("--fail-on", "none"));  // findings are no failure of the Job; 2 and 4 are
  EXPECT_TRUE(has("--policies", "/etc/driftgate/policies"));
  // The policies are the webhook's ConfigMap, mounted where --policies reads.
  ASSERT_EQ(c["volumeMounts"].size(), 1u);
  EXPECT_EQ(str(c["volumeMounts"][0]["mountPath"]), "/etc/driftgate/policies");
  const std::string configmap = str(pod["volumes"][0]["configMap"]["name"]);
  EXPECT_TRUE(r_->one("ConfigMap", configmap).IsMap()) << configmap;
}

TEST_P(ScanCronJob, ItsRoleReadsAndWritesOnlyReports) {
  const auto role = r_->one("ClusterRole", "driftgate-scan");
  ASSERT_TRUE(role.IsMap());
  for (const auto& rule : role["rules"]) {
    std::set<std::string> verbs, groups;
    for (const auto& v : rule["verbs"]) verbs.insert(str(v));
    for (const auto& g : rule["apiGroups"]) groups.insert(str(g));
    const bool reports = groups == std::set<std::string>{"wgpolicyk8s.io"};
    for (const auto& v : verbs) {
      if (v == "get" || v == "list") continue;
      EXPECT_TRUE(reports && (v == "create" || v == "update" || v == "delete")) << v << " on " << *groups.begin();
    }
    EXPECT_FALSE(verbs.count("*") || verbs.count("watch") || verbs.count("patch") || verbs.count("escalate"));
    if (reports) {
      std::set<std::string> resources;
      for (const auto& r : rule["resources"]) resources.insert(str(r));
      EXPECT_EQ(resources, (std::set<std::string>{"policyreports", "clusterpolicyreports"}));
    }
  }
  const auto binding = r_->one("ClusterRoleBinding", "driftgate-scan");
  EXPECT_EQ(str(binding["roleRef"]["name"]), "driftgate-scan");
  ASSERT_EQ(binding["subjects"].size(), 1u);
  EXPECT_EQ(str(binding["subjects"][0]["name"]), "driftgate-scan");
  EXPECT_EQ(str(binding["subjects"][0]["namespace"]), "driftgate-system");
  // The webhook's own ServiceAccount stays without a token.
  EXPECT_FALSE(r_->one("ServiceAccount", "driftgate")["automountServiceAccountToken"].as<bool>());
}

// ---------------------------------------------------------------- one overlay each

TEST(CertManagerOverlay, InjectsTheServingCertificatesCaIntoBothConfigurations) {
  REQUIRE_KUBECTL();
  const auto& r = workspace->overlays.at("cert-manager");
  ASSERT_EQ(r.output.status, 0) << r.output.stderr_text;
  const auto serving = r.one("Certificate", "driftgate-serving");
  ASSERT_TRUE(serving.IsMap());
  const std::string ref = "driftgate-system/driftgate-serving";
  for (const std::string kind : {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}) {
    const auto config = r.one(kind, "driftgate");
    ASSERT_TRUE(config.IsMap()) << kind;
    EXPECT_EQ(str(config["metadata"]["annotations"]["cert-manager.io/inject-ca-from"]), ref) << kind;
    for (const auto& hook : config["webhooks"]) EXPECT_FALSE(hook["clientConfig"]["caBundle"]) << kind;
  }
  EXPECT_EQ(str(serving["spec"]["secretName"]), "driftgate-tls");
  EXPECT_EQ(strings(serving["spec"]["dnsNames"]), kServiceNames);
  EXPECT_TRUE(contains(strings(serving["spec"]["usages"]), "server auth"));
  EXPECT_EQ(str(serving["spec"]["duration"]), "2160h");
  EXPECT_FALSE(str(serving["spec"]["renewBefore"]).empty());

  // The chain: selfSigned Issuer -> CA Certificate -> CA Issuer -> serving Certificate.
  const auto issuer = r.one("Issuer", str(serving["spec"]["issuerRef"]["name"]));
  ASSERT_TRUE(issuer.IsMap());
  const std::string ca_secret = str(issuer["spec"]["ca"]["secretName"]);
  ASSERT_FALSE(ca_secret.empty());
  YAML::Node ca;
  for (const auto& cert : r.all("Certificate"))
    if (str(cert["spec"]["secretName"]) == ca_secret) ca = cert;
  ASSERT_TRUE(ca.IsMap());
  EXPECT_EQ(str(ca["spec"]["isCA"]), "true");
  EXPECT_EQ(str(ca["spec"]["privateKey"]["rotationPolicy"]), "Never")
      << "a renewed CA must keep its key, or certificates it signed before stop verifying";
  const auto root = r.one("Issuer", str(ca["spec"]["issuerRef"]["name"]));
  ASSERT_TRUE(root.IsMap());
  EXPECT_TRUE(root["spec"]["selfSigned"].IsMap());
  EXPECT_TRUE(r.all("Secret").empty()) << "cert-manager writes driftgate-tls; the overlay must not";
}

TEST(ScriptCertsOverlay, CaBundleAndSecretComeFromTheScriptsFiles) {
  REQUIRE_KUBECTL();
  ASSERT_EQ(workspace->certs.status, 0) << workspace->certs.stderr_text;
  const auto& r = workspace->overlays.at("script-certs");
  ASSERT_EQ(r.output.status, 0) << r.output.stderr_text;
  const fs::path generated = workspace->root / "deploy/overlays/script-certs/generated";
  const std::string bundle_b64 = base64(read_file(generated / "ca-bundle.crt"));
  for (const std::string kind : {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}) {
    const auto config = r.one(kind, "driftgate");
    ASSERT_TRUE(config.IsMap()) << kind;
    const auto annotations = config["metadata"]["annotations"];
    EXPECT_FALSE(annotations && annotations["cert-manager.io/inject-ca-from"]);
    for (const auto& hook : config["webhooks"]) EXPECT_EQ(str(hook["clientConfig"]["caBundle"]), bundle_b64) << kind;
  }
  const auto secret = r.one("Secret", "driftgate-tls");
  ASSERT_TRUE(secret.IsMap());
  EXPECT_EQ(str(secret["type"]), "kubernetes.io/tls");
  EXPECT_EQ(str(secret["data"]["tls.crt"]), base64(read_file(generated / "tls.crt")));
  EXPECT_EQ(str(secret["data"]["tls.key"]), base64(read_file(generated / "tls.key")));
  EXPECT_EQ(str(secret["data"]["ca.crt"]), bundle_b64);
  EXPECT_FALSE(secret["data"]["ca.key"]) << "the CA key never goes into the cluster";
}

TEST(ScriptCertsOverlay, DoesNotRenderWithoutGeneratedCertificates) {
  REQUIRE_KUBECTL();
  const fs::path copy = make_temp_dir("driftgate-no-certs");
  fs::copy(kSourceDir / "deploy", copy / "deploy", fs::copy_options::recursive);
  fs::copy(kSourceDir / "policies", copy / "policies", fs::copy_options::recursive);
  fs::remove_all(copy / "deploy/overlays/script-certs/generated");
  const auto r = render(copy / "deploy/overlays/script-certs");
  EXPECT_NE(r.output.status, 0) << "webhook configurations without a caBundle must not be installable";
  fs::remove_all(copy);
}

TEST(PoliciesKustomization, ListsEveryPolicyFileOnce) {
  const auto k = YAML::LoadFile((kSourceDir / "policies/kustomization.yaml").string());
  ASSERT_TRUE(k["configMapGenerator"].IsSequence());
  ASSERT_EQ(k["configMapGenerator"].size(), 1u);
  const auto gen = k["configMapGenerator"][0];
  EXPECT_EQ(str(gen["name"]), "driftgate-policies");
  std::multiset<std::string> listed;
  for (const auto& f : strings(gen["files"])) listed.insert(fs::path(f).lexically_normal().string());
  std::multiset<std::string> want;
  const auto expected = expected_policy_files();
  for (const auto& [key, path] : expected)
    want.insert(fs::relative(path, kSourceDir / "policies").lexically_normal().string());
  EXPECT_EQ(listed, want) << "policies/kustomization.yaml should read:\n" << files_block(expected);
}

#ifdef DRIFTGATE_BINARY
// The kubelet mounts a ConfigMap as `..<timestamp>/<key>` files, a `..data` symlink to
// that folder and one `<key> -> ..data/<key>` symlink per key, and swaps `..data` on an
// update. driftgate must read the keys once each (skipping the dot entries) and follow
// the symlinks: `driftgate check` on that layout, built from the rendered ConfigMap,
// says exactly what it says on policies/ (the same verdict, errors and all).
TEST(PoliciesConfigMap, LoadsFromTheKubeletsMountLayoutLikeFromTheFolder) {
  REQUIRE_KUBECTL();
  if (!fs::exists(DRIFTGATE_BINARY)) GTEST_SKIP() << DRIFTGATE_BINARY << " not built";
  const auto& r = workspace->overlays.at("cert-manager");
  ASSERT_EQ(r.output.status, 0) << r.output.stderr_text;
  auto maps = r.all("ConfigMap");
  ASSERT_EQ(maps.size(), 1u);
  const fs::path mount = make_temp_dir("driftgate-policies-mount");
  const fs::path version = mount / "..2026_01_01_00_00_00.000000001";
  fs::create_directories(version);
  for (const auto& kv : maps[0]["data"]) {
    std::ofstream(version / kv.first.Scalar(), std::ios::binary) << kv.second.Scalar();
    fs::create_symlink(fs::path("..data") / kv.first.Scalar(), mount / kv.first.Scalar());
  }
  fs::create_directory_symlink(version.filename(), mount / "..data");

  // Compare with the same files in a plain folder (policies/ minus kustomization.yaml
  // and PolicyTest-only files below it), with the folder name taken out of the output.
  const fs::path plain = make_temp_dir("driftgate-policies-plain");
  for (const auto& [key, path] : expected_policy_files()) fs::copy_file(path, plain / key);
  auto check = [](const fs::path& dir) {
    Output out = run(quote(DRIFTGATE_BINARY) + " check " + quote(dir.string()));
    std::string text = out.stdout_text + out.stderr_text;
    for (size_t at; (at = text.find(dir.string())) != std::string::npos;) text.replace(at, dir.string().size(), "DIR");
    return std::make_pair(out.status, text);
  };
  const auto mounted = check(mount), folder = check(plain);
  EXPECT_EQ(mounted.first, folder.first);
  EXPECT_EQ(mounted.second, folder.second);
  fs::remove_all(mount);
  fs::remove_all(plain);
}
#endif

// ---------------------------------------------------------------- certs/cluster-certs.sh

class ClusterCerts : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_command("openssl")) GTEST_SKIP() << "openssl not found";
    dir_ = make_temp_dir("driftgate-cluster-certs");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  Output script(const std::string& flags = "") {
    return run(quote((kSourceDir / "certs/cluster-certs.sh").string()) + " --out " + quote(dir_.string()) + " " +
               flags);
  }
  Output openssl(const std::string& args) { return run("openssl " + args); }
  std::string file(const std::string& name) { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(ClusterCerts, MakesAChainOpensslVerifiesWithTheServiceNames) {
  const auto made = script();
  ASSERT_EQ(made.status, 0) << made.stderr_text;
  const auto verify = openssl("verify -CAfile " + quote(file("ca.crt")) + " " + quote(file("tls.crt")));
  EXPECT_EQ(verify.status, 0) << verify.stdout_text << verify.stderr_text;
  EXPECT_NE(verify.stdout_text.find(": OK"), std::string::npos);

  const auto san = openssl("x509 -noout -ext subjectAltName -in " + quote(file("tls.crt")));
  ASSERT_EQ(san.status, 0) << san.stderr_text;
  std::set<std::string> names;
  std::istringstream in(san.stdout_text.substr(san.stdout_text.find('\n') + 1));
  for (std::string entry; std::getline(in, entry, ',');) {
    entry.erase(0, entry.find_first_not_of(" \n"));
    entry.erase(entry.find_last_not_of(" \n") + 1);
    names.insert(entry);
  }
  std::set<std::string> want;
  for (const auto& n : kServiceNames) want.insert("DNS:" + n);
  EXPECT_EQ(names, want);

  const auto serving = openssl("x509 -noout -text -in " + quote(file("tls.crt")));
  EXPECT_NE(serving.stdout_text.find("TLS Web Server Authentication"), std::string::npos);
  EXPECT_NE(serving.stdout_text.find("CA:FALSE"), std::string::npos);
  const auto ca = openssl("x509 -noout -text -in " + quote(file("ca.crt")));
  EXPECT_NE(ca.stdout_text.find("CA:TRUE"), std::string::npos);
  EXPECT_NE(ca.stdout_text.find("Certificate Sign"), std::string::npos);

  // Validity: the serving certificate lasts 90 days (valid in 89, gone in 91); the CA 1-3 years.
  auto valid_in_days = [&](const std::string& f, int days) {
    return openssl("x509 -noout -checkend " + std::to_string(days * 86400) + " -in " + quote(file(f))).status == 0;
  };
  EXPECT_TRUE(valid_in_days("tls.crt", 89));
  EXPECT_FALSE(valid_in_days("tls.crt", 91));
  EXPECT_TRUE(valid_in_days("ca.crt", 364));
  EXPECT_FALSE(valid_in_days("ca.crt", 3 * 366 + 1));
}

TEST_F(ClusterCerts, WritesASecretManifestThatParses) {
  ASSERT_EQ(script().status, 0);
  YAML::Node secret;
  ASSERT_NO_THROW(secret = YAML::LoadFile(file("secret.yaml")));
  EXPECT_EQ(str(secret["apiVersion"]), "v1");
  EXPECT_EQ(str(secret["kind"]), "Secret");
  EXPECT_EQ(str(secret["metadata"]["name"]), "driftgate-tls");
  EXPECT_EQ(str(secret["metadata"]["namespace"]), "driftgate-system");
  EXPECT_EQ(str(secret["type"]), "kubernetes.io/tls");
  EXPECT_EQ(str(secret["data"]["tls.crt"]), base64(read_file(file("tls.crt"))));
  EXPECT_EQ(str(secret["data"]["tls.key"]), base64(read_file(file("tls.key"))));
  EXPECT_EQ(str(secret["data"]["ca.crt"]), base64(read_file(file("ca.crt"))));
  EXPECT_EQ(secret["data"].size(), 3u);
}

TEST_F(ClusterCerts, IsIdempotentAndRotateKeepsTheCa) {
  ASSERT_EQ(script().status, 0);
  const std::string ca = read_file(file("ca.crt")), tls = read_file(file("tls.crt")),
                    secret = read_file(file("secret.yaml"));
  ASSERT_EQ(script().status, 0);
  EXPECT_EQ(read_file(file("ca.crt")), ca);
  EXPECT_EQ(read_file(file("tls.crt")), tls);
  EXPECT_EQ(read_file(file("secret.yaml")), secret);

  const auto rotated = script("--rotate");
  ASSERT_EQ(rotated.status, 0) << rotated.stderr_text;
  EXPECT_EQ(read_file(file("ca.crt")), ca);
  EXPECT_NE(read_file(file("tls.crt")), tls);
  EXPECT_EQ(openssl("verify -CAfile " + quote(file("ca.crt")) + " " + quote(file("tls.crt"))).status, 0);
}

TEST_F(ClusterCerts, CaRotationTrustsBothCasUntilTheOldOneIsDropped) {
  ASSERT_EQ(script().status, 0);
  const std::string old_ca = read_file(file("ca.crt")), old_tls = read_file(file("tls.crt"));
  auto count_certs = [&](const std::string& f) {
    const std::string text = read_file(file(f));
    size_t n = 0;
    for (size_t at = text.find("BEGIN CERTIFICATE"); at != std::string::npos; at = text.find("BEGIN CERTIFICATE", at + 1)) ++n;
    return n;
  };
  // Step 1: new CA, both trusted, serving certificate untouched and still trusted.
  ASSERT_EQ(script("--rotate-ca").status, 0);
  EXPECT_NE(read_file(file("ca.crt")), old_ca);
  EXPECT_EQ(read_file(file("tls.crt")), old_tls);
  EXPECT_EQ(count_certs("ca-bundle.crt"), 2u);
  EXPECT_EQ(openssl("verify -CAfile " + quote(file("ca-bundle.crt")) + " " + quote(file("tls.crt"))).status, 0);
  EXPECT_NE(script("--drop-previous-ca").status, 0) << "dropping the CA that signed the serving cert must be refused";
  // Step 2: a serving certificate from the new CA.
  ASSERT_EQ(script("--rotate").status, 0);
  EXPECT_EQ(openssl("verify -CAfile " + quote(file("ca.crt")) + " " + quote(file("tls.crt"))).status, 0);
  // Step 3: only the new CA.
  ASSERT_EQ(script("--drop-previous-ca").status, 0);
  EXPECT_EQ(count_certs("ca-bundle.crt"), 1u);
  EXPECT_EQ(read_file(file("ca-bundle.crt")), read_file(file("ca.crt")));
  YAML::Node secret = YAML::LoadFile(file("secret.yaml"));
  EXPECT_EQ(str(secret["data"]["ca.crt"]), base64(read_file(file("ca.crt"))));
}

#if defined(DRIFTGATE_BINARY) && defined(DRIFTGATE_WITH_SERVER)
// A free TCP port on 127.0.0.1 (racy in principle; fine for a test).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(ClusterCerts, ServerPresentsTheCertificateAndAClientVerifyingTheServiceNameAcceptsIt) {
  if (!have_command("curl")) GTEST_SKIP() << "curl not found";
  if (!fs::exists(DRIFTGATE_BINARY)) GTEST_SKIP() << DRIFTGATE_BINARY << " not built";
  ASSERT_EQ(script().status, 0);
  const int port = free_port();
  ASSERT_GT(port, 0);
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  const std::string binary = DRIFTGATE_BINARY;
  const std::string policies = (kSourceDir / "policies").string();
  const std::string audit = file("audit.log");
  std::vector<std::string> args = {binary,       "serve",    "--policies", policies, "--tls-cert", file("tls.crt"),
                                   "--tls-key", file("tls.key"), "--listen", listen,   "--threads",  "1",
                                   "--audit-log", audit};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv.data(), environ), 0);

  // A client that trusts only ca.crt and checks the name the API server uses.
  const std::string url = "https://driftgate.driftgate-system.svc:" + std::to_string(port) + "/healthz";
  const std::string curl = "curl -sS --max-time 2 --cacert " + quote(file("ca.crt")) + " --resolve " +
                           quote("driftgate.driftgate-system.svc:" + std::to_string(port) + ":127.0.0.1") + " " +
                           quote(url);
  Output out;
  for (int attempt = 0; attempt < 50; ++attempt) {
    out = run(curl);
    if (out.status == 0) break;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid = 0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // A client expecting another name refuses the same certificate.
  Output wrong_name;
  if (out.status == 0) {
    const std::string other = "other.driftgate-system.svc:" + std::to_string(port);
    wrong_name = run("curl -sS --max-time 2 --cacert " + quote(file("ca.crt")) + " --resolve " +
                     quote(other + ":127.0.0.1") + " " + quote("https://" + other + "/healthz"));
  }
  if (pid > 0) {
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
  }
  ASSERT_EQ(out.status, 0) << "curl: " << out.stderr_text << "\nserver log:\n" << read_file(audit);
  EXPECT_NE(wrong_name.status, 0) << "a certificate for another name was accepted";
}
#endif

}  // namespace
