// CheckCanEverRun: the submit-time test that a job could run at all on the pool avad knows —
// every registered node whatever its state (a down node may come back) — and within the quotas
// that apply to it. A job that fails it is rejected instead of waiting forever.
//
// Errors (with *field set): InvalidArgument on resources.gpu_model when no node has the model;
// FailedPrecondition on resources when the job is larger than any node ("needs 16 GPUs on one node;
// the largest node has 8 (a100-0)") or than a quota can ever allow. With no node registered yet
// nothing can be decided and the job is accepted.
// Thread safety: a free function over values.
#pragma once

#include <string>

#include "api/job_spec.h"
#include "common/status.h"
#include "gpu/inventory.h"
#include "sched/quota.h"

namespace ava::api {

Status CheckCanEverRun(const JobSpec& spec, const gpu::Inventory& known, const sched::QuotaConfig& quotas,
                       const std::string& user, const std::string& group, std::string* field);

}  // namespace ava::api
