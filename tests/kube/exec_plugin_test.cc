// run_exec_plugin with small shell-script plugins written into a temporary
// folder: the timeout holds whatever the plugin does with its pipes, a plugin
// is done when it exits (not when every process holding its stdout has), a
// timeout kills what the plugin started too, and output is bounded.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "kube/credentials.h"
#include "kube_test_support.h"

namespace driftgate::kube {
namespace {

using testing::TempDir;
using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const char* kCredential =
    R"(printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"tok"}}\n')";

ExecConfig plugin(const TempDir& dir, const std::string& body) {
  auto path = dir.write("plugin.sh", "#!/bin/sh\n" + body + "\n");
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  ExecConfig exec;
  exec.api_version = "client.authentication.k8s.io/v1beta1";
  exec.command = path.string();
  exec.interactive_mode = "Never";
  return exec;
}

Config cluster() {
  Config config;
  config.origin = "kubeconfig context prod";
  config.server = "https://127.0.0.1:6443";
  return config;
}

// The pid a plugin wrote to `file`, waiting for it to appear.
pid_t pid_in(const std::filesystem::path& file) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(file);
    pid_t pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(Ms(10));
  }
  return 0;
}

// Gone: no such process, or a zombie waiting for a parent that is not us
// (an orphan's reaper may be slow, or absent in a container).
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && (line[close + 2] == 'Z' || line[close + 2] == 'X');
}

bool gone_within(pid_t pid, Ms wait) {
  auto until = Clock::now() + wait;
  while (!gone(pid)) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(Ms(10));
  }
  return true;
}

TEST(KubeExecPlugin, TimeoutHoldsWhenThePluginClosesItsPipesAndBlocks) {
  TempDir dir;
  // No EOF to wait for: the plugin's pipes close at once, and it runs on.
  auto exec = plugin(dir, "echo $$ > " + (dir.path() / "self").string() + "\nexec >&- 2>&-\nsleep 4");
  auto start = Clock::now();
  auto credential = run_exec_plugin(exec, cluster(), Ms(1000));
  auto took = Clock::now() - start;
  ASSERT_FALSE(credential.ok());
  EXPECT_TRUE(contains(credential.error(), "no answer within 1 s; killed it")) << credential.error();
  EXPECT_LT(took, Ms(1800));
  pid_t self = pid_in(dir.path() / "self");
  ASSERT_GT(self, 0);
  // Reaped: not even a zombie of ours is left.
  EXPECT_TRUE(::kill(self, 0) != 0 && errno == ESRCH);
}

TEST(KubeExecPlugin, AnAnswerIsTakenWhenThePluginExitsThoughABackgroundChildHoldsStdout) {
  TempDir dir;
  // The background sleep inherits stdout and keeps it open for 5 s after the plugin has exited 0.
  auto exec = plugin(dir, std::string(kCredential) + "\n(sleep 5) &\necho $! > " + (dir.path() / "background").string() +
                              "\nexit 0");
  auto start = Clock::now();
  auto credential = run_exec_plugin(exec, cluster(), Ms(4000));
  auto took = Clock::now() - start;
  pid_t background = pid_in(dir.path() / "background");
  if (background > 0) ::kill(background, SIGKILL);  // the test's leftover, not the client's business
  ASSERT_TRUE(credential.ok()) << credential.error();
  EXPECT_EQ(credential->token, "tok");
  EXPECT_LT(took, Ms(1500));
}

TEST(KubeExecPlugin, ATimeoutKillsWhatThePluginStartedToo) {
  TempDir dir;
  auto exec = plugin(dir, "sleep 30 &\necho $! > " + (dir.path() / "grandchild").string() + "\nsleep 30");
  auto credential = run_exec_plugin(exec, cluster(), Ms(500));
  ASSERT_FALSE(credential.ok());
  EXPECT_TRUE(contains(credential.error(), "no answer within 0.5 s; killed it")) << credential.error();
  pid_t grandchild = pid_in(dir.path() / "grandchild");
  ASSERT_GT(grandchild, 0);
  bool killed = gone_within(grandchild, Ms(2000));
  if (!killed) ::kill(grandchild, SIGKILL);  // do not leave it behind when the test fails
  EXPECT_TRUE(killed) << "the plugin's background child " << grandchild << " survived the timeout";
}

TEST(KubeExecPlugin, StdoutIsBoundedAndStderrIsOnlyKeptInPart) {
  TempDir dir;
  // A plugin that never stops printing: refused at the limit, at once, and killed.
  auto endless = plugin(dir, "yes");
  auto start = Clock::now();
  auto flood = run_exec_plugin(endless, cluster(), Ms(10000));
  ASSERT_FALSE(flood.ok());
  EXPECT_TRUE(contains(flood.error(), "printed more than 1048576 bytes on stdout (the limit for an ExecCredential); killed it"))
      << flood.error();
  EXPECT_LT(Clock::now() - start, Ms(5000));

  // 2 MiB of chatter on stderr does not spoil a good answer.
  TempDir other;
  auto chatty = plugin(other, "head -c 2097152 /dev/zero | tr '\\0' x >&2\necho >&2\n" + std::string(kCredential));
  auto credential = run_exec_plugin(chatty, cluster(), Ms(10000));
  ASSERT_TRUE(credential.ok()) << credential.error();
  EXPECT_EQ(credential->token, "tok");
}

}  // namespace
}  // namespace driftgate::kube
