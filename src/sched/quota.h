// Quotas: how many GPUs each user and each group may hold at once, in total and optionally per GPU
// model ("group cv: 32 GPUs, of which at most 8 V100"), and the book of what each holds now.
// Fractions count by their share (a 0.5-GPU job uses 0.5 of the quota). A job is admitted only
// when it fits every quota that applies to it; jobs that no quota could ever admit are rejected
// when submitted.
//
// Errors: Check and CheckEver return ResourceExhausted with a sentence naming the quota
// ("group cv is at its quota of 32 GPUs (holds 30, asks 4)").
// Thread safety: none; the Scheduler serialises access.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "sched/cluster.h"

namespace ava::sched {

struct QuotaLimit {
  int64_t gpu_milli = -1;                          // total; -1 = unlimited
  std::map<std::string, int64_t> model_gpu_milli;  // per GPU model name
};

struct QuotaConfig {
  std::map<std::string, QuotaLimit> users;
  std::map<std::string, QuotaLimit> groups;
};

class QuotaBook {
 public:
  explicit QuotaBook(QuotaConfig config = {}) : config_(std::move(config)) {}

  // Whether `gpu_milli` more (on any model) fits the user's and group's totals now.
  Status Check(const std::string& user, const std::string& group, int64_t gpu_milli) const;
  // Whether the job could ever be admitted (its size against the limits alone).
  Status CheckEver(const std::string& user, const std::string& group, int64_t gpu_milli) const;
  // Models of `cluster` on which `gpu_milli` more still fits the per-model quotas of the user and
  // the group: a mask for Demand::model_mask. When some model is excluded, `why` names one quota.
  uint64_t AllowedModels(const Cluster& cluster, const std::string& user, const std::string& group,
                         int64_t gpu_milli, std::string* why) const;

  void Charge(const std::string& user, const std::string& group, const std::string& model, int64_t gpu_milli);
  void Refund(const std::string& user, const std::string& group, const std::string& model, int64_t gpu_milli);

  int64_t GroupUsage(const std::string& group) const;
  int64_t UserUsage(const std::string& user) const;
  const QuotaConfig& config() const { return config_; }

 private:
  struct Usage {
    int64_t total = 0;
    std::map<std::string, int64_t> by_model;
  };

  QuotaConfig config_;
  std::map<std::string, Usage> users_;
  std::map<std::string, Usage> groups_;
};

// "32 GPUs", "0.5 GPU", "2.25 GPUs".
std::string FormatGpus(int64_t gpu_milli);

}  // namespace ava::sched
