#include "sim/trace_paths.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <vector>

namespace ava::sim {
namespace {

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

Result<std::string> FindTraceDir(std::string_view explicit_dir) {
  std::vector<std::string> tried;
  if (!explicit_dir.empty()) {
    if (IsDir(std::string(explicit_dir))) return std::string(explicit_dir);
    return Status::NotFound(fmt::format("trace directory '{}' does not exist", explicit_dir));
  }
  if (const char* env = std::getenv("AVA_TRACE_DIR"); env != nullptr && *env != '\0') tried.emplace_back(env);
  if (const char* src = std::getenv("AVA_SOURCE_DIR"); src != nullptr && *src != '\0') {
    tried.push_back(std::string(src) + "/../shared/traces");
  }
  // This file is src/sim/trace_paths.cc inside the source tree.
  const std::string here = __FILE__;
  const size_t at = here.rfind("/src/sim/");
  if (at != std::string::npos) tried.push_back(here.substr(0, at) + "/../shared/traces");
  for (const std::string& dir : tried) {
    if (IsDir(dir)) return dir;
  }
  return Status::NotFound(fmt::format(
      "no trace directory found (tried: {}); set AVA_TRACE_DIR or pass --trace-dir", fmt::join(tried, ", ")));
}

}  // namespace ava::sim
