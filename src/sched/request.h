// Request: what one member of a job asks of one machine — whole GPUs or a share of one GPU, the GPU
// models it accepts, CPU and memory. Gang: K such members that are placed all together or not at
// all (a multi-node training job), with the identity the queue needs (id, user, group, priority)
// and an optional runtime estimate for backfill and shortest-job-first.
//
// GPU amounts are in milli-GPUs: 1000 is one whole GPU. A fractional request takes gpu_milli < 1000
// of a single GPU (gpus == 1); whole-GPU requests take gpus GPUs of 1000 each.
//
// Errors: Validate() returns InvalidArgument naming the bad field.
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace ava::sched {

inline constexpr int kMilliPerGpu = 1000;

struct Request {
  int gpus = 0;                         // number of GPUs (1 for a fractional GPU)
  int gpu_milli = kMilliPerGpu;         // share of each GPU, 1..1000
  std::vector<std::string> gpu_models;  // acceptable models; empty = any
  int64_t cpu_milli = 0;                // cores × 1000
  uint64_t memory_bytes = 0;

  // n whole GPUs / a fraction of one GPU (milli in 1..999).
  static Request Gpus(int n, int64_t cpu_milli = 0, uint64_t memory_bytes = 0);
  static Request Fraction(int milli, int64_t cpu_milli = 0, uint64_t memory_bytes = 0);

  bool is_fractional() const { return gpus == 1 && gpu_milli < kMilliPerGpu; }
  int64_t total_gpu_milli() const { return static_cast<int64_t>(gpus) * (gpus > 0 ? gpu_milli : 0); }
  Status Validate() const;
  // "2 GPUs (V100|A100), 8 CPUs, 32 GiB" / "0.25 GPU, 4 CPUs".
  std::string ToString() const;
};

struct Gang {
  std::string id;
  std::string user;
  std::string group;
  int priority = 0;              // higher runs first and may preempt lower
  std::vector<Request> members;  // all placed, or none
  Nanos expected_runtime{0};     // 0 = unknown (never backfilled past a reservation)

  int64_t total_gpu_milli() const;
  Status Validate() const;
};

}  // namespace ava::sched
