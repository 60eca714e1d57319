#include "server/audit_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace driftgate::server {

Result<std::unique_ptr<AuditSink>> AuditSink::open(const std::string& target) {
  if (target == "-") return std::unique_ptr<AuditSink>(new AuditSink(STDOUT_FILENO, false));
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return Error{"--audit-log " + target + ": " + std::strerror(errno)};
  return std::unique_ptr<AuditSink>(new AuditSink(fd, true));
}

AuditSink::AuditSink(int fd, bool owned) : fd_(fd), owned_(owned) {
  struct stat info {};
  regular_file_ = ::fstat(fd_, &info) == 0 && S_ISREG(info.st_mode);
}

AuditSink::~AuditSink() {
  if (owned_) ::close(fd_);
}

void AuditSink::write_line(std::string_view line) {
  std::string buffer;
  buffer.reserve(line.size() + 1);
  buffer.append(line).push_back('\n');
  if (regular_file_) return write_all(buffer.data(), buffer.size());
  std::lock_guard lock(mutex_);
  write_all(buffer.data(), buffer.size());
}

void AuditSink::write_all(const char* data, std::size_t left) {
  while (left > 0) {
    ssize_t written = ::write(fd_, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // a full disk or closed pipe must not take admission down with it
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

}  // namespace driftgate::server
