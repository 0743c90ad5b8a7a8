// Where the public GPU traces live. Research data is never copied into the repository: it is read
// from the workspace's shared/traces folder, found in this order:
//   1. an explicit directory (a flag);
//   2. $AVA_TRACE_DIR;
//   3. $AVA_SOURCE_DIR/../shared/traces (scripts/test.sh sets AVA_SOURCE_DIR);
//   4. ../shared/traces next to the source tree this binary was built from.
//
// Errors: NotFound naming every place that was tried.
// Thread safety: reads the environment only.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace ava::sim {

Result<std::string> FindTraceDir(std::string_view explicit_dir = {});

}  // namespace ava::sim
