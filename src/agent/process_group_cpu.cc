#include "agent/process_group_cpu.h"

#include <dirent.h>

#include <charconv>
#include <string>

#include "agent/process_id.h"

namespace ava::agent {

Status ParseStatCpu(std::string_view stat, pid_t* pgrp, uint64_t* ticks) {
  // Fields after the command name (which may hold spaces and parentheses): 3 state, 5 pgrp,
  // 14 utime, 15 stime.
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos || close + 2 >= stat.size())
    return Status::InvalidArgument("malformed stat");
  std::string_view rest = stat.substr(close + 2);
  int field = 3;
  uint64_t utime = 0;
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    std::string_view word = rest.substr(pos, end - pos);
    const char* first = word.data();
    const char* last = word.data() + word.size();
    if (field == 5) {
      int64_t g = 0;
      if (std::from_chars(first, last, g).ec != std::errc()) return Status::InvalidArgument("malformed pgrp");
      *pgrp = static_cast<pid_t>(g);
    } else if (field == 14) {
      if (std::from_chars(first, last, utime).ec != std::errc())
        return Status::InvalidArgument("malformed utime");
    } else if (field == 15) {
      uint64_t stime = 0;
      if (std::from_chars(first, last, stime).ec != std::errc())
        return Status::InvalidArgument("malformed stime");
      *ticks = utime + stime;
      return Status::OK();
    }
    ++field;
    pos = end + 1;
  }
  return Status::InvalidArgument("stat line too short");
}

std::map<pid_t, uint64_t> CpuTicksByProcessGroup() {
  std::map<pid_t, uint64_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    Result<std::string> stat = ReadProcFile(std::string("/proc/") + e->d_name + "/stat");
    if (!stat.ok()) continue;  // gone meanwhile
    pid_t pgrp = 0;
    uint64_t ticks = 0;
    if (ParseStatCpu(*stat, &pgrp, &ticks).ok()) out[pgrp] += ticks;
  }
  ::closedir(d);
  return out;
}

}  // namespace ava::agent
