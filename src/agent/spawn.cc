#include "agent/spawn.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/file_util.h"

namespace ava::agent {

Result<pid_t> SpawnDetached(const SpawnOptions& options) {
  if (options.argv.empty()) return Status::InvalidArgument("nothing to run");
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  int log_fd = ::open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return Status::FromErrno(errno, options.log_path);
  UniqueFd log(log_fd);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) return Status::FromErrno(errno, "/dev/null");
  UniqueFd devnull(null_fd);
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : options.blocked_signals) sigaddset(&mask, s);

  // Everything is blocked across fork, so a signal sent to the new pid before the child has set its
  // own mask is held (and, for the blocked_signals, kept pending for the program) instead of
  // running the agent's handlers or default actions in the half-made child.
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = ::fork();
  if (pid != 0) ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return Status::FromErrno(errno, "fork");
  if (pid == 0) {
    ::setsid();
    ::sigprocmask(SIG_SETMASK, &mask, nullptr);
    ::dup2(devnull.get(), 0);
    ::dup2(log.get(), 1);
    ::dup2(log.get(), 2);
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    ::execvp(argv[0], argv.data());
    static const char kMsg[] = "ava-agent: cannot execute the program (exit 127)\n";
    (void)!::write(2, kMsg, sizeof(kMsg) - 1);
    ::_exit(127);
  }
  return pid;
}

}  // namespace ava::agent
