#include "sched/node_fragmentation.h"

namespace ava::sched {

FragAmount NodeFragAmount(const FragState& s, const WorkloadProfile& profile) {
  FragAmount out;
  int64_t idle = 0;
  for (int g = 0; g < s.gpu_count; ++g) idle += s.gpu_left[g];
  for (const WorkloadClass& c : profile.classes()) {
    const double w = c.weight;
    if (c.shape.milli == 0) {
      out.bin[s.cpu_left >= c.shape.cpu_milli ? kFragCpuOnlyFit : kFragCpuOnlyLack] +=
          w * static_cast<double>(idle);
      continue;
    }
    if (s.model < 0 || ((c.model_mask >> s.model) & 1) == 0) {
      out.bin[kFragNoAccess] += w * static_cast<double>(idle);
      continue;
    }
    int room = 0;
    int64_t too_small = 0;
    for (int g = 0; g < s.gpu_count; ++g) {
      if (s.gpu_left[g] >= c.shape.milli) {
        ++room;
      } else {
        too_small += s.gpu_left[g];
      }
    }
    const bool gpu_ok = room >= c.shape.gpus;
    const bool cpu_ok = s.cpu_left >= c.shape.cpu_milli;
    if (gpu_ok && cpu_ok) {
      out.bin[kFragLackGpu] += w * static_cast<double>(too_small);
      out.bin[kFragSatisfied] += w * static_cast<double>(idle - too_small);
    } else if (gpu_ok) {
      out.bin[kFragLackCpu] += w * static_cast<double>(idle);
    } else if (cpu_ok) {
      out.bin[kFragLackGpu] += w * static_cast<double>(idle);
    } else {
      out.bin[kFragLackBoth] += w * static_cast<double>(idle);
    }
  }
  return out;
}

}  // namespace ava::sched
