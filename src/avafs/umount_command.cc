#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "avafs/commands.h"

namespace ava::avafs {

Command RegisterUmount(CLI::App& app) {
  auto* cmd = app.add_subcommand("umount", "Unmount an avafs mount point (fusermount3 -u).");
  auto mountpoint = std::make_shared<std::string>();
  cmd->add_option("MOUNTPOINT", *mountpoint, "The directory avafs is mounted on.")->required();
  cmd->footer(
      "The daemon writes its cache index and exits once the kernel has released the mount. Busy mounts\n"
      "(open files, a shell inside) refuse to unmount; close them first.");
  return [mountpoint] {
    pid_t pid = fork();
    if (pid == 0) {
      execlp("fusermount3", "fusermount3", "-u", mountpoint->c_str(), static_cast<char*>(nullptr));
      execlp("umount", "umount", mountpoint->c_str(), static_cast<char*>(nullptr));
      std::perror("avafs umount: cannot run fusermount3 or umount");
      _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) {
      std::perror("avafs umount");
      return 1;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
  };
}

}  // namespace ava::avafs
