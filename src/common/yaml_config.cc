#include "common/yaml_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "common/units.h"

namespace ava {

Result<YamlDoc> ParseYaml(const std::string& text, std::string source) {
  try {
    return YamlDoc{source, YAML::Load(text)};
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", source, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

Result<YamlDoc> LoadYamlFile(const std::string& path) {
  try {
    return YamlDoc{path, YAML::LoadFile(path)};
  } catch (const YAML::BadFile&) {
    return Status::NotFound(fmt::format("{}: cannot open the file", path));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

Status YamlError(const YamlDoc& doc, const YAML::Node& at, std::string_view message) {
  YAML::Mark m = at.Mark();
  if (m.line < 0) return Status::InvalidArgument(fmt::format("{}: {}", doc.source, message));
  return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", doc.source, m.line + 1, m.column + 1, message));
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

Status CheckKeys(const YamlDoc& doc, const YAML::Node& map, std::initializer_list<std::string_view> allowed) {
  if (!map.IsMap()) return YamlError(doc, map, "expected a mapping of key: value");
  for (const auto& kv : map) {
    std::string key = kv.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string_view best;
    size_t best_d = 3;
    for (auto a : allowed) {
      size_t d = EditDistance(key, a);
      if (d < best_d) {
        best_d = d;
        best = a;
      }
    }
    std::string hint = best.empty() ? fmt::format(" (known keys: {})", fmt::join(allowed, ", "))
                                    : fmt::format(" (did you mean '{}'?)", best);
    return YamlError(doc, kv.first, fmt::format("unknown key '{}'{}", key, hint));
  }
  return Status::OK();
}

namespace {

// Finds `key` in `map`: absent → nullopt without error; present → the node.
Result<std::optional<YAML::Node>> Find(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                                       bool required) {
  if (!map.IsMap()) return YamlError(doc, map, "expected a mapping of key: value");
  YAML::Node v = map[std::string(key)];
  if (!v.IsDefined() || v.IsNull()) {
    if (required) return YamlError(doc, map, fmt::format("missing required key '{}'", key));
    return std::optional<YAML::Node>();
  }
  if (!v.IsScalar()) return YamlError(doc, v, fmt::format("'{}' must be a single value", key));
  return std::optional<YAML::Node>(v);
}

template <typename T, typename Convert>
Result<T> Get(const YamlDoc& doc, const YAML::Node& map, std::string_view key, std::optional<T> fallback,
              Convert convert) {
  AVA_ASSIGN_OR_RETURN(std::optional<YAML::Node> node, Find(doc, map, key, !fallback.has_value()));
  if (!node) return *fallback;
  Result<T> r = convert(node->Scalar());
  if (!r.ok()) return YamlError(doc, *node, fmt::format("'{}': {}", key, r.status().message()));
  return r;
}

}  // namespace

Result<std::string> GetString(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                              std::optional<std::string> fallback) {
  return Get<std::string>(doc, map, key, std::move(fallback),
                          [](const std::string& s) -> Result<std::string> { return s; });
}

Result<bool> GetBool(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                     std::optional<bool> fallback) {
  return Get<bool>(doc, map, key, fallback, [](const std::string& s) -> Result<bool> {
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    return Status::InvalidArgument(fmt::format("'{}' is not true or false", s));
  });
}

Result<int64_t> GetInt(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                       std::optional<int64_t> fallback) {
  return Get<int64_t>(doc, map, key, fallback, [](const std::string& s) -> Result<int64_t> {
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0') return Status::InvalidArgument(fmt::format("'{}' is not an integer", s));
    return static_cast<int64_t>(v);
  });
}

Result<double> GetDouble(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                         std::optional<double> fallback) {
  return Get<double>(doc, map, key, fallback, [](const std::string& s) -> Result<double> {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0') return Status::InvalidArgument(fmt::format("'{}' is not a number", s));
    return v;
  });
}

Result<uint64_t> GetBytes(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                          std::optional<uint64_t> fallback) {
  return Get<uint64_t>(doc, map, key, fallback, [](const std::string& s) { return ParseBytes(s); });
}

Result<Nanos> GetDuration(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                          std::optional<Nanos> fallback) {
  return Get<Nanos>(doc, map, key, fallback, [](const std::string& s) { return ParseDuration(s); });
}

}  // namespace ava
