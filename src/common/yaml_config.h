// Typed reading of YAML config files with errors that name the file, line and problem:
//   "mounts.yaml:7:5: 'capacity': '12 parsecs' has an unknown size unit 'parsecs' ..."
// Each component owns a plain config struct with defaults and a Validate(); these helpers fill it
// from a YAML mapping, so no string keys are scattered through the code.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace ava {

struct YamlDoc {
  std::string source;  // file name (or a label for text) used in error messages
  YAML::Node root;
};

Result<YamlDoc> LoadYamlFile(const std::string& path);
Result<YamlDoc> ParseYaml(const std::string& text, std::string source);

// InvalidArgument "source:line:col: message" pointing at `at`.
Status YamlError(const YamlDoc& doc, const YAML::Node& at, std::string_view message);

// Fails on a key of `map` that is not in `allowed`, suggesting the closest allowed key.
Status CheckKeys(const YamlDoc& doc, const YAML::Node& map, std::initializer_list<std::string_view> allowed);

// Each getter returns `fallback` when `key` is absent and fails, naming the key, when the value is
// not of the right kind. Without a fallback the key is required.
Result<std::string> GetString(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                              std::optional<std::string> fallback = std::nullopt);
Result<bool> GetBool(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                     std::optional<bool> fallback = std::nullopt);
Result<int64_t> GetInt(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                       std::optional<int64_t> fallback = std::nullopt);
Result<double> GetDouble(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                         std::optional<double> fallback = std::nullopt);
Result<uint64_t> GetBytes(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                          std::optional<uint64_t> fallback = std::nullopt);
Result<Nanos> GetDuration(const YamlDoc& doc, const YAML::Node& map, std::string_view key,
                          std::optional<Nanos> fallback = std::nullopt);

// Levenshtein distance, for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace ava
