#include "avafs/daemon.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ava::avafs {

Result<DaemonLink> DaemonLink::Detach() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  pid_t pid = ::fork();
  if (pid < 0) return Status::FromErrno(errno, "fork");
  if (pid > 0) {
    ::close(fds[1]);
    std::string report;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) report.append(buf, static_cast<size_t>(n));
    // First byte: '0' ready, '1' failed; no byte: the daemon died before it could say.
    if (report.empty()) {
      std::fputs("avafs mount: the daemon exited before it was ready (see its log file)\n", stderr);
      std::exit(1);
    }
    std::fputs(report.c_str() + 1, report[0] == '0' ? stdout : stderr);
    std::exit(report[0] == '0' ? 0 : 1);
  }
  ::close(fds[0]);
  ::setsid();
  if (::chdir("/") != 0) {
    // Staying in the old directory only keeps it busy; not worth failing the mount.
  }
  return DaemonLink(fds[1]);
}

void DaemonLink::Ready(const std::string& message) {
  if (fd_ < 0) {
    std::fputs(message.c_str(), stderr);
    return;
  }
  std::string out = "0" + message;
  ssize_t w = ::write(fd_, out.data(), out.size());
  (void)w;
  ::close(fd_);
  fd_ = -1;
  int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (null > 2) ::close(null);
  }
}

void DaemonLink::Fail(const std::string& message) {
  if (fd_ < 0) {
    std::fputs(message.c_str(), stderr);
    std::exit(1);
  }
  std::string out = "1" + message;
  ssize_t w = ::write(fd_, out.data(), out.size());
  (void)w;
  std::_Exit(1);
}

}  // namespace ava::avafs
