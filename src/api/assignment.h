// Assignment: where a job's gang members run — per member, the node, the GPU indices on it and what
// it takes (milli-GPU per GPU, CPU, memory). Stored with the job (db jobs.assignment, as JSON) when
// it is scheduled, and read back to rebuild the pool's state on every scheduling pass, so avad
// keeps no placement only in memory and a restarted avad knows what is in use.
//
//   {"members": [{"rank": 0, "node": "n1", "gpus": [0, 1], "gpu_milli": 1000,
//                 "cpu_milli": 2000, "memory_bytes": 4294967296}]}
//
// Errors: ParseAssignment returns InvalidArgument on malformed JSON (never throws).
// Thread safety: plain values and free functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ava::api {

struct MemberAssignment {
  int rank = 0;
  std::string node;
  std::vector<int> gpus;  // device indices on the node, ascending
  int gpu_milli = 1000;   // taken from each GPU in `gpus`
  int64_t cpu_milli = 0;
  uint64_t memory_bytes = 0;

  // "0,1" for CUDA_VISIBLE_DEVICES.
  std::string VisibleDevices() const;
};

struct Assignment {
  std::vector<MemberAssignment> members;  // in rank order
};

nlohmann::json AssignmentToJson(const Assignment& a);
std::string AssignmentToText(const Assignment& a);
// "" parses to an empty assignment (a job never placed).
Result<Assignment> ParseAssignment(std::string_view text);

}  // namespace ava::api
