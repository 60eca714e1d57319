#pragma once
// Where audit and server-event JSON lines go: stdout or an append-only file.
// Lines from many threads never interleave.
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "util/result.h"

namespace driftgate::server {

class AuditSink {
 public:
  // "-" is stdout; anything else is a file opened for appending (log rotation
  // by copytruncate keeps working, a rename needs a restart).
  static Result<std::unique_ptr<AuditSink>> open(const std::string& target);
  ~AuditSink();
  AuditSink(const AuditSink&) = delete;
  AuditSink& operator=(const AuditSink&) = delete;

  // Writes `line` plus '\n' in one write(2), so a reader tailing the file
  // never sees half a line, and nothing is lost when the process is killed.
  void write_line(std::string_view line);

 private:
  AuditSink(int fd, bool owned);
  void write_all(const char* data, std::size_t size);

  int fd_;
  bool owned_;
  // One write(2) to a regular file is not interleaved with another (Linux holds
  // the inode lock for the whole write on local filesystems; a network
  // filesystem is no place for an audit log): those lines take no lock, which
  // under load made I/O threads wait on each other's system calls. Anything
  // else (a container's stdout is a pipe or a socket) takes the mutex for every
  // line: a pipe splits writes over PIPE_BUF and lets another writer's line in
  // between the pieces, and a socket promises nothing at all.
  bool regular_file_ = false;
  std::mutex mutex_;
};

}  // namespace driftgate::server
