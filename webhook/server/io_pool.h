#pragma once
// One io_context per I/O thread, connections spread round-robin. A single
// io_context shared by several threads makes every completion go through one
// scheduler lock and wake other threads; per-thread contexts keep each
// connection's work on one thread with no lock and no strand. Private to the server.
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace driftgate::server {

class IoPool {
 public:
  explicit IoPool(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) {
      // Concurrency hint 1: this context is only ever run by one thread.
      contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
      guards_.push_back(boost::asio::make_work_guard(*contexts_.back()));
    }
  }

  // The context that owns the listener, the signals and the shutdown timer.
  boost::asio::io_context& main() { return *contexts_.front(); }
  // The context for the next connection.
  boost::asio::io_context& next() { return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()]; }

  // Runs every context, one on the calling thread; returns once stop() was called.
  void run() {
    std::vector<std::jthread> workers;
    for (std::size_t i = 1; i < contexts_.size(); ++i) workers.emplace_back([this, i] { contexts_[i]->run(); });
    contexts_.front()->run();
  }

  // Thread-safe. Handlers still queued are destroyed with their contexts.
  void stop() {
    for (auto& context : contexts_) context->stop();
  }

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace driftgate::server
