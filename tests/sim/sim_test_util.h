// Finding the openb trace for the simulator tests; tests skip when the shared traces are absent.
#pragma once

#include <string>

#include "sim/trace_paths.h"

namespace ava::sim::testing {

// "" when the trace directory cannot be found.
inline std::string TraceDirOrEmpty() {
  Result<std::string> dir = FindTraceDir();
  return dir.ok() ? *dir : std::string();
}

}  // namespace ava::sim::testing

#define AVA_REQUIRE_TRACES(dir)                                   \
  const std::string dir = ::ava::sim::testing::TraceDirOrEmpty(); \
  if (dir.empty()) GTEST_SKIP() << "the shared traces (../shared/traces) are not present; set AVA_TRACE_DIR"
