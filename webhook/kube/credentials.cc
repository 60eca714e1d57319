#include "kube/credentials.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "json/parse.h"
#include "json/writer.h"
#include "util/base64.h"
#include "util/file.h"

extern char** environ;

namespace driftgate::kube {
namespace {

// An ExecCredential is a token or a certificate: a few KiB. Anything past this
// is a plugin printing something else.
constexpr std::size_t kMaxPluginOutput = 1u << 20;
// Of stderr only the first line is used, in an error message; the rest is read and dropped.
constexpr std::size_t kMaxPluginStderr = 64u << 10;

// "1 s", "1.5 s", as the timeout was given.
std::string seconds_text(std::chrono::milliseconds d) {
  std::string out = std::to_string(d.count() / 1000);
  if (d.count() % 1000 != 0) {
    std::string frac = std::to_string(1000 + d.count() % 1000).substr(1);
    while (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out + " s";
}

std::string trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string first_line(std::string_view text) {
  std::string line = trim(text);
  return line.substr(0, line.find('\n'));
}

// KUBERNETES_EXEC_INFO, as client-go's exec authenticator writes it.
std::string exec_info(const ExecConfig& exec, const Config& cluster) {
  json::Writer w;
  w.begin_object().field("kind", "ExecCredential").field("apiVersion", exec.api_version);
  w.key("spec").begin_object();
  if (exec.provide_cluster_info) {
    w.key("cluster").begin_object().field("server", cluster.server);
    if (!cluster.tls_server_name.empty()) w.field("tls-server-name", cluster.tls_server_name);
    if (cluster.insecure_skip_tls_verify) w.field("insecure-skip-tls-verify", true);
    if (!cluster.ca_pem.empty()) w.field("certificate-authority-data", base64_encode(cluster.ca_pem));
    w.end_object();
  }
  w.field("interactive", false);
  return w.end_object().end_object().take();
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

}  // namespace

Result<ExecCredential> parse_exec_credential(std::string_view text, std::string_view api_version) {
  auto doc = json::parse(text);
  if (!doc) return Error{"its output is not an ExecCredential: " + doc.error()};
  const json::Value& root = doc->root;
  if (root.string_at("kind") != "ExecCredential")
    return Error{"its output is not an ExecCredential (kind \"" + std::string(root.string_at("kind")) + "\")"};
  if (root.string_at("apiVersion") != api_version)
    return Error{"it is configured for " + std::string(api_version) + " but printed apiVersion \"" +
                 std::string(root.string_at("apiVersion")) + "\""};
  const json::Value* status = root.find("status");
  if (!status || !status->is_object()) return Error{"its ExecCredential has no status"};
  ExecCredential out;
  out.token = std::string(status->string_at("token"));
  out.client_certificate_pem = std::string(status->string_at("clientCertificateData"));
  out.client_key_pem = std::string(status->string_at("clientKeyData"));
  if (out.client_certificate_pem.empty() != out.client_key_pem.empty())
    return Error{"its ExecCredential has only one of clientCertificateData and clientKeyData"};
  if (out.token.empty() && out.client_certificate_pem.empty())
    return Error{"its ExecCredential has neither a token nor a client certificate"};
  std::string_view expiry = status->string_at("expirationTimestamp");
  if (!expiry.empty()) {
    out.expiration = parse_rfc3339(expiry);
    if (!out.expiration)
      return Error{"its expirationTimestamp \"" + std::string(expiry) + "\" is not an RFC 3339 time"};
  }
  return out;
}

Result<ExecCredential> run_exec_plugin(const ExecConfig& exec, const Config& cluster,
                                       std::chrono::milliseconds timeout) {
  const std::string name = "exec plugin \"" + exec.command + "\" (" + cluster.origin + ")";
  if (exec.interactive_mode == "Always")
    return Error{name + " needs an interactive terminal (interactiveMode: Always), and driftgate never prompts"};

  // Argument and environment arrays, built before the spawn.
  std::vector<std::string> env;
  std::vector<std::string> overridden;
  for (const auto& [key, value] : exec.env) overridden.push_back(key + "=");
  overridden.push_back("KUBERNETES_EXEC_INFO=");
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    bool replaced = false;
    for (const auto& prefix : overridden) replaced = replaced || entry.rfind(prefix, 0) == 0;
    if (!replaced) env.emplace_back(entry);
  }
  for (const auto& [key, value] : exec.env) env.push_back(key + "=" + value);
  env.push_back("KUBERNETES_EXEC_INFO=" + exec_info(exec, cluster));
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args{exec.command};
  args.insert(args.end(), exec.args.begin(), exec.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  Pipe out, err;
  if (pipe2(out.fd, O_CLOEXEC) != 0 || pipe2(err.fd, O_CLOEXEC) != 0)
    return Error{name + ": cannot create a pipe: " + std::strerror(errno)};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  // A process group of its own (pgid = its pid), so that a timeout kills what
  // the plugin started too, not only the plugin.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, exec.command.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    std::string message = name + ": cannot run it: " + std::strerror(rc);
    if (rc == ENOENT && !exec.install_hint.empty()) message += "; " + trim(exec.install_hint);
    return Error{message};
  }
  out.close_end(1);
  err.close_end(1);
  for (int fd : {out.fd[0], err.fd[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  // The plugin is done when it exits, not when its pipes close: a process it
  // left in the background may hold them open for long after. So the loop
  // reads while the plugin runs, checks for its exit between short polls, and
  // once it has exited takes what is already in the pipes and stops.
  std::string stdout_text, stderr_text;
  bool too_much = false;
  // Reads what is readable now, without blocking; closes the pipe at its end.
  auto read_available = [&](int i) {
    Pipe& pipe = i == 0 ? out : err;
    std::string& into = i == 0 ? stdout_text : stderr_text;
    char buffer[8192];
    while (pipe.fd[0] >= 0) {
      ssize_t n = ::read(pipe.fd[0], buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) {
        pipe.close_end(0);
        return;
      }
      if (i == 0 && into.size() + static_cast<std::size_t>(n) > kMaxPluginOutput) {
        too_much = true;
        return;
      }
      // stderr is only for its first line in a message: keep its start, drain the rest.
      std::size_t keep = i == 0 ? static_cast<std::size_t>(n)
                                : std::min(static_cast<std::size_t>(n), kMaxPluginStderr - std::min(into.size(), kMaxPluginStderr));
      into.append(buffer, keep);
    }
  };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  constexpr auto kSlice = std::chrono::milliseconds(10);
  int status = 0;
  bool exited = false, timed_out = false;
  while (true) {
    pid_t waited = ::waitpid(pid, &status, WNOHANG);
    if (waited == pid) {
      exited = true;
      read_available(0);
      read_available(1);
      break;
    }
    if (waited < 0 && errno == ECHILD) {  // reaped elsewhere (SIGCHLD ignored): its status is lost
      status = 0;
      exited = true;
      read_available(0);
      read_available(1);
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
    int slice = static_cast<int>(std::min(left, std::chrono::duration_cast<std::chrono::milliseconds>(kSlice)).count());
    int ready = ::poll(fds, 2, slice);  // with both pipes closed, poll only sleeps the slice
    if (ready > 0) {
      for (int i = 0; i < 2; ++i)
        if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) read_available(i);
    }
    if (too_much) break;
  }
  if (!exited) {
    // Still running (the timeout or too much output): kill its process group,
    // itself and what it started, then reap it. The group is addressed by our
    // own unreaped child's id, so it cannot be someone else's.
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);  // in case it left the group (setsid)
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (timed_out)
    return Error{name + ": no answer within " + seconds_text(timeout) + "; killed it"};
  if (too_much)
    return Error{name + ": printed more than " + std::to_string(kMaxPluginOutput) +
                 " bytes on stdout (the limit for an ExecCredential)" + (exited ? "" : "; killed it")};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string message = name + " failed (" + describe_status(status) + ")";
    std::string line = first_line(stderr_text);
    if (!line.empty()) message += ": " + line;
    return Error{message};
  }
  auto credential = parse_exec_credential(stdout_text, exec.api_version);
  if (!credential) return Error{name + ": " + credential.error()};
  return credential;
}

CredentialSource::CredentialSource(const Config& config, Now now) : config_(config), now_(std::move(now)) {
  if (!config_.token.empty()) {
    static_.authorization = "Bearer " + config_.token;
  } else if (!config_.username.empty() || !config_.password.empty()) {
    static_.authorization = "Basic " + base64_encode(config_.username + ":" + config_.password);
  }
  static_.client_certificate_pem = config_.client_certificate_pem;
  static_.client_key_pem = config_.client_key_pem;
  last_certificate_ = static_.client_certificate_pem;
}

Result<std::string> CredentialSource::file_token() {
  struct stat st {};
  if (::stat(config_.token_file.c_str(), &st) != 0) {
    // A rotation in progress can leave the path briefly missing; the last token read stays good.
    if (token_stamp_) return file_token_;
    return Error{"token file " + config_.token_file.string() + " (" + config_.origin + "): " + std::strerror(errno)};
  }
  FileStamp stamp{st.st_ino, static_cast<std::uintmax_t>(st.st_size),
                  static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  if (token_stamp_ && *token_stamp_ == stamp) return file_token_;
  auto text = read_file(config_.token_file, 1u << 20);
  if (!text) {
    if (token_stamp_) return file_token_;
    return Error{"token file " + text.error() + " (" + config_.origin + ")"};
  }
  std::string token = trim(*text);
  if (token.empty()) {
    if (token_stamp_) return file_token_;
    return Error{"token file " + config_.token_file.string() + " (" + config_.origin + ") is empty"};
  }
  token_stamp_ = stamp;
  file_token_ = std::move(token);
  return file_token_;
}

Result<Credentials> CredentialSource::get() {
  Credentials out = static_;
  if (!config_.token_file.empty()) {
    auto token = file_token();
    if (!token) return Error{token.error()};
    out.authorization = "Bearer " + *token;
  }
  if (config_.exec) {
    bool stale = !exec_cached_ || (exec_cached_->expiration && now_() >= *exec_cached_->expiration);
    if (stale) {
      ++exec_runs_;
      auto credential = run_exec_plugin(*config_.exec, config_);
      if (!credential) return Error{credential.error()};
      exec_cached_ = std::move(*credential);
    }
    if (!exec_cached_->token.empty()) out.authorization = "Bearer " + exec_cached_->token;
    if (!exec_cached_->client_certificate_pem.empty()) {
      out.client_certificate_pem = exec_cached_->client_certificate_pem;
      out.client_key_pem = exec_cached_->client_key_pem;
    }
  }
  if (out.client_certificate_pem != last_certificate_) {
    last_certificate_ = out.client_certificate_pem;
    ++certificate_generation_;
  }
  return out;
}

void CredentialSource::invalidate() {
  exec_cached_.reset();
  token_stamp_.reset();
}

}  // namespace driftgate::kube
