#pragma once
// Where a Kubernetes API server is and how to authenticate to it, found the way
// kubectl finds it: --kubeconfig, else $KUBECONFIG (a list of files, merged),
// else ~/.kube/config, else the in-cluster service account. No Boost, no
// OpenSSL: this is data, read from YAML files and the environment.
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/result.h"
#include "util/time.h"

namespace driftgate::kube {

// An `exec` credential plugin, as a kubeconfig user's `exec:` block names it.
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;      // resolved against the kubeconfig's folder when it holds a '/'
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to driftgate's own environment
  bool provide_cluster_info = false;
  std::string interactive_mode;  // Never, IfAvailable or Always; driftgate is never interactive
  std::string install_hint;      // printed by kubectl when the command is missing; ours too
};

// Everything needed to reach one API server as one identity.
struct Config {
  // Where this came from, for messages: `kubeconfig context prod` or
  // `in-cluster service account`.
  std::string origin;
  std::string context;  // the kubeconfig context's name; empty in-cluster
  std::string user;     // the kubeconfig user entry's name; empty in-cluster

  std::string server;           // https://host[:port][/prefix], without a trailing '/'
  std::string tls_server_name;  // SNI and the name the certificate must carry; empty: the server's host
  std::string ca_pem;           // trust anchors; empty: the system's default CAs, as kubectl
  std::string ca_origin;        // `CA from kubeconfig context prod`, `system CAs`, ...
  bool insecure_skip_tls_verify = false;

  std::string token;                  // a static bearer token
  std::filesystem::path token_file;   // read when it changes (projected tokens rotate); wins over `token`
  std::string username, password;     // HTTP basic auth (old clusters)
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::optional<ExecConfig> exec;

  std::string namespace_;  // the context's namespace, or the service account's; may be empty

  // Things the user should know but that do not stop us, e.g. that TLS is not verified.
  std::vector<std::string> warnings;
};

// The environment lookup is injectable so tests need not touch the process's.
using GetEnv = std::function<std::optional<std::string>(const std::string& name)>;
GetEnv process_environment();

struct ConfigOptions {
  std::filesystem::path kubeconfig;  // --kubeconfig: only this file, which must exist
  std::string context;               // --context: instead of current-context
  GetEnv getenv = process_environment();
  // The service account's token, ca.crt and namespace when running in a Pod.
  std::filesystem::path service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
  // Fall back to the service account when no kubeconfig is found (as kubectl in a Pod).
  bool allow_in_cluster = true;
};

// kubectl's order: --kubeconfig; $KUBECONFIG; ~/.kube/config; in-cluster.
Result<Config> load_config(const ConfigOptions& options = {});

// The kubeconfig files of a $KUBECONFIG-like list merged as kubectl merges them:
// for clusters, users and contexts the first file to define a name wins, and
// current-context comes from the first file that sets one. Files of the list
// that do not exist are skipped, as kubectl skips them.
Result<Config> load_kubeconfig(const std::vector<std::filesystem::path>& files, const std::string& context = "");

// KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT and the service account files.
Result<Config> in_cluster_config(const GetEnv& getenv = process_environment(),
                                 const std::filesystem::path& service_account_dir =
                                     "/var/run/secrets/kubernetes.io/serviceaccount");

// $KUBECONFIG split on ':' (empty entries dropped).
std::vector<std::filesystem::path> split_kubeconfig_list(std::string_view list);

}  // namespace driftgate::kube
