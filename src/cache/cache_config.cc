#include "cache/cache_config.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>

#include "common/units.h"

namespace ava::cache {

namespace {

Status CheckTier(const TierConfig& t, std::string_view tier) {
  for (auto [name, v] : {std::pair{"high_watermark", t.high_watermark}, {"low_watermark", t.low_watermark}}) {
    if (!(v >= 0.0 && v <= 1.0)) {  // written so that NaN fails too
      return Status::InvalidArgument(
          fmt::format("{}_{} is {}; it must be a fraction between 0 and 1", tier, name, v));
    }
  }
  if (t.low_watermark > t.high_watermark) {
    return Status::InvalidArgument(fmt::format("{0}_low_watermark ({1}) is above {0}_high_watermark ({2})",
                                               tier, t.low_watermark, t.high_watermark));
  }
  return Status::OK();
}

// A fraction: "0.9" or "90%".
Result<double> ParseFraction(std::string_view text) {
  std::string s(text);
  bool percent = !s.empty() && s.back() == '%';
  if (percent) s.pop_back();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || std::isnan(v)) {
    return Status::InvalidArgument(fmt::format("'{}' is not a fraction (e.g. 0.9 or 90%)", text));
  }
  return percent ? v / 100.0 : v;
}

Result<bool> ParseBool(std::string_view s) {
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  return Status::InvalidArgument(fmt::format("'{}' is not true or false", s));
}

Result<int64_t> ParseInt(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0') return Status::InvalidArgument(fmt::format("'{}' is not an integer", text));
  return static_cast<int64_t>(v);
}

struct Option {
  std::string_view name;
  std::function<Status(CacheConfig*, std::string_view)> set;
};

template <typename Parse, typename Apply>
Option MakeOption(std::string_view name, Parse parse, Apply apply) {
  return {name, [parse, apply](CacheConfig* c, std::string_view text) -> Status {
            auto v = parse(text);
            if (!v.ok()) return v.status();
            apply(c, *v);
            return Status::OK();
          }};
}

// The one declaration of every option name; YAML keys and flags both go through it.
const std::vector<Option>& Options() {
  static const std::vector<Option> kOptions = {
      MakeOption("ram_capacity", ParseBytes, [](CacheConfig* c, uint64_t v) { c->ram.capacity_bytes = v; }),
      MakeOption("ram_high_watermark", ParseFraction,
                 [](CacheConfig* c, double v) { c->ram.high_watermark = v; }),
      MakeOption("ram_low_watermark", ParseFraction,
                 [](CacheConfig* c, double v) { c->ram.low_watermark = v; }),
      MakeOption(
          "ssd_dir", [](std::string_view s) -> Result<std::string> { return std::string(s); },
          [](CacheConfig* c, const std::string& v) { c->ssd_dir = v; }),
      MakeOption("ssd_capacity", ParseBytes, [](CacheConfig* c, uint64_t v) { c->ssd.capacity_bytes = v; }),
      MakeOption("ssd_high_watermark", ParseFraction,
                 [](CacheConfig* c, double v) { c->ssd.high_watermark = v; }),
      MakeOption("ssd_low_watermark", ParseFraction,
                 [](CacheConfig* c, double v) { c->ssd.low_watermark = v; }),
      MakeOption("evict_interval", ParseDuration, [](CacheConfig* c, Nanos v) { c->evict_interval = v; }),
      MakeOption("ssd_fsync", ParseBool, [](CacheConfig* c, bool v) { c->ssd_fsync = v; }),
      MakeOption("ssd_writer_threads", ParseInt,
                 [](CacheConfig* c, int64_t v) { c->ssd_writer_threads = static_cast<int>(v); }),
      MakeOption("ssd_write_queue", ParseBytes,
                 [](CacheConfig* c, uint64_t v) { c->ssd_write_queue_bytes = v; }),
      MakeOption("ssd_journal_compact_min", ParseBytes,
                 [](CacheConfig* c, uint64_t v) { c->ssd_journal_compact_min_bytes = v; }),
  };
  return kOptions;
}

const Option* FindOption(std::string_view name) {
  for (const Option& o : Options()) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

std::string UnknownOptionMessage(std::string_view name) {
  std::string_view best;
  size_t best_d = 3;
  for (const Option& o : Options()) {
    size_t d = EditDistance(name, o.name);
    if (d < best_d) {
      best_d = d;
      best = o.name;
    }
  }
  if (!best.empty()) return fmt::format("unknown cache option '{}' (did you mean '{}'?)", name, best);
  return fmt::format("unknown cache option '{}' (known options: {})", name,
                     fmt::join(CacheOptionNames(), ", "));
}

}  // namespace

Status CacheConfig::Validate() const {
  AVA_RETURN_IF_ERROR(CheckTier(ram, "ram"));
  AVA_RETURN_IF_ERROR(CheckTier(ssd, "ssd"));
  if (ssd.capacity_bytes > 0) {
    if (ssd_dir.empty()) {
      return Status::InvalidArgument("ssd_dir is required when ssd_capacity is above 0 (the SSD tier is on)");
    }
    if (ssd_writer_threads < 1 || ssd_writer_threads > 64) {
      return Status::InvalidArgument(
          fmt::format("ssd_writer_threads is {}; it must be between 1 and 64", ssd_writer_threads));
    }
    if (ssd_write_queue_bytes == 0) return Status::InvalidArgument("ssd_write_queue must be above 0");
  }
  if (evict_interval <= Nanos::zero()) {
    return Status::InvalidArgument(
        fmt::format("evict_interval is {}; it must be above 0", FormatDuration(evict_interval)));
  }
  return Status::OK();
}

std::vector<std::string_view> CacheOptionNames() {
  std::vector<std::string_view> names;
  for (const Option& o : Options()) names.push_back(o.name);
  return names;
}

Status SetCacheOption(CacheConfig* config, std::string_view name, std::string_view value) {
  const Option* o = FindOption(name);
  if (o == nullptr) return Status::InvalidArgument(UnknownOptionMessage(name));
  Status s = o->set(config, value);
  if (!s.ok()) return Status::InvalidArgument(fmt::format("'{}': {}", name, s.message()));
  return Status::OK();
}

Result<CacheConfig> ParseCacheConfig(const YamlDoc& doc, const YAML::Node& map) {
  CacheConfig config;
  try {
    if (!map.IsMap()) return YamlError(doc, map, "the cache section must be a mapping of option: value");
    for (const auto& kv : map) {
      std::string name = kv.first.as<std::string>();
      const Option* o = FindOption(name);
      if (o == nullptr) return YamlError(doc, kv.first, UnknownOptionMessage(name));
      if (!kv.second.IsScalar())
        return YamlError(doc, kv.second, fmt::format("'{}' must be a single value", name));
      Status s = o->set(&config, kv.second.Scalar());
      if (!s.ok()) return YamlError(doc, kv.second, fmt::format("'{}': {}", name, s.message()));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", doc.source, e.what()));
  }
  Status s = config.Validate();
  if (!s.ok()) {
    // Point at the option the message starts with when the file sets it, else at the mapping.
    std::string_view named = std::string_view(s.message()).substr(0, s.message().find(' '));
    for (const auto& kv : map) {
      if (kv.first.Scalar() == named) return YamlError(doc, kv.second, s.message());
    }
    return YamlError(doc, map, s.message());
  }
  return config;
}

}  // namespace ava::cache
