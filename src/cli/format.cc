#include "cli/format.h"

#include <fmt/format.h>

#include "common/units.h"

namespace ava::cli {

std::string FormatResources(const nlohmann::json& r, int64_t gang) {
  if (!r.is_object()) return "-";
  std::string out;
  const int64_t gpus = r.value("gpus", int64_t{0});
  const int64_t milli = r.value("gpu_milli", int64_t{1000});
  std::string model = r.value("gpu_model", std::string("*"));
  if (model.empty()) model = "*";
  if (gpus > 0) {
    const std::string what = model == "*" ? "GPU" : model;
    out = milli < 1000 ? fmt::format("{:g}×{}", milli / 1000.0, what) : fmt::format("{}×{}", gpus, what);
  }
  const double cpus = r.value("cpus", 0.0);
  if (cpus > 0) out += fmt::format("{}{:g} CPU{}", out.empty() ? "" : ", ", cpus, cpus == 1 ? "" : "s");
  const uint64_t memory = r.value("memory", uint64_t{0});
  if (memory > 0) out += fmt::format("{}{}", out.empty() ? "" : ", ", FormatBytes(memory));
  if (gang > 1) out = fmt::format("{} × {}", gang, out);
  return out.empty() ? "-" : out;
}

std::string FormatWhen(const nlohmann::json& time) {
  if (!time.is_string()) return "-";
  std::string t = time.get<std::string>();
  if (t.size() >= 19) {
    t = t.substr(0, 19);
    t[10] = ' ';
  }
  return t;
}

std::string FormatPlacement(const nlohmann::json& placement) {
  if (!placement.is_array() || placement.empty()) return "-";
  std::string out;
  for (const nlohmann::json& m : placement) {
    std::vector<std::string> gpus;
    for (const nlohmann::json& g : m.value("gpus", nlohmann::json::array())) gpus.push_back(g.dump());
    if (!out.empty()) out += " ";
    out += fmt::format("{}[{}]", m.value("node", std::string("?")), fmt::join(gpus, ","));
  }
  return out;
}

std::string Shorten(const std::string& text, size_t max) {
  if (text.size() <= max) return text;
  return text.substr(0, max > 1 ? max - 1 : 0) + "…";
}

}  // namespace ava::cli
