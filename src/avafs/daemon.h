// Detaching the avafs daemon from the terminal so that every error of a mount — a bad store,
// an unusable state directory, a failed mount — still reaches the user who typed the command.
// The process forks before it opens anything; the child does all the work and reports to the
// parent through a pipe; the parent prints the report and exits 0 (ready) or 1 (failed).
#pragma once

#include <string>

#include "common/result.h"

namespace ava::avafs {

class DaemonLink {
 public:
  // In the parent: waits for the child's report, prints it and exits (never returns).
  // In the child: returns the link to report through (the child is in a new session, in "/").
  static Result<DaemonLink> Detach();
  // Foreground mode: reports go to stderr directly.
  static DaemonLink Foreground() { return DaemonLink(-1); }

  // The mount is up: the parent prints `message` and exits 0. Standard streams go to /dev/null.
  void Ready(const std::string& message);
  // The parent prints `message` and exits 1 (the child exits too, with 1).
  [[noreturn]] void Fail(const std::string& message);
  bool foreground() const { return fd_ < 0; }

 private:
  explicit DaemonLink(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace ava::avafs
