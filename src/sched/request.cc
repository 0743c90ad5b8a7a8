#include "sched/request.h"

#include <fmt/format.h>

#include "common/units.h"

namespace ava::sched {

Request Request::Gpus(int n, int64_t cpu_milli, uint64_t memory_bytes) {
  Request r;
  r.gpus = n;
  r.cpu_milli = cpu_milli;
  r.memory_bytes = memory_bytes;
  return r;
}

Request Request::Fraction(int milli, int64_t cpu_milli, uint64_t memory_bytes) {
  Request r = Gpus(1, cpu_milli, memory_bytes);
  r.gpu_milli = milli;
  return r;
}

Status Request::Validate() const {
  if (gpus < 0) return Status::InvalidArgument(fmt::format("gpus is {}; it must be 0 or more", gpus));
  if (gpus > 0 && (gpu_milli < 1 || gpu_milli > kMilliPerGpu)) {
    return Status::InvalidArgument(fmt::format("gpu_milli is {}; it must be 1..1000", gpu_milli));
  }
  if (gpus > 1 && gpu_milli != kMilliPerGpu) {
    return Status::InvalidArgument(fmt::format(
        "{} GPUs of {} milli each: a fraction of a GPU is only possible for one GPU", gpus, gpu_milli));
  }
  if (cpu_milli < 0) return Status::InvalidArgument("cpu must not be negative");
  if (gpus == 0 && cpu_milli == 0 && memory_bytes == 0)
    return Status::InvalidArgument("the request asks for nothing");
  for (const std::string& m : gpu_models) {
    if (m.empty()) return Status::InvalidArgument("an empty GPU model name");
  }
  if (gpus == 0 && !gpu_models.empty())
    return Status::InvalidArgument("GPU models given for a request without GPUs");
  return Status::OK();
}

std::string Request::ToString() const {
  std::string out;
  if (is_fractional()) {
    out = fmt::format("{:g} GPU", gpu_milli / 1000.0);
  } else if (gpus > 0) {
    out = fmt::format("{} GPU{}", gpus, gpus == 1 ? "" : "s");
  }
  if (!gpu_models.empty()) out += fmt::format(" ({})", fmt::join(gpu_models, "|"));
  if (cpu_milli > 0) {
    out += fmt::format("{}{:g} CPU{}", out.empty() ? "" : ", ", cpu_milli / 1000.0,
                       cpu_milli == 1000 ? "" : "s");
  }
  if (memory_bytes > 0) out += fmt::format("{}{}", out.empty() ? "" : ", ", FormatBytes(memory_bytes));
  return out;
}

int64_t Gang::total_gpu_milli() const {
  int64_t t = 0;
  for (const Request& r : members) t += r.total_gpu_milli();
  return t;
}

Status Gang::Validate() const {
  if (id.empty()) return Status::InvalidArgument("a job needs an id");
  if (members.empty()) return Status::InvalidArgument(fmt::format("job {} has no members", id));
  for (size_t i = 0; i < members.size(); ++i) {
    Status s = members[i].Validate();
    if (!s.ok())
      return s.Annotate(members.size() == 1 ? fmt::format("job {}", id)
                                            : fmt::format("job {} member {}", id, i));
  }
  if (expected_runtime.count() < 0)
    return Status::InvalidArgument(fmt::format("job {}: negative expected runtime", id));
  return Status::OK();
}

}  // namespace ava::sched
