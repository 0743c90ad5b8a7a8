// ThreadPool: a fixed set of worker threads running submitted tasks in FIFO order. Used for
// parallel block fetches and warm-up. Tasks must not throw.
//
// Lifecycle: threads start in the constructor; the destructor (or Shutdown) runs the tasks already
// queued and joins. Submit after Shutdown returns false and drops the task.
// Thread safety: all methods are safe for concurrent use.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/thread_annotations.h"

namespace ava {

class ThreadPool {
 public:
  explicit ThreadPool(size_t threads, std::string name = "pool");
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  bool Submit(std::function<void()> task);
  // Tasks queued and not yet started.
  size_t QueueLength() const;
  size_t size() const { return threads_.size(); }
  void Shutdown();

 private:
  void WorkerLoop();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
  std::string name_;
};

}  // namespace ava
