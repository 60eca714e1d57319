#include "kube/config.h"

#include <cstdlib>
#include <map>
#include <set>

#include "json/value.h"
#include "json/yaml.h"
#include "util/base64.h"
#include "util/file.h"

namespace driftgate::kube {
namespace {

namespace fs = std::filesystem;

// Kubeconfigs are a few KiB (a few hundred with many contexts); certificates
// and tokens are smaller still. The caps only stop a wrong path from being read whole.
constexpr std::size_t kMaxKubeconfigBytes = 16u << 20;
constexpr std::size_t kMaxCredentialFileBytes = 1u << 20;

// One named entry (cluster, user or context) and the folder of the file that
// defined it: relative paths inside it are relative to that file, as in kubectl.
struct Entry {
  const json::Value* body = nullptr;
  fs::path file;
};

struct Merged {
  std::vector<json::Document> documents;  // keeps the entries' values alive
  std::map<std::string, Entry, std::less<>> clusters, users, contexts;
  std::string current_context;
  std::vector<fs::path> files;  // the files read, for messages
};

std::string join_paths(const std::vector<fs::path>& files) {
  std::string out;
  for (const auto& f : files) {
    if (!out.empty()) out += ':';
    out += f.string();
  }
  return out;
}

// A string field; numbers and booleans where a string belongs are errors, as
// in kubectl (YAML reads `token: 12345` as a number).
Result<std::string> string_field(const json::Value& object, std::string_view key, const std::string& where) {
  const json::Value* v = object.find(key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return Error{where + ": " + std::string(key) + " must be a string"};
  return std::string(v->as_string());
}

std::optional<Error> add_entries(const json::Value& root, std::string_view list_key, std::string_view body_key,
                                 const fs::path& file, std::map<std::string, Entry, std::less<>>& into) {
  const json::Value* list = root.find(list_key);
  if (!list || list->is_null()) return std::nullopt;
  if (!list->is_array()) return Error{file.string() + ": " + std::string(list_key) + " must be a list"};
  for (const json::Value& item : list->items()) {
    std::string_view name = item.string_at("name");
    if (name.empty()) return Error{file.string() + ": an entry of " + std::string(list_key) + " has no name"};
    const json::Value* body = item.find(body_key);
    if (!body || !body->is_object())
      return Error{file.string() + ": " + std::string(list_key) + " entry \"" + std::string(name) + "\" has no " +
                   std::string(body_key) + " map"};
    into.try_emplace(std::string(name), Entry{body, file});  // the first file to define a name wins
  }
  return std::nullopt;
}

Result<Merged> merge_files(const std::vector<fs::path>& files, bool must_exist) {
  Merged merged;
  for (const fs::path& file : files) {
    std::error_code ec;
    if (!must_exist && !fs::exists(file, ec)) continue;
    auto text = read_file(file, kMaxKubeconfigBytes);
    if (!text) return Error{"kubeconfig " + text.error()};
    auto doc = json::parse_yaml(*text);
    if (!doc) return Error{"kubeconfig " + file.string() + ": " + doc.error()};
    merged.files.push_back(file);
    const json::Value& root = doc->root;
    if (root.is_null()) continue;  // an empty file
    if (!root.is_object()) return Error{"kubeconfig " + file.string() + ": not a kubeconfig (a map is expected)"};
    std::string_view kind = root.string_at("kind");
    if (!kind.empty() && kind != "Config")
      return Error{"kubeconfig " + file.string() + ": kind is " + std::string(kind) + ", not Config"};
    if (auto e = add_entries(root, "clusters", "cluster", file, merged.clusters)) return *e;
    if (auto e = add_entries(root, "users", "user", file, merged.users)) return *e;
    if (auto e = add_entries(root, "contexts", "context", file, merged.contexts)) return *e;
    if (merged.current_context.empty()) merged.current_context = std::string(root.string_at("current-context"));
    merged.documents.push_back(std::move(*doc));
  }
  return merged;
}

fs::path resolve(const fs::path& file_of_entry, const std::string& path) {
  fs::path p(path);
  if (p.is_absolute() || path.empty()) return p;
  return file_of_entry.parent_path() / p;
}

// A `<name>-data` field (base64) or a `<name>` file; data wins, as in kubectl.
Result<std::string> data_or_file(const Entry& entry, std::string_view name, const std::string& where) {
  auto data = string_field(*entry.body, std::string(name) + "-data", where);
  if (!data) return data;
  if (!data->empty()) {
    auto bytes = base64_decode(*data);
    if (!bytes) return Error{where + ": " + std::string(name) + "-data is not valid base64"};
    return std::move(*bytes);
  }
  auto file = string_field(*entry.body, name, where);
  if (!file) return file;
  if (file->empty()) return std::string();
  auto text = read_file(resolve(entry.file, *file), kMaxCredentialFileBytes);
  if (!text) return Error{where + ": " + std::string(name) + " " + text.error()};
  return std::move(*text);
}

std::string_view first_line(std::string_view text) { return text.substr(0, text.find('\n')); }

Result<ExecConfig> read_exec(const json::Value& exec, const Entry& user, const std::string& where) {
  ExecConfig out;
  std::string at = where + ": exec";
  auto api = string_field(exec, "apiVersion", at);
  auto command = string_field(exec, "command", at);
  auto mode = string_field(exec, "interactiveMode", at);
  auto hint = string_field(exec, "installHint", at);
  for (auto* r : {&api, &command, &mode, &hint})
    if (!*r) return Error{r->error()};
  out.api_version = *api;
  out.command = *command;
  out.interactive_mode = *mode;
  out.install_hint = *hint;
  if (out.command.empty()) return Error{at + ": command is required"};
  if (out.api_version != "client.authentication.k8s.io/v1" && out.api_version != "client.authentication.k8s.io/v1beta1")
    return Error{at + ": apiVersion \"" + out.api_version +
                 "\" is not supported (client.authentication.k8s.io/v1 or v1beta1)"};
  // kubectl defaults the mode for v1beta1 and requires it for v1.
  if (out.interactive_mode.empty()) {
    if (out.api_version == "client.authentication.k8s.io/v1")
      return Error{at + ": interactiveMode must be specified for client.authentication.k8s.io/v1"};
    out.interactive_mode = "IfAvailable";
  }
  if (out.interactive_mode != "Never" && out.interactive_mode != "IfAvailable" && out.interactive_mode != "Always")
    return Error{at + ": interactiveMode must be Never, IfAvailable or Always, not \"" + out.interactive_mode + "\""};
  // A command with a path separator is relative to the kubeconfig; a bare name is looked up in PATH.
  if (out.command.find('/') != std::string::npos) out.command = resolve(user.file, out.command).string();
  if (const json::Value* args = exec.find("args"); args && !args->is_null()) {
    if (!args->is_array()) return Error{at + ": args must be a list"};
    for (const json::Value& a : args->items()) {
      if (!a.is_string()) return Error{at + ": args must be strings"};
      out.args.emplace_back(a.as_string());
    }
  }
  if (const json::Value* env = exec.find("env"); env && !env->is_null()) {
    if (!env->is_array()) return Error{at + ": env must be a list of {name, value}"};
    for (const json::Value& e : env->items()) {
      if (e.string_at("name").empty()) return Error{at + ": an env entry has no name"};
      out.env.emplace_back(std::string(e.string_at("name")), std::string(e.string_at("value")));
    }
  }
  if (const json::Value* info = exec.find("provideClusterInfo"); info && info->is_bool())
    out.provide_cluster_info = info->as_bool();
  return out;
}

Result<Config> build(const Merged& merged, const std::string& requested_context) {
  const std::string files = join_paths(merged.files);
  std::string context_name = requested_context.empty() ? merged.current_context : requested_context;
  if (context_name.empty())
    return Error{"kubeconfig " + files + ": no current-context is set; choose one with --context"};
  auto context = merged.contexts.find(context_name);
  if (context == merged.contexts.end())
    return Error{"kubeconfig " + files + ": context \"" + context_name + "\" not found"};

  Config config;
  config.context = context_name;
  config.origin = "kubeconfig context " + context_name;
  const std::string where = "kubeconfig context \"" + context_name + "\"";
  const json::Value& ctx = *context->second.body;
  auto cluster_name = string_field(ctx, "cluster", where);
  auto user_name = string_field(ctx, "user", where);
  auto ns = string_field(ctx, "namespace", where);
  for (auto* r : {&cluster_name, &user_name, &ns})
    if (!*r) return Error{r->error()};
  config.namespace_ = *ns;
  config.user = *user_name;

  if (cluster_name->empty()) return Error{where + " names no cluster"};
  auto cluster = merged.clusters.find(*cluster_name);
  if (cluster == merged.clusters.end())
    return Error{where + " names cluster \"" + *cluster_name + "\", which is not defined in " + files};
  const std::string cluster_where = where + ", cluster \"" + *cluster_name + "\"";
  const json::Value& c = *cluster->second.body;
  auto server = string_field(c, "server", cluster_where);
  auto sni = string_field(c, "tls-server-name", cluster_where);
  auto proxy = string_field(c, "proxy-url", cluster_where);
  for (auto* r : {&server, &sni, &proxy})
    if (!*r) return Error{r->error()};
  if (server->empty()) return Error{cluster_where + " has no server"};
  while (!server->empty() && server->back() == '/') server->pop_back();
  if (server->rfind("https://", 0) != 0)
    return Error{cluster_where + ": server " + *server + " is not an https:// URL (plain http is not supported)"};
  if (!proxy->empty()) return Error{cluster_where + ": proxy-url is not supported"};
  config.server = *server;
  config.tls_server_name = *sni;
  if (const json::Value* insecure = c.find("insecure-skip-tls-verify"); insecure && insecure->is_bool())
    config.insecure_skip_tls_verify = insecure->as_bool();
  auto ca = data_or_file(cluster->second, "certificate-authority", cluster_where);
  if (!ca) return Error{ca.error()};
  config.ca_pem = std::move(*ca);
  if (config.insecure_skip_tls_verify) {
    if (!config.ca_pem.empty())
      return Error{cluster_where + ": insecure-skip-tls-verify and a certificate-authority cannot both be set"};
    config.warnings.push_back("TLS is not verified for " + config.server + " (insecure-skip-tls-verify in " + where +
                              "): anyone on the network path can read and alter the traffic");
  }
  config.ca_origin = config.ca_pem.empty() ? "system CAs, " + config.origin : "CA from " + config.origin;

  if (user_name->empty()) return config;  // no credentials: anonymous, as kubectl allows
  auto user = merged.users.find(*user_name);
  if (user == merged.users.end())
    return Error{where + " names user \"" + *user_name + "\", which is not defined in " + files};
  const std::string user_where = where + ", user \"" + *user_name + "\"";
  const json::Value& u = *user->second.body;
  for (std::string_view unsupported : {"auth-provider", "as", "as-groups", "as-uid", "as-user-extra"})
    if (const json::Value* v = u.find(unsupported); v && v->is_set()) {
      if (unsupported == "auth-provider")
        return Error{user_where + ": auth-provider plugins are not supported (kubectl removed the gcp and azure ones "
                                  "in 1.26); use an exec plugin such as gke-gcloud-auth-plugin or kubelogin"};
      return Error{user_where + ": impersonation (" + std::string(unsupported) + ") is not supported"};
    }
  auto token = string_field(u, "token", user_where);
  auto token_file = string_field(u, "tokenFile", user_where);
  auto username = string_field(u, "username", user_where);
  auto password = string_field(u, "password", user_where);
  for (auto* r : {&token, &token_file, &username, &password})
    if (!*r) return Error{r->error()};
  config.token = *token;
  if (!token_file->empty()) config.token_file = resolve(user->second.file, *token_file);
  config.username = *username;
  config.password = *password;
  auto cert = data_or_file(user->second, "client-certificate", user_where);
  if (!cert) return Error{cert.error()};
  auto key = data_or_file(user->second, "client-key", user_where);
  if (!key) return Error{key.error()};
  if (cert->empty() != key->empty())
    return Error{user_where + ": client-certificate and client-key must be given together"};
  config.client_certificate_pem = std::move(*cert);
  config.client_key_pem = std::move(*key);
  if (const json::Value* exec = u.find("exec"); exec && exec->is_set()) {
    if (!exec->is_object()) return Error{user_where + ": exec must be a map"};
    auto e = read_exec(*exec, user->second, user_where);
    if (!e) return Error{e.error()};
    config.exec = std::move(*e);
  }
  return config;
}

std::optional<std::string> home_directory(const GetEnv& getenv) {
  if (auto home = getenv("HOME"); home && !home->empty()) return home;
  return std::nullopt;
}

}  // namespace

GetEnv process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::vector<fs::path> split_kubeconfig_list(std::string_view list) {
  std::vector<fs::path> out;
  std::set<std::string, std::less<>> seen;  // kubectl reads a file listed twice once
  while (!list.empty()) {
    auto colon = list.find(':');
    std::string_view item = list.substr(0, colon);
    if (!item.empty() && seen.emplace(item).second) out.emplace_back(std::string(item));
    if (colon == std::string_view::npos) break;
    list.remove_prefix(colon + 1);
  }
  return out;
}

Result<Config> load_kubeconfig(const std::vector<fs::path>& files, const std::string& context) {
  auto merged = merge_files(files, false);
  if (!merged) return Error{merged.error()};
  if (merged->files.empty()) return Error{"no kubeconfig found at " + join_paths(files)};
  return build(*merged, context);
}

Result<Config> in_cluster_config(const GetEnv& getenv, const fs::path& dir) {
  auto host = getenv("KUBERNETES_SERVICE_HOST");
  auto port = getenv("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty())
    return Error{"not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set"};
  Config config;
  config.origin = "in-cluster service account";
  std::string h = *host;
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // an IPv6 service address
  config.server = "https://" + h + ":" + *port;
  config.token_file = dir / "token";
  // Read once now so a Pod without a mounted token fails at start, not at the first request.
  auto token = read_file(config.token_file, kMaxCredentialFileBytes);
  if (!token) return Error{"in-cluster service account token " + token.error()};
  auto ca = read_file(dir / "ca.crt", kMaxCredentialFileBytes);
  if (!ca) return Error{"in-cluster service account CA " + ca.error()};
  config.ca_pem = std::move(*ca);
  config.ca_origin = "CA " + (dir / "ca.crt").string() + " of the in-cluster service account";
  if (auto ns = read_file(dir / "namespace", 4096)) {
    config.namespace_ = std::string(first_line(*ns));
  }
  return config;
}

Result<Config> load_config(const ConfigOptions& options) {
  if (!options.kubeconfig.empty()) {
    auto merged = merge_files({options.kubeconfig}, true);
    if (!merged) return Error{merged.error()};
    return build(*merged, options.context);
  }
  std::vector<fs::path> files;
  if (auto list = options.getenv("KUBECONFIG"); list && !list->empty()) {
    files = split_kubeconfig_list(*list);
  } else if (auto home = home_directory(options.getenv)) {
    files.push_back(fs::path(*home) / ".kube" / "config");
  }
  auto merged = merge_files(files, false);
  if (!merged) return Error{merged.error()};
  if (!merged->files.empty()) return build(*merged, options.context);
  if (options.allow_in_cluster) {
    auto host = options.getenv("KUBERNETES_SERVICE_HOST");
    if (host && !host->empty()) {
      if (!options.context.empty())
        return Error{"--context " + options.context + " given, but no kubeconfig was found (looked at " +
                     join_paths(files) + ")"};
      return in_cluster_config(options.getenv, options.service_account_dir);
    }
  }
  return Error{"no kubeconfig found (looked at " + (files.empty() ? std::string("$KUBECONFIG and $HOME, both unset")
                                                                  : join_paths(files)) +
               ") and not running in a cluster (KUBERNETES_SERVICE_HOST is not set)"};
}

}  // namespace driftgate::kube
