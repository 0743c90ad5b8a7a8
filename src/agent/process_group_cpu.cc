#include "agent/process_group_cpu.h"

#include <dirent.h>

#include <string>

#include "agent/process_id.h"

namespace ava::agent {

Status ParseStatCpu(std::string_view stat, pid_t* pgrp, uint64_t* ticks) {
  AVA_ASSIGN_OR_RETURN(ProcStatFields fields, ProcStatFields::Parse(stat));
  AVA_ASSIGN_OR_RETURN(uint64_t group, fields.Number(5, "process group"));
  AVA_ASSIGN_OR_RETURN(uint64_t utime, fields.Number(14, "utime"));
  AVA_ASSIGN_OR_RETURN(uint64_t stime, fields.Number(15, "stime"));
  *pgrp = static_cast<pid_t>(group);
  *ticks = utime + stime;
  return Status::OK();
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
