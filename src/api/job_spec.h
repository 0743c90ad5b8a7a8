// JobSpec: what a user submits to run (docs/api.md, "Job spec"), parsed from YAML or JSON (JSON is
// read as YAML's flow syntax, so both go through one parser), validated, and normalised.
//
//   name, kind (job | workspace), command (list, or a string for /bin/sh -c), workdir, env,
//   resources {gpus | gpu_milli, gpu_model "V100|A100", cpus, memory}, gang, priority,
//   max_runtime, mounts [{path, source, readonly}], report, idle_timeout (workspaces), group.
//
// Defaults: kind job; resources.gpus 0 and cpus 1 (a request must ask for something); gang 1;
// priority 0; no max_runtime; mounts read-only; a workspace runs `sleep infinity` unless given a
// command and idles out after 1h unless given idle_timeout.
//
// Errors: ParseJobSpec returns InvalidArgument and sets *field to the offending field's path
// ("resources.gpus", "mounts[1].path", "env.PATH"; "" when the text is not YAML at all). Unknown
// fields are errors with a "did you mean" hint. Nothing the client sends makes it throw or crash:
// exceptions of yaml-cpp are caught, and bodies nested deeper than kMaxNesting are refused before
// parsing (the YAML parser recurses per level).
//
// Thread safety: free functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "db/records.h"
#include "sched/request.h"

namespace ava::api {

inline constexpr size_t kMaxSpecBytes = 1 << 20;
inline constexpr int kMaxNesting = 32;
inline constexpr int kMaxGang = 64;
inline constexpr int kMaxPriority = 1000;
inline constexpr Nanos kDefaultIdleTimeout = std::chrono::hours(1);

struct JobMount {
  std::string path;    // where the job sees it (absolute)
  std::string source;  // a mount of the agent's avafs table
  bool readonly = true;
};

struct JobSpec {
  std::string name;
  db::JobKind kind = db::JobKind::kJob;
  std::vector<std::string> command;  // argv; one element when shell is true
  bool shell = false;                // command was given as a string: run with /bin/sh -c
  std::string workdir;
  std::map<std::string, std::string> env;
  int gpus = 0;                         // whole GPUs per gang member (1 for a share of one)
  int gpu_milli = sched::kMilliPerGpu;  // share of each GPU, 1..1000
  std::vector<std::string> gpu_models;  // empty: any
  int64_t cpu_milli = 1000;
  uint64_t memory_bytes = 0;
  int gang = 1;
  int priority = 0;
  Nanos max_runtime{0};  // 0: no limit
  std::vector<JobMount> mounts;
  std::string report;
  Nanos idle_timeout{0};  // workspaces only; set to the default when a workspace gives none
  std::string group;      // "" = the submitter's default group

  // One gang member as the scheduler sees it.
  sched::Request MemberRequest() const;
  // "V100|A100", or "*" for any model (the db's spelling).
  std::string GpuModelText() const;
  // GPUs per member as the db keeps them: 0.5 for gpu_milli 500.
  double GpusPerMember() const;
};

// `text` is YAML or JSON. `forced_kind`: the kind an endpoint implies (POST /v1/workspaces), or
// nullopt to take the spec's own (default job).
Status ParseJobSpec(std::string_view text, std::optional<db::JobKind> forced_kind, JobSpec* out,
                    std::string* field);

// The spec as normalised JSON, which ParseJobSpec reads back to the same JobSpec: memory in bytes,
// durations as "<seconds>s", gpu_model "" for any. This is what agents receive.
nlohmann::json JobSpecToJson(const JobSpec& spec);

// Refuses text whose brackets/braces nest deeper than `max_depth` outside quoted strings (a cheap
// guard before recursive parsers see client input). InvalidArgument when it does.
Status CheckNesting(std::string_view text, int max_depth = kMaxNesting);

}  // namespace ava::api
