// How the CLI shows avad's values to people: resources ("2×V100, 4 CPUs, 16 GiB"), times
// ("2026-03-01 12:00:05"), placements ("n1[0,1] n2[0,1]"), and text cut to a width.
//
// Thread safety: free functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ava::cli {

// From a job's "resources" (or the queue's "requested") object.
std::string FormatResources(const nlohmann::json& resources, int64_t gang = 1);
// An RFC 3339 time from avad, shown to the second; "-" for null.
std::string FormatWhen(const nlohmann::json& time);
// A job's "placement" list.
std::string FormatPlacement(const nlohmann::json& placement);
std::string Shorten(const std::string& text, size_t max);

}  // namespace ava::cli
