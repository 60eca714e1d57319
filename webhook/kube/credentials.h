#pragma once
// The credentials of a Config at the moment of a request: a static token, a
// token file re-read when it changes (projected service account tokens rotate
// about hourly), or an exec plugin's output cached until its expirationTimestamp.
// No Boost, no OpenSSL.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "kube/config.h"
#include "util/result.h"
#include "util/time.h"

namespace driftgate::kube {

struct Credentials {
  std::string authorization;  // the Authorization header's value ("Bearer ...", "Basic ..."), or empty
  std::string client_certificate_pem;
  std::string client_key_pem;
};

// What an exec plugin printed (an ExecCredential's status).
struct ExecCredential {
  std::string token;
  std::string client_certificate_pem;  // clientCertificateData: PEM text, not base64
  std::string client_key_pem;
  std::optional<TimePoint> expiration;
};

// Runs the plugin with KUBERNETES_EXEC_INFO set as kubectl sets it, stdin from
// /dev/null (driftgate never prompts), and reads its ExecCredential. A failure
// names the command and the first line of its stderr.
Result<ExecCredential> run_exec_plugin(const ExecConfig& exec, const Config& cluster,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Parses a plugin's stdout; `api_version` is the one the kubeconfig asked for.
Result<ExecCredential> parse_exec_credential(std::string_view text, std::string_view api_version);

class CredentialSource {
 public:
  using Now = std::function<TimePoint()>;
  explicit CredentialSource(const Config& config, Now now = [] { return TimePoint(Clock::now()); });

  // The credentials to send now; reads the token file or runs the plugin only
  // when what it has is stale.
  Result<Credentials> get();
  // The server answered 401: the next get() re-reads the token file and re-runs
  // the plugin even if the cached output has not expired (as client-go does).
  void invalidate();
  // A changing number: the TLS client certificate must be rebuilt when it moves.
  std::uint64_t certificate_generation() const { return certificate_generation_; }
  int exec_runs() const { return exec_runs_; }

 private:
  Result<std::string> file_token();

  Config config_;
  Now now_;
  Credentials static_;
  // The token file's identity when last read: a rotation replaces the file
  // (kubelet swaps a symlink), so the inode or the modification time moves.
  struct FileStamp {
    std::uintmax_t inode = 0, size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  std::optional<FileStamp> token_stamp_;
  std::string file_token_;
  std::optional<ExecCredential> exec_cached_;
  int exec_runs_ = 0;
  std::uint64_t certificate_generation_ = 1;
  std::string last_certificate_;
};

}  // namespace driftgate::kube
