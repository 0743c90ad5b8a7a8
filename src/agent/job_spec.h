// JobSpec: the parts of a job spec (docs/api.md, "Job spec") the agent acts on — what to run, where,
// with which environment and mounts, how long it may run and which report file to collect. avad has
// validated the spec already; the agent parses it again from the assignment's JSON because it must
// not run something it misunderstood. Fields the agent does not use (resources, priority, gang) are
// ignored here.
//
// Errors: ParseJobSpec returns InvalidArgument naming the field ("spec.command: …").
// Thread safety: plain values.
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace ava::agent {

struct MountRequest {
  std::string path;    // where the job sees it, absolute ("/data")
  std::string source;  // a path inside the node's avafs tree ("dataset/fashion-mnist")
  bool readonly = false;
};

struct JobSpec {
  std::string name;
  std::string kind = "job";  // job | workspace
  // Exactly one of the two: an argv, or a string for /bin/sh -c.
  std::vector<std::string> argv;
  std::string shell;
  std::string workdir;  // "" = the job's own directory on the node
  std::map<std::string, std::string> env;
  std::vector<MountRequest> mounts;
  std::string report;    // "" = none
  Nanos max_runtime{0};  // 0 = no limit

  bool uses_shell() const { return argv.empty(); }
};

Result<JobSpec> ParseJobSpec(const nlohmann::json& spec);

}  // namespace ava::agent
